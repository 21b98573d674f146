// Grammar-aware fuzz targets for the JSON telephony platforms (Telnyx, Plivo, Exotel) and
// Asterisk chan_websocket (text control + binary media): each connection's frames go to a fresh
// decoder, which must answer by the platform's rules — start once and before anything else, a
// format the media core speaks, non-empty audio of whole samples, DTMF digits, nothing after
// stop, rejections by a known reason that never echo the payload — and never throw.
import fc from 'fast-check';
import { TELEPHONY_FORMATS } from '../src/media/types.js';
import type { InboundDecoder } from '../src/telephony/types.js';
import { TelnyxDecoder } from '../src/telephony/telnyx/decoder.js';
import { PlivoDecoder } from '../src/telephony/plivo/decoder.js';
import { ExotelDecoder } from '../src/telephony/exotel/decoder.js';
import { AsteriskDecoder } from '../src/telephony/asterisk/decoder.js';
import { SignalWireDecoder } from '../src/telephony/signalwire/decoder.js';
import { badBase64, base64Of, bytes, damageText, hugeString, mutateObject, notAnObjectText, type Json } from './_fuzz-arb.js';
import { check, type FuzzTarget } from './_fuzz-target.js';
import { checkRejection, FUZZ_MAX_MESSAGE_BYTES, type WireFrame } from './_fuzz-telephony.js';

const text = (s: string): WireFrame => ({ data: Buffer.from(s, 'utf8'), binary: false });
const json = (o: Json): WireFrame => text(JSON.stringify(o));
const bin = (b: Buffer): WireFrame => ({ data: b, binary: true });

const counter = fc.oneof(fc.nat({ max: 1e6 }).map(String), fc.constantFrom('0', '-1', '1.5', ' 7', '99999999999999999999', ''), fc.nat());
const digit = fc.constantFrom('0', '5', '9', '*', '#', 'A', 'D', 'x', '10', '');
const markName = fc.string({ maxLength: 30 });
const SID = 'MZ0123456789abcdef';

/** Checks one accepted frame's events against the rules every platform shares. */
class Rules {
  started = false;
  stopped = false;
  constructor(
    private readonly d: InboundDecoder,
    private readonly textOnly: boolean,
  ) {}

