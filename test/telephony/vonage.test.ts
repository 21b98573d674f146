// Vonage Voice API WebSocket adapter (docs/reference/vonage.md): decoder, encoder, registration.
import { describe, expect, it } from 'vitest';
import { VonageDecoder } from '../../src/telephony/vonage/decoder.js';
import { VonageEncoder } from '../../src/telephony/vonage/encoder.js';
import { platformForPath } from '../../src/telephony/registry.js';

const connected = (extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ event: 'websocket:connected', 'content-type': 'audio/l16;rate=16000', ...extra }));
const dec = () => new VonageDecoder({ maxMessageBytes: 65_536 });

describe('Vonage decoder', () => {
  it('websocket:connected starts the call at its L16 rate, with the NCCO headers as parameters', () => {
    const d = dec();
    const r = d.decode(connected({ uuid: 'abc', app: 'demo' }), false);
    expect(r).toMatchObject({ ok: true, events: [{ kind: 'start', callId: 'abc', format: { codec: 'pcm16', rate: 16000 }, customParameters: { uuid: 'abc', app: 'demo' } }] });
    expect(d.decode(Buffer.alloc(640, 1), true)).toMatchObject({ ok: true, events: [{ kind: 'media', seq: 1, timestampMs: 0 }] });
    expect(d.decode(Buffer.alloc(640, 1), true)).toMatchObject({ ok: true, events: [{ kind: 'media', seq: 2, timestampMs: 20 }] });
  });

  it('notify echoes become marks; cleared and dtmf are understood', () => {
    const d = dec();
    d.decode(connected(), false);
    expect(d.decode(Buffer.from('{"event":"websocket:notify","payload":{"mark":"0.1.2"}}'), false)).toMatchObject({ ok: true, events: [{ kind: 'mark', name: '0.1.2' }] });
    expect(d.decode(Buffer.from('{"event":"websocket:cleared"}'), false)).toMatchObject({ ok: true, events: [{ kind: 'text' }] });
    expect(d.decode(Buffer.from('{"event":"websocket:dtmf","digit":"7","duration":250}'), false)).toMatchObject({ ok: true, events: [{ kind: 'dtmf', digit: '7' }] });
  });

  it('refuses malformed input with a reason', () => {
    const d = dec();
    expect(d.decode(Buffer.alloc(640), true)).toMatchObject({ ok: false, reason: 'media_before_start' });
    expect(d.decode(Buffer.from('{"event":"websocket:notify"}'), false)).toMatchObject({ ok: false, reason: 'event_before_start' });
    expect(d.decode(connected({ 'content-type': 'audio/l16;rate=24000' }), false)).toMatchObject({ ok: false, reason: 'unsupported_format' });
    expect(d.decode(Buffer.from('{"event":"websocket:connected"}'), false)).toMatchObject({ ok: false, reason: 'missing_field' });
    expect(d.decode(Buffer.from('nope'), false)).toMatchObject({ ok: false, reason: 'bad_json' });
    d.decode(connected(), false);
    expect(d.decode(connected(), false)).toMatchObject({ ok: false, reason: 'duplicate_start' });
    expect(d.decode(Buffer.alloc(3), true)).toMatchObject({ ok: false, reason: 'odd_length_pcm' });
    expect(d.decode(Buffer.alloc(0), true)).toMatchObject({ ok: false, reason: 'empty_audio' });
    expect(d.decode(Buffer.from('{"event":"websocket:whatever"}'), false)).toMatchObject({ ok: false, reason: 'unknown_event' });
    expect(d.decode(Buffer.from('{"event":"websocket:dtmf","digit":"77"}'), false)).toMatchObject({ ok: false, reason: 'wrong_type' });
  });
});

describe('Vonage encoder', () => {
  it('binary audio, then a notify naming it; clear is the action clear', () => {
    const e = new VonageEncoder();
    const out = e.audio(Buffer.alloc(640, 2), '0.1.1');
    expect(Buffer.isBuffer(out[0])).toBe(true);
    expect(JSON.parse(String(out[1]))).toEqual({ action: 'notify', payload: { mark: '0.1.1' } });
    expect(e.clear().map((m) => JSON.parse(String(m)))).toEqual([{ action: 'clear' }]);
  });

  it('is served on /vonage with a flushable far side that reports', () => {
    expect(platformForPath('/vonage')).toMatchObject({ id: 'vonage', farSide: 'flushable-reports', closeIsHangup: true });
  });
});
