// Telnyx Media Streaming: the decoder against the documented frames, the encoder's frames, and
// the L16 byte order (network order on the wire, little-endian in Parley).
import { describe, expect, it } from 'vitest';
import { TelnyxDecoder } from '../../src/telephony/telnyx/decoder.js';
import { TelnyxEncoder } from '../../src/telephony/telnyx/encoder.js';
import { events, reason, text } from './decode-helpers.js';

const STREAM = '32DE0DEA-53CB-4B21-89A4-9E1819C043BC';
const CCID = 'v2:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';
// The documented start frame (developers.telnyx.com, "Stream call media over WebSocket").
const START = {
  event: 'start',
  sequence_number: '1',
  stream_id: STREAM,
  start: {
    user_id: '3E6F995F-85F7-4705-9741-53B116D28237',
    call_control_id: CCID,
    call_session_id: 'ff55a038-6f5d-11ef-9692-02420aeffb1f',
    from: '+13122010094',
    to: '+13122123456',
    tags: ['TAG1', 'TAG2'],
    client_state: 'aGF2ZSBhIG5pY2UgZGF5ID1d',
    custom_parameters: { customer_id: 'customer_123' },
    media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
  },
};
const withFormat = (encoding: string, rate: number) => ({ ...START, start: { ...START.start, media_format: { encoding, sample_rate: rate, channels: 1 } } });
const media = (payload: string, track = 'inbound') => ({ event: 'media', sequence_number: '4', media: { track, chunk: '2', timestamp: '5', payload }, stream_id: STREAM });
const decoder = () => new TelnyxDecoder({ maxMessageBytes: 64 * 1024 });

describe('Telnyx decoder', () => {
  it('reads connected, start, media, mark, dtmf, error and stop as documented', () => {
    const d = decoder();
    expect(events(d.decode(text({ event: 'connected', version: '1.0.0' }), false))).toEqual([{ kind: 'connected', protocol: 'telnyx', version: '1.0.0' }]);
    const [start] = events(d.decode(text(START), false));
    expect(start).toMatchObject({ kind: 'start', callId: CCID, streamId: STREAM, format: { codec: 'mulaw', rate: 8000 }, customParameters: { customer_id: 'customer_123' } });
    const ulaw = Buffer.alloc(160, 0x7f);
    expect(events(d.decode(text(media(ulaw.toString('base64'))), false))).toEqual([{ kind: 'media', payload: ulaw, seq: 4, timestampMs: 5 }]);
    expect(events(d.decode(text({ event: 'mark', sequence_number: '5', stream_id: STREAM, mark: { name: '1.2.3' } }), false))).toEqual([{ kind: 'mark', name: '1.2.3' }]);
    expect(events(d.decode(text({ event: 'dtmf', stream_id: STREAM, occurred_at: '2024-01-01T00:00:00Z', sequence_number: '6', dtmf: { digit: '#' } }), false))).toEqual([{ kind: 'dtmf', digit: '#' }]);
    const [err] = events(d.decode(text({ event: 'error', payload: { code: 100002, title: 'unknown_error', detail: 'An unknown error occurred' }, stream_id: STREAM }), false));
    expect(err).toMatchObject({ kind: 'text', text: expect.stringContaining('unknown_error') });
    expect(events(d.decode(text({ event: 'stop', sequence_number: '7', stop: { user_id: 'u', call_control_id: CCID }, stream_id: STREAM }), false))).toEqual([{ kind: 'stop', callId: CCID }]);
    expect(d.stopped).toBe(true);
    expect(reason(d.decode(text(media(ulaw.toString('base64'))), false))).toBe('after_stop');
  });

  it('takes PCMA and L16 (swapping L16 from network byte order), refuses codecs the core lacks', () => {
    expect(events(decoder().decode(text(withFormat('PCMA', 8000)), false))[0]).toMatchObject({ format: { codec: 'alaw', rate: 8000 } });
    const d = decoder();
    expect(events(d.decode(text(withFormat('L16', 16000)), false))[0]).toMatchObject({ format: { codec: 'pcm16', rate: 16000 } });
    const [m] = events(d.decode(text(media(Buffer.from([0x12, 0x34, 0xff, 0x00]).toString('base64'))), false));
    expect(m).toMatchObject({ kind: 'media', payload: Buffer.from([0x34, 0x12, 0x00, 0xff]) });
    expect(reason(d.decode(text(media(Buffer.from([1, 2, 3]).toString('base64'))), false))).toBe('odd_length_pcm');
    for (const [enc, rate] of [['G722', 16000], ['OPUS', 16000], ['AMR-WB', 16000], ['PCMU', 16000], ['L16', 24000]] as const) {
      const r = decoder().decode(text(withFormat(enc, rate)), false);
      expect(reason(r)).toBe('unsupported_format');
      if (!r.ok) expect(r.detail).toContain('PCMU/8000');
    }
  });

  it('refuses what Telnyx would not send, and ignores the outbound track', () => {
    const d = decoder();
    expect(reason(d.decode(text(media('AAAA')), false))).toBe('media_before_start');
    expect(reason(d.decode(Buffer.from([1, 2]), true))).toBe('binary_not_allowed');
    expect(reason(d.decode(text('{nope'), false))).toBe('bad_json');
    expect(reason(d.decode(text({ event: 'wat' }), false))).toBe('unknown_event');
    events(d.decode(text(START), false));
    expect(reason(d.decode(text(START), false))).toBe('duplicate_start');
    expect(reason(d.decode(text({ ...media('AAAA'), stream_id: 'other' }), false))).toBe('stream_mismatch');
    expect(reason(d.decode(text(media('@@@')), false))).toBe('bad_base64');
    expect(reason(d.decode(text(media('')), false))).toBe('empty_audio');
    expect(reason(d.decode(text({ event: 'dtmf', stream_id: STREAM, dtmf: { digit: 'x' } }), false))).toBe('wrong_type');
    expect(events(d.decode(text(media('AAAA', 'outbound')), false))).toEqual([]);
    expect(reason(decoder().decode(text('x'.repeat(70_000)), false))).toBe('oversize');
  });
});

describe('Telnyx encoder', () => {
  it('sends media with its mark, and clear, as documented (no stream id: Telnyx routes by connection)', () => {
    const e = new TelnyxEncoder({ codec: 'mulaw', rate: 8000 });
    const bytes = Buffer.alloc(160, 0xff);
    expect(e.audio(bytes, '1.2.3').map((s) => JSON.parse(s))).toEqual([
      { event: 'media', media: { payload: bytes.toString('base64') } },
      { event: 'mark', mark: { name: '1.2.3' } },
    ]);
    expect(e.audio(bytes)).toHaveLength(1);
    expect(e.clear().map((s) => JSON.parse(s))).toEqual([{ event: 'clear' }]);
  });

  it('sends L16 in network byte order', () => {
    const [frame] = new TelnyxEncoder({ codec: 'pcm16', rate: 16000 }).audio(Buffer.from([0x34, 0x12]));
    expect(Buffer.from(JSON.parse(frame!).media.payload, 'base64')).toEqual(Buffer.from([0x12, 0x34]));
  });
});
