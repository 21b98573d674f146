// Grammar-aware generators for the two telephony wire protocols (Twilio Media Streams text
// frames; mod_audio_stream metadata + binary PCM16 frames) and the fuzz targets that feed them,
// frame by frame, to a fresh decoder per connection. Besides "never throws", each target checks
// the decoder against the protocol's rules: the order of start/media/stop, strict base64,
// even-length PCM, the size bound, and rejections that name a known reason and never echo
// the payload.
import fc from 'fast-check';
import { AudioStreamDecoder, REJECT_REASONS, TwilioDecoder, type DecodeResult } from '../src/telephony/index.js';
import { badBase64, base64Of, bytes, damageText, hugeString, mutateObject, notAnObjectText, wrongValue, type Json } from './_fuzz-arb.js';
import { check, type FuzzTarget } from './_fuzz-target.js';

/** A frame as the WebSocket delivers it. */
export interface WireFrame {
  readonly data: Buffer;
  readonly binary: boolean;
}

export const FUZZ_MAX_MESSAGE_BYTES = 65_536;
const KNOWN_REASONS = new Set<string>(REJECT_REASONS);

const text = (s: string): WireFrame => ({ data: Buffer.from(s, 'utf8'), binary: false });
const json = (o: Json): WireFrame => text(JSON.stringify(o));
const bin = (b: Buffer): WireFrame => ({ data: b, binary: true });

// ---- Twilio ----------------------------------------------------------------------------------

const SID = 'MZ0123456789abcdef0123456789abcdef';
const counter = fc.oneof(fc.nat({ max: 1e6 }).map(String), fc.constantFrom('0', '-1', '1.5', '1e3', ' 7', '99999999999999999999', ''), fc.nat());
const sidLike = fc.oneof(fc.constant(SID), fc.string({ maxLength: 40 }));

const twilioValid: Record<string, fc.Arbitrary<Record<string, Json>>> = {
  connected: fc.constant({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
  start: fc
    .record({ callSid: fc.string({ minLength: 1, maxLength: 40 }), params: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }) })
    .map(({ callSid, params }) => ({
      event: 'start',
      sequenceNumber: '1',
      streamSid: SID,
      start: {
        streamSid: SID,
        accountSid: 'AC00000000000000000000000000000000',
        callSid,
        tracks: ['inbound'],
        customParameters: params,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    })),
  media: fc.tuple(counter, counter, base64Of(400)).map(([seq, ts, payload]) => ({
    event: 'media',
    sequenceNumber: seq,
    streamSid: SID,
    media: { track: 'inbound', chunk: seq, timestamp: ts, payload },
  })),
  mark: fc.tuple(counter, fc.string({ maxLength: 30 })).map(([seq, name]) => ({ event: 'mark', sequenceNumber: seq, streamSid: SID, mark: { name } })),
  dtmf: fc.tuple(counter, fc.constantFrom('0', '5', '9', '*', '#', 'A', 'D', 'x', '10', '')).map(([seq, digit]) => ({
    event: 'dtmf',
    sequenceNumber: seq,
    streamSid: SID,
    dtmf: { track: 'inbound_track', digit },
  })),
  stop: counter.map((seq) => ({ event: 'stop', sequenceNumber: seq, streamSid: SID, stop: { accountSid: 'AC0', callSid: 'CA0' } })),
};
const anyTwilioValid = fc.oneof(...Object.values(twilioValid));

export const twilioFrame: fc.Arbitrary<WireFrame> = fc.oneof(
  { arbitrary: anyTwilioValid.map(json), weight: 5 },
  { arbitrary: mutateObject(anyTwilioValid).map(json), weight: 4 },
  { arbitrary: damageText(anyTwilioValid.map((o) => JSON.stringify(o))).map(text), weight: 2 },
  { arbitrary: fc.tuple(twilioValid['media']!, badBase64).map(([m, p]) => json({ ...m, media: { ...(m['media'] as Record<string, Json>), payload: p } })), weight: 2 },
  { arbitrary: notAnObjectText.map(text), weight: 1 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 20 }), sidLike, wrongValue).map(([event, sid, v]) => json({ event, streamSid: sid, media: v })), weight: 1 },
  { arbitrary: bytes(400).map(bin), weight: 1 },
  { arbitrary: fc.tuple(twilioValid['mark']!, hugeString(1000, FUZZ_MAX_MESSAGE_BYTES + 2000)).map(([m, s]) => json({ ...m, mark: { name: s } })), weight: 1 },
);

/** One connection: usually a proper greeting first, then anything. */
export const twilioConnection: fc.Arbitrary<WireFrame[]> = fc
  .tuple(fc.nat({ max: 9 }), twilioValid['start']!, fc.array(twilioFrame, { minLength: 1, maxLength: 8 }))
  .map(([p, start, rest]) => (p < 7 ? [json({ event: 'connected', protocol: 'Call', version: '1.0.0' }), json(start), ...rest] : rest));

export function checkRejection(r: DecodeResult, frame: WireFrame): string {
  if (r.ok) return '';
  check(KNOWN_REASONS.has(r.reason), `unknown rejection reason '${r.reason}'`);
  check(typeof r.detail === 'string' && r.detail.length <= 200, `rejection detail too long (${r.detail.length}): it may echo the payload`);
  if (frame.data.length > FUZZ_MAX_MESSAGE_BYTES) check(r.reason === 'oversize', `frame of ${frame.data.length} B not refused as oversize`);
  return `rejected:${r.reason}`;
}