  accepted(f: WireFrame, events: readonly { kind: string }[], labels: string[]): void {
    if (this.textOnly) check(!f.binary, 'accepted a binary frame');
    check(f.data.length <= FUZZ_MAX_MESSAGE_BYTES, 'accepted an oversize frame');
    check(!this.stopped, 'accepted a message after stop');
    check(events.length <= 1, 'a frame yields at most one event');
    for (const ev of events) {
      const e = ev as Record<string, unknown> & { kind: string };
      switch (e.kind) {
        case 'start': {
          check(!this.started, 'accepted a second start');
          const f = e['format'] as { codec: string; rate: number };
          check(TELEPHONY_FORMATS.some((t) => t.codec === f.codec && t.rate === f.rate), `start with format ${f.codec}/${f.rate}`);
          check(typeof e['callId'] === 'string' && typeof e['streamId'] === 'string', 'start without ids');
          this.started = true;
          break;
        }
        case 'media': {
          check(this.started, 'media accepted before start');
          const p = e['payload'] as Buffer;
          check(Buffer.isBuffer(p) && p.length > 0, 'media with an empty payload');
          if (this.d.start?.format.codec === 'pcm16') check(p.length % 2 === 0, 'PCM16 media of odd length');
          break;
        }
        case 'mark':
          check(this.started, 'a report accepted before start');
          break;
        case 'dtmf':
          check(this.started, 'dtmf accepted before start');
          check(/^[0-9*#A-D]$/.test(String(e['digit'])), `dtmf digit '${String(e['digit'])}' accepted`);
          break;
        case 'stop':
          check(this.started, 'stop accepted before start');
          check(this.d.stopped, 'decoder not stopped after stop');
          this.stopped = true;
          break;
        case 'connected':
        case 'text':
          break;
        default:
          check(false, `decoder produced a '${e.kind}' event`);
      }
      labels.push(`accepted:${e.kind}`);
    }
    if (events.length === 0) labels.push('accepted:nothing');
  }
}

interface JsonPlatform {
  readonly protocol: string;
  make(): InboundDecoder;
  readonly opening: fc.Arbitrary<Record<string, Json>[]>;
  readonly valid: Readonly<Record<string, fc.Arbitrary<Record<string, Json>>>>;
}

function jsonTarget(p: JsonPlatform): FuzzTarget<WireFrame[]> {
  const anyValid = fc.oneof(...Object.values(p.valid));
  const media = p.valid['media']!;
  const frame: fc.Arbitrary<WireFrame> = fc.oneof(
    { arbitrary: anyValid.map(json), weight: 5 },
    { arbitrary: mutateObject(anyValid).map(json), weight: 4 },
    { arbitrary: damageText(anyValid.map((o) => JSON.stringify(o))).map(text), weight: 2 },
    { arbitrary: fc.tuple(media, badBase64).map(([m, b]) => json({ ...m, media: { ...(m['media'] as Record<string, Json>), payload: b } })), weight: 2 },
    { arbitrary: notAnObjectText.map(text), weight: 1 },
    { arbitrary: bytes(400).map(bin), weight: 1 },
    { arbitrary: fc.tuple(media, hugeString(1000, FUZZ_MAX_MESSAGE_BYTES + 2000)).map(([m, s]) => json({ ...m, pad: s })), weight: 1 },
  );
  return {
    protocol: p.protocol,
    arbitrary: fc
      .tuple(fc.nat({ max: 9 }), p.opening, fc.array(frame, { minLength: 1, maxLength: 8 }))
      .map(([n, open, rest]) => (n < 7 ? [...open.map(json), ...rest] : rest)),
    run(frames) {
      const d = p.make();
      const rules = new Rules(d, true);
      const labels: string[] = [];
      for (const f of frames) {
        const r = d.decode(f.data, f.binary);
        if (r.ok) rules.accepted(f, r.events, labels);
        else labels.push(checkRejection(r, f));
      }
      return labels;
    },
  };
}

const make = <T extends InboundDecoder>(C: new (o: { maxMessageBytes: number }) => T) => () => new C({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES });

// ---- Telnyx ----------------------------------------------------------------------------------

const telnyxStart = fc
  .tuple(fc.constantFrom('PCMU', 'PCMA', 'L16', 'G722', 'OPUS'), fc.constantFrom(8000, 16000, 24000), fc.string({ minLength: 1, maxLength: 40 }))
  .map(([encoding, rate, id]) => ({
    event: 'start',
    sequence_number: '1',
    stream_id: SID,
    start: { call_control_id: id, user_id: 'u', custom_parameters: { a: 'b' }, media_format: { encoding, sample_rate: rate, channels: 1 } },
  }));
export const telnyxTarget = jsonTarget({
  protocol: 'telnyx',
  make: make(TelnyxDecoder),
  opening: telnyxStart.map((s) => [{ event: 'connected', version: '1.0.0' }, s]),
  valid: {
    connected: fc.constant({ event: 'connected', version: '1.0.0' }),
    start: telnyxStart,
    media: fc.tuple(counter, fc.constantFrom('inbound', 'outbound'), base64Of(400)).map(([seq, track, payload]) => ({ event: 'media', sequence_number: seq, stream_id: SID, media: { track, chunk: seq, timestamp: seq, payload } })),
    mark: markName.map((name) => ({ event: 'mark', stream_id: SID, mark: { name } })),
    dtmf: digit.map((d) => ({ event: 'dtmf', stream_id: SID, dtmf: { digit: d } })),
    error: fc.string({ maxLength: 40 }).map((detail) => ({ event: 'error', stream_id: SID, payload: { code: 100002, title: 'unknown_error', detail } })),
    stop: fc.constant({ event: 'stop', stream_id: SID, stop: { call_control_id: 'v3:x' } }),
  },
});

// ---- Plivo -----------------------------------------------------------------------------------

const plivoStart = fc
  .tuple(fc.constantFrom('audio/x-mulaw', 'audio/x-l16', 'audio/x-alaw'), fc.constantFrom(8000, 16000, 24000), fc.string({ minLength: 1, maxLength: 40 }))
  .map(([encoding, sampleRate, id]) => ({
    event: 'start',
    sequenceNumber: 1,
    start: { callId: id, streamId: SID, accountId: 'MA0', tracks: ['inbound'], mediaFormat: { encoding, sampleRate } },
    extra_headers: 'a=1;b=2',
  }));
export const plivoTarget = jsonTarget({
  protocol: 'plivo',
  make: make(PlivoDecoder),
  opening: plivoStart.map((s) => [s]),
  valid: {
    start: plivoStart,
    media: fc.tuple(fc.nat(), fc.constantFrom('inbound', 'outbound'), base64Of(400)).map(([seq, track, payload]) => ({ event: 'media', sequenceNumber: seq, streamId: SID, media: { track, timestamp: String(seq), chunk: seq, payload } })),
    played: markName.map((name) => ({ event: 'playedStream', streamId: SID, name })),
    cleared: fc.constant({ event: 'clearedAudio', streamId: SID }),
    dtmf: digit.map((d) => ({ event: 'dtmf', streamId: SID, dtmf: { track: 'inbound', digit: d } })),
    stop: fc.constant({ event: 'stop', streamId: SID }),
  },
});

// ---- Exotel ----------------------------------------------------------------------------------

const exotelStart = fc
  .tuple(fc.constantFrom('8000', '16000', '24000', 8000), fc.constantFrom('audio/x-raw', 'audio/x-mulaw'), fc.string({ minLength: 1, maxLength: 40 }))
  .map(([sample_rate, encoding, id]) => ({
    event: 'start',
    sequence_number: '1',
    stream_sid: SID,
    start: { stream_sid: SID, call_sid: id, account_sid: 'AC0', custom_parameters: { k: 'v' }, media_format: { encoding, sample_rate, bit_rate: '16' } },
  }));
export const exotelTarget = jsonTarget({
  protocol: 'exotel',
  make: make(ExotelDecoder),
  opening: exotelStart.map((s) => [{ event: 'connected' }, s]),
  valid: {
    connected: fc.constant({ event: 'connected' }),
    start: exotelStart,
    media: fc.tuple(counter, base64Of(400)).map(([seq, payload]) => ({ event: 'media', sequence_number: seq, stream_sid: SID, media: { chunk: seq, timestamp: seq, payload } })),
    mark: markName.map((name) => ({ event: 'mark', stream_sid: SID, mark: { name } })),
    dtmf: digit.map((d) => ({ event: 'dtmf', stream_sid: SID, dtmf: { digit: d, duration: '100' } })),
    stop: fc.constant({ event: 'stop', stream_sid: SID, stop: { call_sid: 'CA0', reason: 'callended' } }),
  },
});

// ---- Asterisk chan_websocket -----------------------------------------------------------------

const astFormat = fc.constantFrom('ulaw', 'alaw', 'slin', 'slin16', 'g722', 'opus', '');
const frameSize = fc.constantFrom(160, 320, 640, 80, 0);
const mediaStartPlain = fc
  .tuple(astFormat, frameSize, fc.constantFrom('20', '30', 'x'))
  .map(([format, size, ptime]) => `MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1733.1 format:${format} optimal_frame_size:${size} ptime:${ptime}`);
const mediaStartJson = fc
  .tuple(astFormat, frameSize, fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }))
  .map(([format, size, vars]) => JSON.stringify({ event: 'MEDIA_START', connection_id: 'c1', channel: 'WebSocket/c1/0x1', channel_id: '1733.1', format, optimal_frame_size: size, ptime: 20, channel_variables: vars }));
