// Fuzz targets for the Asterisk AudioSocket and Vonage adapters. AudioSocket is a TCP byte
// stream: the generator builds messages (valid, wrong kinds, wrong lengths, truncated, huge),
// concatenates them and cuts the stream at random points, so the framer's reassembly is fuzzed
// with the decoder. Vonage: the connected message first (usually), then binary L16 and text
// events, mutated. Each target checks the protocol's rules, not only "never throws".
import fc from 'fast-check';
import { REJECT_REASONS, type DecodeResult } from '../src/telephony/index.js';
import { AudioSocketFramer } from '../src/telephony/audiosocket/framer.js';
import { AudioSocketDecoder } from '../src/telephony/audiosocket/decoder.js';
import { VonageDecoder } from '../src/telephony/vonage/decoder.js';
import { bytes, damageText, mutateObject, notAnObjectText, type Json } from './_fuzz-arb.js';
import { check, type FuzzTarget } from './_fuzz-target.js';
import { FUZZ_MAX_MESSAGE_BYTES, type WireFrame } from './_fuzz-telephony.js';

const KNOWN = new Set<string>(REJECT_REASONS);

function rejection(r: DecodeResult): string {
  if (r.ok) return '';
  check(KNOWN.has(r.reason), `unknown rejection reason '${r.reason}'`);
  check(r.detail.length <= 200, 'rejection detail too long: it may echo the payload');
  return `rejected:${r.reason}`;
}

// ---- AudioSocket ------------------------------------------------------------------------------

const header = (kind: number, len: number): Buffer => Buffer.from([kind, (len >> 8) & 0xff, len & 0xff]);
const asMsg = (kind: number, payload: Buffer): Buffer => Buffer.concat([header(kind, payload.length), payload]);

const asMessage: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: bytes(16, 16).map((b) => asMsg(0x01, b)), weight: 2 },
  { arbitrary: bytes(640, 1).map((b) => asMsg(0x10, b)), weight: 6 },
  { arbitrary: fc.constantFrom('0', '5', '#', '*', 'D', 'x', '').map((d) => asMsg(0x03, Buffer.from(d, 'latin1'))), weight: 1 },
  { arbitrary: fc.constant(asMsg(0x00, Buffer.alloc(0))), weight: 1 },
  { arbitrary: bytes(2).map((b) => asMsg(0xff, b)), weight: 1 },
  { arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), bytes(40)).map(([k, b]) => asMsg(k, b)), weight: 2 },
  { arbitrary: fc.integer({ min: FUZZ_MAX_MESSAGE_BYTES - 3, max: 0xffff }).map((n) => asMsg(0x10, Buffer.alloc(n))), weight: 1 },
);

export interface AudioSocketInput {
  readonly stream: Buffer;
  readonly cuts: readonly number[];
}

export const audiosocketConnection: fc.Arbitrary<AudioSocketInput> = fc
  .tuple(fc.nat({ max: 9 }), bytes(16, 16), fc.array(asMessage, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat({ max: 9 }), bytes(20))
  .map(([p, uuid, msgs, cuts, junk, tail]) => {
    const parts = p < 7 ? [asMsg(0x01, uuid), ...msgs] : msgs;
    if (junk === 0) parts.push(tail); // a torn message at the end of the stream
    return { stream: Buffer.concat(parts), cuts };
  });

export const audiosocketTarget: FuzzTarget<AudioSocketInput> = {
  protocol: 'audiosocket',
  arbitrary: audiosocketConnection,
  run({ stream, cuts }) {
    const framer = new AudioSocketFramer(FUZZ_MAX_MESSAGE_BYTES);
    const d = new AudioSocketDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES });
    const labels: string[] = [];
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    let at = 0;
    let started = false;
    let stopped = false;
    for (const end of [...points, stream.length]) {
      const out = framer.push(stream.subarray(at, end));
      at = end;
      for (const n of out.oversize) {
        check(n > FUZZ_MAX_MESSAGE_BYTES, 'a message within the bound was skipped as oversize');
        labels.push('rejected:oversize');
      }
      for (const m of out.messages) {
        check(m.length <= FUZZ_MAX_MESSAGE_BYTES && m.length === 3 + m.readUInt16BE(1), 'the framer cut a message wrongly');
        const r = d.decode(m, true);
        if (!r.ok) {
          labels.push(rejection(r));
          continue;
        }
        check(!stopped, 'accepted a message after hang-up');
        const ev = r.events[0]!;
        if (ev.kind === 'start') {
          check(!started, 'accepted a second UUID');
          check(ev.format.codec === 'pcm16' && ev.format.rate === 8000, 'AudioSocket start other than slin 8 kHz');
          started = true;
        } else {
          check(started, `${ev.kind} accepted before the UUID`);
          if (ev.kind === 'media') check(ev.payload.length > 0 && ev.payload.length % 2 === 0, 'odd or empty slin accepted');
          if (ev.kind === 'stop') stopped = true;
        }
        labels.push(`accepted:${ev.kind}`);
      }
    }
    check(framer.heldBytes < 3 + 0xffff, 'the framer holds more than one message');
    return labels;
  },
};

