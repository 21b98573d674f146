// SignalWire cXML <Connect><Stream>: Twilio's messages under SignalWire's id and path — the
// decoder reads the documented start / media / dtmf / mark / stop, refuses the L16 codecs with
// a message naming the codec attribute, and the encoder's media / mark / clear are Twilio's.
import { describe, expect, it } from 'vitest';
import { platformForPath } from '../../src/telephony/registry.js';
import { events, reason, text } from './decode-helpers.js';

const SID = 'f6cde2ed-5d3b-4b3f-9a87-0c1dd6c5c2a1';
const START = {
  event: 'start',
  sequenceNumber: '1',
  streamSid: SID,
  start: {
    streamSid: SID,
    accountSid: '7e3b5e4c-0000-4f6e-8f7d-2c9b1f0a1111',
    callSid: '2a8d9e3c-1111-4c55-9d0e-7b6a5f4e3d21',
    tracks: ['inbound'],
    customParameters: { FirstName: 'Jane' },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
};
const platform = platformForPath('/signalwire')!;
const decoder = () => platform.createDecoder({ maxMessageBytes: 64 * 1024 });

describe('SignalWire', () => {
  it('is a flushable-reports platform at /signalwire, ended by stop, checked by the bearer token', () => {
    expect(platform).toMatchObject({ id: 'signalwire', transport: 'websocket', farSide: 'flushable-reports', closeIsHangup: false });
    expect(platform.authenticate).toBeUndefined();
  });

  it('reads the stream messages as documented', () => {
    const d = decoder();
    expect(d.protocol).toBe('signalwire');
    expect(events(d.decode(text({ event: 'connected', protocol: 'Call', version: '1.0.0' }), false))[0]).toMatchObject({ kind: 'connected' });
    expect(events(d.decode(text(START), false))[0]).toMatchObject({ kind: 'start', callId: START.start.callSid, streamId: SID, format: { codec: 'mulaw', rate: 8000 }, customParameters: { FirstName: 'Jane' } });
    const ulaw = Buffer.alloc(160, 0x7f);
    const media = { event: 'media', sequenceNumber: '2', streamSid: SID, media: { track: 'inbound', chunk: '1', timestamp: '5', payload: ulaw.toString('base64') } };
    expect(events(d.decode(text(media), false))).toEqual([{ kind: 'media', payload: ulaw, seq: 2, timestampMs: 5 }]);
    expect(events(d.decode(text({ event: 'dtmf', streamSid: SID, dtmf: { track: 'inbound_track', digit: '7' } }), false))).toEqual([{ kind: 'dtmf', digit: '7' }]);
    expect(events(d.decode(text({ event: 'mark', streamSid: SID, mark: { name: '1.2.3' } }), false))).toEqual([{ kind: 'mark', name: '1.2.3' }]);
    expect(reason(d.decode(text({ ...media, streamSid: 'another' }), false))).toBe('stream_mismatch');
    expect(events(d.decode(text({ event: 'stop', streamSid: SID, stop: { callSid: START.start.callSid } }), false))).toEqual([{ kind: 'stop', callId: START.start.callSid }]);
    expect(reason(d.decode(text(media), false))).toBe('after_stop');
  });

  it('refuses the L16 codecs, saying to keep the default PCMU@8000h', () => {
    const r = decoder().decode(text({ ...START, start: { ...START.start, mediaFormat: { encoding: 'audio/x-l16', sampleRate: 16000, channels: 1 } } }), false);
    expect(r).toMatchObject({ ok: false, reason: 'unsupported_format', detail: expect.stringContaining('PCMU@8000h') });
  });

  it('sends media, mark and clear as Twilio does, for its stream', () => {
    const enc = platform.createEncoder({ kind: 'start', callId: 'c', streamId: SID, format: { codec: 'mulaw', rate: 8000 }, customParameters: {}, implicit: false });
    expect(enc.protocol).toBe('signalwire');
    const [media, mark] = enc.audio(Buffer.from([1, 2]), 'm1').map((f) => JSON.parse(String(f)));
    expect(media).toEqual({ event: 'media', streamSid: SID, media: { payload: 'AQI=' } });
    expect(mark).toEqual({ event: 'mark', streamSid: SID, mark: { name: 'm1' } });
    expect(enc.clear().map((f) => JSON.parse(String(f)))).toEqual([{ event: 'clear', streamSid: SID }]);
  });
});