export const twilioTarget: FuzzTarget<WireFrame[]> = {
  protocol: 'twilio',
  arbitrary: twilioConnection,
  run(frames) {
    const d = new TwilioDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES });
    const labels: string[] = [];
    let started = false;
    let stopped = false;
    for (const f of frames) {
      const r = d.decode(f.data, f.binary);
      if (!r.ok) {
        labels.push(checkRejection(r, f));
        continue;
      }
      check(!f.binary, 'Twilio accepted a binary frame');
      check(f.data.length <= FUZZ_MAX_MESSAGE_BYTES, 'accepted an oversize frame');
      check(!stopped, 'accepted a message after stop');
      check(r.events.length === 1, 'a Twilio frame yields exactly one event');
      const ev = r.events[0]!;
      switch (ev.kind) {
        case 'start':
          check(!started, 'accepted a second start');
          check(ev.format.codec === 'mulaw' && ev.format.rate === 8000, 'start with a format other than µ-law 8 kHz');
          check(typeof ev.callId === 'string' && typeof ev.streamId === 'string', 'start without ids');
          started = true;
          break;
        case 'media':
          check(started, 'media accepted before start');
          check(Buffer.isBuffer(ev.payload) && ev.payload.length > 0, 'media with an empty payload');
          check(Number.isSafeInteger(ev.seq) && ev.seq >= 0 && Number.isFinite(ev.timestampMs) && ev.timestampMs >= 0, 'media with a bad counter');
          break;
        case 'mark':
        case 'dtmf':
          check(started, `${ev.kind} accepted before start`);
          if (ev.kind === 'dtmf') check(/^[0-9*#A-D]$/.test(ev.digit), `dtmf digit '${ev.digit}' accepted`);
          break;
        case 'stop':
          check(started, 'stop accepted before start');
          stopped = true;
          check(d.stopped, 'decoder not stopped after stop');
          break;
        case 'connected':
          break;
        default:
          check(false, `Twilio decoder produced a '${ev.kind}' event`);
      }
      labels.push(`accepted:${ev.kind}`);
    }
    return labels;
  },
};

// ---- mod_audio_stream ------------------------------------------------------------------------

const metadataValid: fc.Arbitrary<Record<string, Json>> = fc
  .record(
    {
      callId: fc.string({ minLength: 1, maxLength: 36 }),
      sampleRate: fc.constantFrom(8000, 16000),
      channels: fc.constant(1),
      extra: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
    },
    { requiredKeys: [] },
  )
  .map((o) => ({ ...o }) as Record<string, Json>);

const pcm = fc.oneof(
  { arbitrary: bytes(400, 1).map((b) => Buffer.concat([b, b])), weight: 5 }, // even: valid PCM16
  { arbitrary: bytes(800, 1).map((b) => (b.length % 2 === 0 ? b.subarray(1) : b)), weight: 2 }, // odd length
  { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
  { arbitrary: fc.integer({ min: FUZZ_MAX_MESSAGE_BYTES - 4, max: FUZZ_MAX_MESSAGE_BYTES + 4 }).map((n) => Buffer.alloc(n, 1)), weight: 1 },
);

export const audioStreamFrame: fc.Arbitrary<WireFrame> = fc.oneof(
  { arbitrary: pcm.map(bin), weight: 6 },
  { arbitrary: metadataValid.map(json), weight: 2 },
  { arbitrary: mutateObject(metadataValid).map(json), weight: 2 },
  { arbitrary: damageText(metadataValid.map((o) => JSON.stringify(o))).map(text), weight: 1 },
  { arbitrary: notAnObjectText.map(text), weight: 1 },
  { arbitrary: fc.string({ maxLength: 60 }).map(text), weight: 1 },
  { arbitrary: hugeString(1000, FUZZ_MAX_MESSAGE_BYTES + 2000).map((s) => text(JSON.stringify({ callId: s }))), weight: 1 },
);

export const audioStreamConnection: fc.Arbitrary<WireFrame[]> = fc
  .tuple(fc.nat({ max: 9 }), metadataValid, fc.array(audioStreamFrame, { minLength: 1, maxLength: 8 }))
  .map(([p, meta, rest]) => (p < 6 ? [json(meta), ...rest] : rest));

export const audioStreamTarget: FuzzTarget<WireFrame[]> = {
  protocol: 'audio-stream',
  arbitrary: audioStreamConnection,
  run(frames) {
    const d = new AudioStreamDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES, defaultSampleRate: 8000 });
    const labels: string[] = [];
    let started = false;
    for (const f of frames) {
      const r = d.decode(f.data, f.binary);
      if (!r.ok) {
        labels.push(checkRejection(r, f));
        if (f.binary) check(r.reason !== 'bad_json' && r.reason !== 'not_object', `binary frame rejected as ${r.reason}`);
        continue;
      }
      check(f.data.length <= FUZZ_MAX_MESSAGE_BYTES, 'accepted an oversize frame');
      check(r.events.length >= 1 && r.events.length <= 2, 'a frame yields one event (two: the implicit start and its audio)');
      for (const ev of r.events) {
        switch (ev.kind) {
          case 'start':
            check(!started, 'a second start');
            check(ev.format.codec === 'pcm16' && (ev.format.rate === 8000 || ev.format.rate === 16000), 'start with an unsupported format');
            check(ev.callId.length > 0, 'start with an empty call id');
            started = true;
            break;
          case 'media':
            check(started, 'audio before start');
            check(f.binary && ev.payload.length > 0 && ev.payload.length % 2 === 0, 'accepted PCM16 of odd or zero length');
            break;
          case 'text':
            check(started && !f.binary, 'text event before start or from a binary frame');
            break;
          default:
            check(false, `audio-stream decoder produced a '${ev.kind}' event`);
        }
        labels.push(`accepted:${ev.kind}`);
      }
    }
    return labels;
  },
};
