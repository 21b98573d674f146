import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioDecoder } from '../../src/telephony/twilio/decoder.js';
import type { DecodeResult, InboundEvent } from '../../src/telephony/types.js';
import { startLoopback, type Loopback, type Session } from './loopback.js';

const SID = 'MZ0123456789abcdef';
const start = (over: Record<string, unknown> = {}, fmt: Record<string, unknown> = {}) =>
  JSON.stringify({
    event: 'start',
    sequenceNumber: '1',
    streamSid: SID,
    start: {
      streamSid: SID,
      accountSid: 'AC1',
      callSid: 'CA42',
      tracks: ['inbound'],
      customParameters: { tenant: 'acme', lang: 'en' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1, ...fmt },
      ...over,
    },
  });
const media = (payload: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: SID, media: { track: 'inbound', chunk: '1', timestamp: '20', payload }, ...extra });
const ulaw = Buffer.alloc(160, 0xff).toString('base64');

function events(r: DecodeResult): readonly InboundEvent[] {
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.events;
}
function reason(r: DecodeResult): string {
  return r.ok ? 'ok' : r.reason;
}

describe('Twilio decoder over a real WebSocket', () => {
  let lb: Loopback;
  beforeAll(async () => {
    lb = await startLoopback();
  });
  afterAll(() => lb.close());

  async function started(): Promise<Session> {
    const s = await lb.session(new TwilioDecoder({ maxMessageBytes: 4096 }));
    events(await s.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' })));
    events(await s.send(start()));
    return s;
  }

  it('decodes every message kind of a call', async () => {
    const s = await lb.session(new TwilioDecoder({ maxMessageBytes: 4096 }));
    expect(events(await s.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' })))).toEqual([
      { kind: 'connected', protocol: 'Call', version: '1.0.0' },
    ]);
    const [st] = events(await s.send(start()));
    expect(st).toMatchObject({
      kind: 'start',
      callId: 'CA42',
      streamId: SID,
      accountSid: 'AC1',
      format: { codec: 'mulaw', rate: 8000 },
      customParameters: { tenant: 'acme', lang: 'en' },
      implicit: false,
    });
    const [m] = events(await s.send(media(ulaw)));
    expect(m).toMatchObject({ kind: 'media', seq: 2, timestampMs: 20 });
    expect(m?.kind === 'media' && m.payload.equals(Buffer.alloc(160, 0xff))).toBe(true);
    expect(events(await s.send(JSON.stringify({ event: 'mark', sequenceNumber: '3', streamSid: SID, mark: { name: '0.1.1' } })))).toEqual([
      { kind: 'mark', name: '0.1.1' },
    ]);
    expect(events(await s.send(JSON.stringify({ event: 'dtmf', streamSid: SID, sequenceNumber: '4', dtmf: { track: 'inbound_track', digit: '#' } })))).toEqual([
      { kind: 'dtmf', digit: '#' },
    ]);
    expect(events(await s.send(JSON.stringify({ event: 'stop', sequenceNumber: '5', streamSid: SID, stop: { accountSid: 'AC1', callSid: 'CA42' } })))).toEqual([
      { kind: 'stop', callId: 'CA42' },
    ]);
    s.close();
  });

  const malformed: [string, () => string | Buffer, string][] = [
    ['bad JSON', () => '{"event":"media",', 'bad_json'],
    ['a JSON array', () => '[1,2]', 'not_object'],
    ['no event', () => JSON.stringify({ foo: 1 }), 'missing_field'],
    ['event of wrong type', () => JSON.stringify({ event: 7 }), 'wrong_type'],
    ['unknown event', () => JSON.stringify({ event: 'transcode', streamSid: SID }), 'unknown_event'],
    ['a binary frame', () => Buffer.from([1, 2, 3]), 'binary_not_allowed'],
    ['bad base64', () => media('!!!notbase64!!!'), 'bad_base64'],
    ['base64 without padding', () => media('/w'), 'bad_base64'],
    ['base64 with a junk character', () => media('AA!A' + ulaw.slice(4)), 'bad_base64'],
    ['base64url alphabet', () => media('AA-A'), 'bad_base64'],
    ['base64 with inner padding', () => media('AA==AAAA'), 'bad_base64'],
    ['empty payload', () => media(''), 'empty_audio'],
    ['payload of wrong type', () => JSON.stringify({ event: 'media', streamSid: SID, media: { payload: 5 } }), 'wrong_type'],
    ['media without media object', () => JSON.stringify({ event: 'media', streamSid: SID }), 'missing_field'],
    ['non-numeric sequenceNumber', () => media(ulaw, { sequenceNumber: 'x1' }), 'wrong_type'],
    ['another streamSid', () => media(ulaw, { streamSid: 'MZother' }), 'stream_mismatch'],
    ['a second start', () => start(), 'duplicate_start'],
    ['dtmf with a bad digit', () => JSON.stringify({ event: 'dtmf', streamSid: SID, dtmf: { digit: 'x' } }), 'wrong_type'],
    ['mark without name', () => JSON.stringify({ event: 'mark', streamSid: SID, mark: {} }), 'missing_field'],
    ['oversize frame', () => media('A'.repeat(8000)), 'oversize'],
  ];
  for (const [what, frame, want] of malformed) {
    it(`rejects ${what} as ${want}, and the stream goes on`, async () => {
      const s = await started();
      expect(reason(await s.send(frame()))).toBe(want);
      expect(reason(await s.send(media(ulaw)))).toBe('ok');
      s.close();
    });
  }

  it('rejects media and marks before start, then accepts the start', async () => {
    const s = await lb.session(new TwilioDecoder({ maxMessageBytes: 4096 }));
    expect(reason(await s.send(media(ulaw)))).toBe('media_before_start');
    expect(reason(await s.send(JSON.stringify({ event: 'mark', mark: { name: 'x' } })))).toBe('event_before_start');
    expect(reason(await s.send(start()))).toBe('ok');
    expect(reason(await s.send(media(ulaw)))).toBe('ok');
    s.close();
  });

  it('rejects a start with a format other than µ-law 8 kHz mono, or bad parameters', async () => {
    const s = await lb.session(new TwilioDecoder({ maxMessageBytes: 4096 }));
    expect(reason(await s.send(start({}, { encoding: 'audio/x-alaw' })))).toBe('unsupported_format');
    expect(reason(await s.send(start({}, { sampleRate: '8000' })))).toBe('wrong_type');
    expect(reason(await s.send(start({ customParameters: { n: 5 } })))).toBe('wrong_type');
    expect(reason(await s.send(start({ callSid: undefined })))).toBe('missing_field');
    expect(reason(await s.send(start()))).toBe('ok');
    s.close();
  });

  it('rejects everything after stop', async () => {
    const s = await started();
    expect(reason(await s.send(JSON.stringify({ event: 'stop', streamSid: SID, stop: {} })))).toBe('ok');
    expect(reason(await s.send(media(ulaw)))).toBe('after_stop');
    s.close();
  });
});