const asteriskControl = fc.oneof(
  mediaStartPlain,
  mediaStartJson,
  markName.map((n) => `MEDIA_MARK_PROCESSED ${n}`),
  markName.map((n) => JSON.stringify({ event: 'MEDIA_MARK_PROCESSED', channel_id: '1733.1', correlation_id: n })),
  digit.map((d) => `DTMF_END digit:${d} channel_id:1733.1`),
  fc.constantFrom('MEDIA_XOFF', 'MEDIA_XON', 'QUEUE_DRAINED', 'STATUS channel_id:1 queue_length:3', 'ERROR channel_id:1 error_text:Unable to parse JSON command', 'HANGUP', 'MEDIA_MARK_PROCESSED'),
);
const asteriskFrame: fc.Arbitrary<WireFrame> = fc.oneof(
  { arbitrary: fc.constantFrom(160, 320, 640).chain((n) => bytes(n, n)).map(bin), weight: 5 },
  { arbitrary: bytes(700).map(bin), weight: 2 },
  { arbitrary: asteriskControl.map(text), weight: 4 },
  { arbitrary: damageText(asteriskControl).map(text), weight: 2 },
  { arbitrary: notAnObjectText.map(text), weight: 1 },
  { arbitrary: fc.string({ maxLength: 60 }).map(text), weight: 1 },
  { arbitrary: fc.integer({ min: FUZZ_MAX_MESSAGE_BYTES - 4, max: FUZZ_MAX_MESSAGE_BYTES + 4 }).map((n) => bin(Buffer.alloc(n, 0x7f))), weight: 1 },
);
export const asteriskTarget: FuzzTarget<WireFrame[]> = {
  protocol: 'asterisk',
  arbitrary: fc
    .tuple(fc.nat({ max: 9 }), fc.oneof(mediaStartPlain, mediaStartJson), fc.array(asteriskFrame, { minLength: 1, maxLength: 8 }))
    .map(([n, start, rest]) => (n < 7 ? [text(start), ...rest] : rest)),
  run(frames) {
    const d = new AsteriskDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES });
    const rules = new Rules(d, false);
    const labels: string[] = [];
    for (const f of frames) {
      const r = d.decode(f.data, f.binary);
      if (!r.ok) {
        labels.push(checkRejection(r, f));
        if (f.binary) check(r.reason !== 'bad_json' && r.reason !== 'unknown_event', `binary frame rejected as ${r.reason}`);
        continue;
      }
      for (const ev of r.events) if (ev.kind === 'media') check(f.binary, 'media from a text frame');
      rules.accepted(f, r.events, labels);
    }
    return labels;
  },
};

