// Exotel Voicebot: the decoder against the documented frames (snake_case, counters as strings,
// base64 PCM16LE), the encoder's media / mark / clear.
import { describe, expect, it } from 'vitest';
import { ExotelDecoder } from '../../src/telephony/exotel/decoder.js';
import { ExotelEncoder } from '../../src/telephony/exotel/encoder.js';
import { events, reason, text } from './decode-helpers.js';

const SID = 'MZxxxxxxxxxxxxxxxxxxxxxxxx';
// The documented start (developer.exotel.com, AgentStream "WebSocket protocol").
const START = {
  event: 'start',
  sequence_number: '1',
  stream_sid: SID,
  start: {
    stream_sid: SID,
    call_sid: 'CAxxxxxxxxxxxxxxxxxxxxxxxx',
    account_sid: 'ACxxxxxxxxxxxxxxxxxxxxxxxx',
    from: '+919876543210',
    to: '+918047491899',
    custom_parameters: { key1: 'value1' },
    media_format: { encoding: 'audio/x-raw', sample_rate: '8000', bit_rate: '16' },
  },
};
const withRate = (sample_rate: string, encoding = 'audio/x-raw') => ({ ...START, start: { ...START.start, media_format: { encoding, sample_rate, bit_rate: '16' } } });
const media = (payload: string) => ({ event: 'media', sequence_number: '3', stream_sid: SID, media: { chunk: '2', timestamp: '200', payload } });
const decoder = () => new ExotelDecoder({ maxMessageBytes: 64 * 1024 });

describe('Exotel decoder', () => {
  it('reads connected, start, media, dtmf, mark and stop as documented', () => {
    const d = decoder();
    expect(events(d.decode(text({ event: 'connected' }), false))[0]).toMatchObject({ kind: 'connected' });
    expect(events(d.decode(text(START), false))[0]).toMatchObject({
      kind: 'start',
      callId: 'CAxxxxxxxxxxxxxxxxxxxxxxxx',
      streamId: SID,
      format: { codec: 'pcm16', rate: 8000 },
      customParameters: { key1: 'value1' },
    });
    const pcm = Buffer.alloc(3200, 3);
    expect(events(d.decode(text(media(pcm.toString('base64'))), false))).toEqual([{ kind: 'media', payload: pcm, seq: 3, timestampMs: 200 }]);
    expect(events(d.decode(text({ event: 'dtmf', sequence_number: '7', stream_sid: SID, dtmf: { digit: '5', duration: '100' } }), false))).toEqual([{ kind: 'dtmf', digit: '5' }]);
    expect(events(d.decode(text({ event: 'mark', sequence_number: '15', stream_sid: SID, mark: { name: '1.2.3' } }), false))).toEqual([{ kind: 'mark', name: '1.2.3' }]);
    expect(events(d.decode(text({ event: 'stop', sequence_number: '20', stream_sid: SID, stop: { call_sid: 'CAx', account_sid: 'ACx', reason: 'callended' } }), false))).toEqual([{ kind: 'stop', callId: 'CAx' }]);
    expect(reason(d.decode(text(media(pcm.toString('base64'))), false))).toBe('after_stop');
  });

  it('takes 16 kHz, refuses 24 kHz (the media core lacks it) and other encodings', () => {
    expect(events(decoder().decode(text(withRate('16000')), false))[0]).toMatchObject({ format: { codec: 'pcm16', rate: 16000 } });
    expect(reason(decoder().decode(text(withRate('24000')), false))).toBe('unsupported_format');
    expect(reason(decoder().decode(text(withRate('8000', 'audio/x-mulaw')), false))).toBe('unsupported_format');
  });

  it('refuses malformed frames by reason', () => {
    const d = decoder();
    expect(reason(d.decode(text(media('AAAA')), false))).toBe('media_before_start');
    expect(reason(d.decode(text('[]'), false))).toBe('not_object');
    events(d.decode(text(START), false));
    expect(reason(d.decode(text(media(Buffer.alloc(3).toString('base64'))), false))).toBe('odd_length_pcm');
    expect(reason(d.decode(text({ ...media('AAAA'), stream_sid: 'MZother' }), false))).toBe('stream_mismatch');
    expect(reason(d.decode(text({ event: 'mark', stream_sid: SID, mark: {} }), false))).toBe('missing_field');
    expect(reason(d.decode(text({ event: 'clear', stream_sid: SID }), false))).toBe('unknown_event');
  });
});

describe('Exotel encoder', () => {
  it('sends media with its mark and clear, naming the stream_sid', () => {
    const e = new ExotelEncoder(SID);
    const pcm = Buffer.alloc(320, 2);
    expect(e.audio(pcm, '1.2.3').map((s) => JSON.parse(s))).toEqual([
      { event: 'media', stream_sid: SID, media: { payload: pcm.toString('base64') } },
      { event: 'mark', stream_sid: SID, mark: { name: '1.2.3' } },
    ]);
    expect(e.clear().map((s) => JSON.parse(s))).toEqual([{ event: 'clear', stream_sid: SID }]);
  });
});
