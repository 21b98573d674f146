// The template framing (config jsPath 'lean', the default) must put the
// same bytes on the wire as JSON.stringify per message ('stringify', the bench's baseline).
import { describe, expect, it } from 'vitest';
import { jsonTemplate, type OutboundFraming } from '../../src/telephony/encoder-template.js';
import { TwilioEncoder } from '../../src/telephony/twilio/encoder.js';
import { TelnyxEncoder } from '../../src/telephony/telnyx/encoder.js';
import { PlivoEncoder } from '../../src/telephony/plivo/encoder.js';
import { ExotelEncoder } from '../../src/telephony/exotel/encoder.js';
import { AudioStreamEncoder } from '../../src/telephony/audio-stream/encoder.js';
import type { OutboundEncoder } from '../../src/telephony/types.js';

// Ids and names a platform could send that JSON must escape: quotes, backslashes, controls, U+2028, astral.
const SID = 'MZ"\\\n\u2028é😀1';
const MARKS = ['0.1.1', '7.300.65535', 'a"b\\c', '\u0000\u001f', '😀'];

const encoders: Record<string, (framing: OutboundFraming) => OutboundEncoder> = {
  twilio: (framing) => new TwilioEncoder(SID, { framing }),
  'telnyx pcmu': (framing) => new TelnyxEncoder({ codec: 'mulaw', rate: 8000 }, { framing }),
  'telnyx l16': (framing) => new TelnyxEncoder({ codec: 'pcm16', rate: 16000 }, { framing }),
  plivo: (framing) => new PlivoEncoder(SID, { codec: 'pcm16', rate: 16000 }, { framing }),
  exotel: (framing) => new ExotelEncoder(SID, { framing }),
  'audio-stream': (framing) => new AudioStreamEncoder(16000, { framing }),
};

function frames(): Buffer[] {
  let seed = 17;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return [0, 1, 2, 3, 4, 160, 320, 640].map((n) => Buffer.from(Array.from({ length: n }, rnd)));
}

describe('outbound framing: template and stringify give the same bytes', () => {
  for (const [name, make] of Object.entries(encoders)) {
    it(name, () => {
      const t = make('template');
      const s = make('stringify');
      for (const f of frames()) {
        for (const mark of [undefined, ...MARKS]) expect(t.audio(f, mark)).toEqual(s.audio(f, mark));
      }
      expect(t.clear()).toEqual(s.clear());
    });
  }

  it('Twilio: the exact messages Twilio documents, with the streamSid escaped', () => {
    const [media, mark] = new TwilioEncoder(SID).audio(Buffer.from([0xff, 0x7f, 0x00]), 'a"b');
    expect(media).toBe(`{"event":"media","streamSid":${JSON.stringify(SID)},"media":{"payload":"/38A"}}`);
    expect(mark).toBe(`{"event":"mark","streamSid":${JSON.stringify(SID)},"mark":{"name":"a\\"b"}}`);
  });

  it('a stream id that is the template hole itself still encodes, byte-identical (the platform chooses the id)', () => {
    const hole = '\u0000';
    const [media, mark] = new TwilioEncoder(hole).audio(Buffer.from([1, 2, 3]), 'm');
    expect(media).toBe(JSON.stringify({ event: 'media', streamSid: hole, media: { payload: 'AQID' } }));
    expect(mark).toBe(JSON.stringify({ event: 'mark', streamSid: hole, mark: { name: 'm' } }));
  });

  it('a template needs exactly one hole', () => {
    expect(() => jsonTemplate(() => ({ a: 1 }))).toThrow(/one hole/);
    expect(() => jsonTemplate((h) => ({ a: h, b: h }))).toThrow(/one hole/);
    expect(jsonTemplate((h) => ({ a: 1, b: [h] })).fill('x"')).toBe('{"a":1,"b":["x\\""]}');
  });
});