// ---- SignalWire (Twilio-compatible cXML <Stream>) --------------------------------------------

const signalwireStart = fc
  .tuple(fc.constantFrom('audio/x-mulaw', 'audio/x-l16', 'audio/x-alaw'), fc.constantFrom(8000, 16000, 24000), fc.string({ minLength: 1, maxLength: 40 }))
  .map(([encoding, sampleRate, callSid]) => ({
    event: 'start',
    sequenceNumber: '1',
    streamSid: SID,
    start: { streamSid: SID, accountSid: 'p0', callSid, tracks: ['inbound'], customParameters: { k: 'v' }, mediaFormat: { encoding, sampleRate, channels: 1 } },
  }));
export const signalwireTarget = jsonTarget({
  protocol: 'signalwire',
  make: make(SignalWireDecoder),
  opening: signalwireStart.map((s) => [{ event: 'connected', protocol: 'Call', version: '1.0.0' }, s]),
  valid: {
    connected: fc.constant({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
    start: signalwireStart,
    media: fc.tuple(counter, base64Of(400)).map(([seq, payload]) => ({ event: 'media', sequenceNumber: seq, streamSid: SID, media: { track: 'inbound', chunk: seq, timestamp: seq, payload } })),
    mark: markName.map((name) => ({ event: 'mark', streamSid: SID, mark: { name } })),
    dtmf: digit.map((d) => ({ event: 'dtmf', streamSid: SID, dtmf: { track: 'inbound_track', digit: d } })),
    stop: fc.constant({ event: 'stop', streamSid: SID, stop: { accountSid: 'p0', callSid: 'c0' } }),
  },
});

export const PLATFORM_TARGETS = [telnyxTarget, plivoTarget, exotelTarget, asteriskTarget, signalwireTarget] as const;