// ---- Vonage -----------------------------------------------------------------------------------

const text = (s: string): WireFrame => ({ data: Buffer.from(s, 'utf8'), binary: false });
const json = (o: Json): WireFrame => text(JSON.stringify(o));
const bin = (b: Buffer): WireFrame => ({ data: b, binary: true });

const vonageConnected = fc
  .tuple(fc.constantFrom('audio/l16;rate=16000', 'audio/l16;rate=8000', 'audio/l16;rate=24000', 'audio/pcmu', ''), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }))
  .map(([type, headers]): Record<string, Json> => ({ ...headers, event: 'websocket:connected', 'content-type': type }));
const vonageEvent: fc.Arbitrary<Record<string, Json>> = fc.oneof(
  fc.string({ maxLength: 12 }).map((mark): Record<string, Json> => ({ event: 'websocket:notify', payload: { mark } })),
  fc.constant<Record<string, Json>>({ event: 'websocket:cleared' }),
  fc.constantFrom('1', '#', 'A', '', '12', 'x').map((digit): Record<string, Json> => ({ event: 'websocket:dtmf', digit, duration: 250 })),
  vonageConnected,
);
const vonageFrame: fc.Arbitrary<WireFrame> = fc.oneof(
  { arbitrary: bytes(640).map(bin), weight: 6 },
  { arbitrary: vonageEvent.map(json), weight: 3 },
  { arbitrary: mutateObject(vonageEvent).map(json), weight: 2 },
  { arbitrary: damageText(vonageEvent.map((o) => JSON.stringify(o))).map(text), weight: 1 },
  { arbitrary: notAnObjectText.map(text), weight: 1 },
);

export const vonageConnection: fc.Arbitrary<WireFrame[]> = fc
  .tuple(fc.nat({ max: 9 }), vonageConnected, fc.array(vonageFrame, { minLength: 1, maxLength: 8 }))
  .map(([p, c, rest]) => (p < 7 ? [json(c), ...rest] : rest));

export const vonageTarget: FuzzTarget<WireFrame[]> = {
  protocol: 'vonage',
  arbitrary: vonageConnection,
  run(frames) {
    const d = new VonageDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES });
    const labels: string[] = [];
    let started = false;
    for (const f of frames) {
      const r = d.decode(f.data, f.binary);
      if (!r.ok) {
        labels.push(rejection(r));
        continue;
      }
      const ev = r.events[0]!;
      if (ev.kind === 'start') {
        check(!started, 'accepted a second websocket:connected');
        check(ev.format.codec === 'pcm16' && (ev.format.rate === 8000 || ev.format.rate === 16000), 'Vonage start other than L16 8/16 kHz');
        started = true;
      } else {
        check(started, `${ev.kind} accepted before websocket:connected`);
        if (ev.kind === 'media') check(f.binary && ev.payload.length > 0 && ev.payload.length % 2 === 0, 'odd, empty or text audio accepted');
        else check(!f.binary, 'a binary frame became an event');
      }
      labels.push(`accepted:${ev.kind}`);
    }
    return labels;
  },
};
