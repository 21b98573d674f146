// The JSON platforms' fast path (plain media and mark messages read from the bytes) against the
// full decoder (JSON.parse and the field readers): over generated, mutated and text-damaged
// frames, a decoder with the fast path and one without must give identical results — events,
// payload bytes, rejections (what the runtime counts) and state — and wherever the fast path
// answers at all, its answer must be the full decoder's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { badBase64, base64Of, damageText, mutateObject, wrongValue, type Json } from '../../bench/_fuzz-arb.js';
import { JsonFastPath } from '../../src/telephony/json-fast-path.js';
import { SHARED_EVENTS, type JsonStreamDecoder, type JsonStreamShape } from '../../src/telephony/json-stream.js';
import { ExotelDecoder } from '../../src/telephony/exotel/decoder.js';
import { PlivoDecoder } from '../../src/telephony/plivo/decoder.js';
import { SignalWireDecoder } from '../../src/telephony/signalwire/decoder.js';
import { TelnyxDecoder } from '../../src/telephony/telnyx/decoder.js';
import { TwilioDecoder } from '../../src/telephony/twilio/decoder.js';
import type { DecodeResult, DecoderOptions } from '../../src/telephony/types.js';

const SID = 'MZ0123456789abcdef0123456789abcdef';

interface Platform {
  readonly name: string;
  make(o: DecoderOptions): JsonStreamDecoder;
  readonly starts: readonly Record<string, Json>[];
  readonly streamKey: string;
  readonly seqKey: string;
  /** Counters as this platform sends them (Plivo: numbers). */
  readonly numeric: boolean;
}

