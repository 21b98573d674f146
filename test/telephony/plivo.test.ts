// Plivo Audio Streams: the decoder against the documented frames (start, media, dtmf,
// playedStream, clearedAudio), the encoder's playAudio / checkpoint / clearAudio.
import { describe, expect, it } from 'vitest';
import { PlivoDecoder } from '../../src/telephony/plivo/decoder.js';
import { PlivoEncoder } from '../../src/telephony/plivo/encoder.js';
import { events, reason, text } from './decode-helpers.js';

const STREAM = '87654321-4321-4321-4321-cba987654321';
// The documented start (plivo.com/docs, "Stream Event Protocol").
const START = {
  event: 'start',
  sequenceNumber: 1,
  start: {
    callId: '12345678-1234-1234-1234-123456789abc',
    streamId: STREAM,
    accountId: 'MAXXXXXXXXXXXXXXXXXX',
    tracks: ['inbound'],
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 },
  },
  extra_headers: 'userId=12345;sessionId=abc-xyz',
};
const withFormat = (encoding: string, sampleRate: number) => ({ ...START, start: { ...START.start, mediaFormat: { encoding, sampleRate } } });
const media = (payload: string, track = 'inbound') => ({
  event: 'media',
  sequenceNumber: 42,
  streamId: STREAM,
  media: { track, timestamp: '1705312200000', chunk: 41, payload },
  extra_headers: 'userId=12345;sessionId=abc-xyz',
});
const decoder = () => new PlivoDecoder({ maxMessageBytes: 64 * 1024 });

describe('Plivo decoder', () => {
  it('reads start, media, dtmf, playedStream (as a played report) and clearedAudio', () => {
    const d = decoder();
    const [start] = events(d.decode(text(START), false));
    expect(start).toMatchObject({
      kind: 'start',
      callId: '12345678-1234-1234-1234-123456789abc',
      streamId: STREAM,
      format: { codec: 'mulaw', rate: 8000 },
      customParameters: { userId: '12345', sessionId: 'abc-xyz' },
      accountSid: 'MAXXXXXXXXXXXXXXXXXX',
    });
    const ulaw = Buffer.alloc(160, 0x7f);
    expect(events(d.decode(text(media(ulaw.toString('base64'))), false))).toEqual([{ kind: 'media', payload: ulaw, seq: 42, timestampMs: 1705312200000 }]);
    expect(events(d.decode(text({ event: 'dtmf', sequenceNumber: 43, streamId: STREAM, dtmf: { track: 'inbound', digit: '5' } }), false))).toEqual([{ kind: 'dtmf', digit: '5' }]);
    expect(events(d.decode(text({ event: 'playedStream', sequenceNumber: 44, streamId: STREAM, name: '1.2.3' }), false))).toEqual([{ kind: 'mark', name: '1.2.3' }]);
    expect(events(d.decode(text({ event: 'clearedAudio', sequenceNumber: 45, streamId: STREAM }), false))[0]).toMatchObject({ kind: 'text', text: 'clearedAudio' });
  });

  it('takes audio/x-l16 at 8 and 16 kHz, refuses other content types', () => {
    expect(events(decoder().decode(text(withFormat('audio/x-l16', 16000)), false))[0]).toMatchObject({ format: { codec: 'pcm16', rate: 16000 } });
    expect(events(decoder().decode(text(withFormat('audio/x-l16', 8000)), false))[0]).toMatchObject({ format: { codec: 'pcm16', rate: 8000 } });
    for (const [enc, rate] of [['audio/x-mulaw', 16000], ['audio/x-alaw', 8000], ['audio/x-l16', 24000]] as const) {
      expect(reason(decoder().decode(text(withFormat(enc, rate)), false))).toBe('unsupported_format');
    }
  });

  it('refuses malformed frames by reason and ignores the outbound track', () => {
    const d = decoder();
    expect(reason(d.decode(text(media('AAAA')), false))).toBe('media_before_start');
    expect(reason(d.decode(text({ event: 'playedStream', streamId: STREAM, name: 'x' }), false))).toBe('event_before_start');
    expect(reason(d.decode(Buffer.from([0]), true))).toBe('binary_not_allowed');
    events(d.decode(text(START), false));
    expect(reason(d.decode(text({ ...START }), false))).toBe('duplicate_start');
    expect(reason(d.decode(text({ ...media('AAAA'), streamId: 'x' }), false))).toBe('stream_mismatch');
    expect(reason(d.decode(text({ ...media('AAAA'), sequenceNumber: -1 }), false))).toBe('wrong_type');
    expect(reason(d.decode(text({ event: 'playedStream', streamId: STREAM }), false))).toBe('missing_field');
    expect(reason(d.decode(text({ event: 'playAudio' }), false))).toBe('unknown_event');
    expect(events(d.decode(text(media('AAAA', 'outbound')), false))).toEqual([]);
  });
});

describe('Plivo encoder', () => {
  it('sends playAudio in the stream format, a checkpoint after it, and clearAudio', () => {
    const e = new PlivoEncoder(STREAM, { codec: 'pcm16', rate: 16000 });
    const pcm = Buffer.alloc(640, 1);
    expect(e.audio(pcm, '1.2.3').map((s) => JSON.parse(s))).toEqual([
      { event: 'playAudio', media: { contentType: 'audio/x-l16', sampleRate: 16000, payload: pcm.toString('base64') } },
      { event: 'checkpoint', streamId: STREAM, name: '1.2.3' },
    ]);
    expect(new PlivoEncoder(STREAM, { codec: 'mulaw', rate: 8000 }).audio(Buffer.alloc(160)).map((s) => JSON.parse(s).media.contentType)).toEqual(['audio/x-mulaw']);
    expect(e.clear().map((s) => JSON.parse(s))).toEqual([{ event: 'clearAudio', streamId: STREAM }]);
  });
});