const PLATFORMS: readonly Platform[] = [
  {
    name: 'twilio',
    make: (o) => new TwilioDecoder(o),
    streamKey: 'streamSid',
    seqKey: 'sequenceNumber',
    numeric: false,
    starts: [{ event: 'start', sequenceNumber: '1', streamSid: SID, start: { streamSid: SID, callSid: 'CA1', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }],
  },
  {
    name: 'signalwire',
    make: (o) => new SignalWireDecoder(o),
    streamKey: 'streamSid',
    seqKey: 'sequenceNumber',
    numeric: false,
    starts: [{ event: 'start', sequenceNumber: '1', streamSid: SID, start: { streamSid: SID, callSid: 'c1', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }],
  },
  {
    name: 'telnyx',
    make: (o) => new TelnyxDecoder(o),
    streamKey: 'stream_id',
    seqKey: 'sequence_number',
    numeric: false,
    starts: ['PCMU', 'L16'].map((encoding) => ({ event: 'start', sequence_number: '1', stream_id: SID, start: { call_control_id: 'v3:x', media_format: { encoding, sample_rate: encoding === 'L16' ? 16000 : 8000, channels: 1 } } })),
  },
  {
    name: 'plivo',
    make: (o) => new PlivoDecoder(o),
    streamKey: 'streamId',
    seqKey: 'sequenceNumber',
    numeric: true,
    starts: ['audio/x-mulaw', 'audio/x-l16'].map((encoding) => ({ event: 'start', sequenceNumber: 1, start: { callId: 'p1', streamId: SID, tracks: ['inbound'], mediaFormat: { encoding, sampleRate: 8000 } } })),
  },
  {
    name: 'exotel',
    make: (o) => new ExotelDecoder(o),
    streamKey: 'stream_sid',
    seqKey: 'sequence_number',
    numeric: false,
    starts: [{ event: 'start', sequence_number: '1', stream_sid: SID, start: { stream_sid: SID, call_sid: 'CA1', media_format: { encoding: 'audio/x-raw', sample_rate: '8000', bit_rate: '16' } } }],
  },
];

const OPTIONS = { maxMessageBytes: 8192 };

/** A result as comparable data: the payload's bytes as hex (Buffers of a pool compare by content). */
function canon(r: DecodeResult): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' ? `hex:${Buffer.from((v as { data: number[] }).data).toString('hex')}` : v)));
}

// ---- generators ------------------------------------------------------------------------------

const counterValue = (numeric: boolean): fc.Arbitrary<Json> =>
  fc.oneof(
    { arbitrary: fc.nat({ max: 1e6 }).map((n) => (numeric ? n : String(n))), weight: 6 },
    { arbitrary: fc.constantFrom<Json>('0', '007', '', '-1', '1.5', '1e3', ' 7', '123456789012345', '1234567890123456', 0, 7, 1e15, 123456789012345, 1.5, -1), weight: 2 },
  );
const payloadValue: fc.Arbitrary<Json> = fc.oneof({ arbitrary: base64Of(330), weight: 6 }, { arbitrary: badBase64, weight: 2 }, { arbitrary: fc.constantFrom<Json>('', 'AAA=', 'AA==', 'AB==', 'AE==', 'A===', '====', 'AAAA', 'QUJD', 5), weight: 1 });
const streamValue = fc.oneof({ arbitrary: fc.constant<Json>(SID), weight: 8 }, { arbitrary: fc.constantFrom<Json>('MZ0', '', 7, `${SID} `), weight: 1 });
const trackValue = fc.constantFrom<Json | undefined>('inbound', 'inbound', 'inbound', 'outbound', 'inbound_track', undefined, 1);

/** A media or mark message as an object, in a generated key order, some keys left out. */
function message(p: Platform): fc.Arbitrary<Record<string, Json>> {
  const media = fc
    .record({ seq: counterValue(p.numeric), ts: counterValue(p.numeric), chunk: counterValue(p.numeric), track: trackValue, payload: payloadValue, stream: streamValue, order: fc.nat(), drop: fc.nat({ max: 12 }) })
    .map(({ seq, ts, chunk, track, payload, stream, order, drop }) => {
      const inner: [string, Json | undefined][] = [['track', track], ['chunk', chunk], ['timestamp', ts], ['payload', payload]];
      const outer: [string, Json | undefined][] = [['event', 'media'], [p.seqKey, seq], [p.streamKey, stream], ['media', defined(rotate(inner, order))]];
      return defined(rotate(outer, order >> 2).filter(([k], i) => !(drop === i + 1 && k !== 'event')));
    });
  const mark = fc.record({ name: fc.oneof(fc.constantFrom<Json>('3.17', '0.0', '', 'a"b', 'é', 7), fc.string({ maxLength: 12 })), stream: streamValue, order: fc.nat() }).map(({ name, stream, order }) =>
    Object.fromEntries(rotate<[string, Json]>([['event', 'mark'], [p.seqKey, p.numeric ? 5 : '5'], [p.streamKey, stream], ['mark', { name }]], order)),
  );
  return fc.oneof({ arbitrary: media, weight: 3 }, { arbitrary: mark, weight: 1 });
}

function defined(entries: readonly [string, Json | undefined][]): Record<string, Json> {
  const o: Record<string, Json> = {};
  for (const [k, v] of entries) if (v !== undefined) o[k] = v;
  return o;
}

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/** Text-level changes JSON.parse reads differently from a naive scan: escapes, whitespace, repeats. */
const jsonTricks = (t: string): fc.Arbitrary<string> =>
  fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(' ', '\n', '\t', '\\/', '\\u0022', '\\"', '\\\\', 'é', '\u0001', '0', '.5', 'e1', '-', 'null', '{}', '[]')).map(([at, how, s]) => {
    const i = t.length === 0 ? 0 : at % t.length;
    switch (how) {
      case 0:
        return `${t.slice(0, i)}${s}${t.slice(i)}`; // inserted anywhere
      case 1: {
        const c = t.charCodeAt(i); // a character written as its \u escape
        return `${t.slice(0, i)}\\u${c.toString(16).padStart(4, '0')}${t.slice(i + 1)}`;
      }
      case 2: {
        // A key repeated with another value, before or after the original (JSON.parse keeps the last).
        const pairs = ['"payload":"AAAA"', '"event":"mark"', '"event":"media"', '"timestamp":"9"', '"sequenceNumber":"7"', '"sequence_number":"7"', `"streamSid":"MZ0"`, '"stream_id":"MZ0"', '"streamId":"MZ0"', '"stream_sid":"MZ0"', '"name":"x"', '"track":"outbound"', '"media":{"payload":"AAAA"}', '"mark":{"name":"y"}'];
        const pair = pairs[at % pairs.length]!;
        const where = [/^\{/, /"(media|mark)":\{/, /\}$/, /\}/][(at >> 4) % 4]!;
        return t.replace(where, (m) => (m.startsWith('}') ? `,${pair}${m}` : `${m}${pair},`));
      }
      case 3:
        return t.replace(/"(event|payload|name|track)":"/, (_m, k: string) => `"${k}":"${s}`);
      case 4:
        return `${t}${s}`; // something after the message
      case 5:
        return t.replace('"media"', '"mark"').replace('"mark":{', '"media":{'); // events and objects swapped
      case 6:
        return t.replace(/"(\w+)":/, (_m, k: string) => `"${k}${s}":`); // a key changed
      case 7:
        return t.replace(/":(\d)/, '":0$1'); // a leading zero: not JSON
      default:
        return t.slice(0, i); // cut
    }
  });

function frames(p: Platform): fc.Arbitrary<Buffer[]> {
  const msg = message(p);
  const text = fc.oneof(
    { arbitrary: msg.map((o) => JSON.stringify(o)), weight: 4 },
    { arbitrary: mutateObject(msg).map((o) => JSON.stringify(o)), weight: 2 },
    { arbitrary: msg.chain((o) => jsonTricks(JSON.stringify(o))), weight: 4 },
    { arbitrary: damageText(msg.map((o) => JSON.stringify(o))), weight: 1 },
    { arbitrary: fc.tuple(msg, wrongValue).map(([o, v]) => JSON.stringify({ ...o, media: v })), weight: 1 },
    { arbitrary: fc.constantFrom('{"event":"stop"}', `{"event":"stop","${p.streamKey}":"${SID}"}`, '{}', '{"event":"media"}'), weight: 1 },
  );
  return fc.array(text.map((s) => Buffer.from(s, 'utf8')), { minLength: 1, maxLength: 12 });
}

// ---- the properties --------------------------------------------------------------------------

const shapeOf = (d: JsonStreamDecoder): JsonStreamShape => d.shape;

describe('JSON fast path ≡ full decoder', () => {
  for (const p of PLATFORMS) {
    it(`${p.name}: identical results over generated, mutated and damaged frames`, () => {
      let answered = 0;
      let accepted = 0;
      fc.assert(
        fc.property(fc.nat({ max: p.starts.length - 1 }), fc.nat({ max: 9 }), frames(p), (which, opening, fs) => {
          const fast = p.make(OPTIONS);
          const full = p.make({ ...OPTIONS, fastPath: false });
          const start = Buffer.from(JSON.stringify(p.starts[which]));
          if (opening > 0) {
            expect(canon(fast.decode(start, false))).toEqual(canon(full.decode(start, false)));
          }
          const shape = shapeOf(full);
          const alone = new JsonFastPath({ ...shape, media: shape.events['media'] === SHARED_EVENTS.media, mark: shape.events['mark'] === SHARED_EVENTS.mark });
          for (const f of fs) {
            const direct = full.start && !full.stopped ? alone.decode(f, full.start) : undefined;
            const want = canon(full.decode(f, false));
            expect(canon(fast.decode(f, false)), f.toString('latin1')).toEqual(want);
            expect(fast.stopped).toBe(full.stopped);
            if (typeof want === 'object' && want !== null && (want as { ok: boolean }).ok) accepted++;
            if (direct !== undefined) {
              answered++;
              expect(canon(direct), f.toString('latin1')).toEqual(want);
            }
          }
        }),
        { numRuns: 400, seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261207) },
      );
      // The property is about the fast path only where it answers: it must answer for most of
      // what the full decoder accepts (the rest: escapes, whitespace, an outbound track, …).
      expect(answered / accepted).toBeGreaterThan(0.35);
    });
  }
});

describe('JSON fast path on the wire as sent', () => {
  const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff));
  const b64 = payload.toString('base64');
  const started = (p: Platform) => {
    const d = p.make(OPTIONS);
    d.decode(Buffer.from(JSON.stringify(p.starts[0])), false);
    const s = shapeOf(d);
    return { d, fast: new JsonFastPath({ ...s, media: true, mark: s.events['mark'] === SHARED_EVENTS.mark }) };
  };
  const twilio = PLATFORMS[0]!;
  const plivo = PLATFORMS[3]!;

  it("takes Twilio's documented media and mark messages and the simulator's", () => {
    const { d, fast } = started(twilio);
    const documented = `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"${b64}"},"streamSid":"${SID}"}`;
    const sim = `{"event":"media","sequenceNumber":"4","streamSid":"${SID}","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"${b64}"}}`;
    expect(fast.decode(Buffer.from(documented), d.start!)).toEqual({ ok: true, events: [{ kind: 'media', payload, seq: 3, timestampMs: 5 }] });
    expect(fast.decode(Buffer.from(sim), d.start!)).toEqual({ ok: true, events: [{ kind: 'media', payload, seq: 4, timestampMs: 20 }] });
    const mark = `{"event":"mark","sequenceNumber":"5","streamSid":"${SID}","mark":{"name":"2.7"}}`;
    expect(fast.decode(Buffer.from(mark), d.start!)).toEqual({ ok: true, events: [{ kind: 'mark', name: '2.7' }] });
  });

  it("takes Plivo's numeric counters", () => {
    const { d, fast } = started(plivo);
    const sim = `{"event":"media","sequenceNumber":9,"streamId":"${SID}","media":{"track":"inbound","timestamp":"160","chunk":3,"payload":"${b64}"},"extra_headers":"{}"}`;
    expect(fast.decode(Buffer.from(sim), d.start!)).toEqual({ ok: true, events: [{ kind: 'media', payload, seq: 9, timestampMs: 160 }] });
  });

  it('leaves to the full decoder what JSON.parse reads differently from the bytes', () => {
    const { d, fast } = started(twilio);
    const m = (media: string, head = `"event":"media","streamSid":"${SID}"`) => Buffer.from(`{${head},"media":{${media}}}`);
    const declined = [
      m(`"payload":"${b64.replace('/', '\\/')}"`), // an escaped slash: valid JSON, not plain
      m(`"payload":"${b64}"`, `"event":"media","streamSid":"${SID.replace('M', '\\u004d')}"`), // the same id, escaped
      m(`"payload":"${b64}","payload":"AAAA"`), // JSON.parse keeps the last
      m(`"payload":"${b64}"`, `"event":"media","event":"mark"`),
      m(`"payload": "${b64}"`), // whitespace
      m(`"payload":"${b64}","timestamp":"05x"`),
      m(`"payload":"${b64}","timestamp":1.0`), // a number JSON reads as 1
      m(`"payload":"${b64}","timestamp":07`), // not JSON
      m(`"payload":"${b64}","timestamp":"0123456789012345"`), // 16 digits
      Buffer.from(`{"event":"media","streamSid":"${SID}","media":{"payload":"${b64}"}}\n`), // something after the object
      m(`"payload":"${b64}"`, `"event":"media","streamSid":"MZother"`), // another stream: the full decoder's rejection
    ];
    for (const f of declined) expect(fast.decode(f, d.start!), f.toString()).toBeUndefined();
  });
});
