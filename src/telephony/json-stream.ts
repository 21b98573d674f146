// One decoder skeleton for the JSON media-stream platforms (Twilio, Telnyx, Plivo, Exotel and the
// Twilio-compatible ones): the envelope checks they all make (size, text frames only, a JSON
// object with a string `event`, nothing after stop, one start, later events only for this
// stream) and the events they share in shape (media, mark, dtmf, stop). A platform gives a
// JsonStreamShape — its field names, its start reader, its event map — and nothing else. Plain
// media and mark messages (nearly all of a call's traffic) take json-fast-path.ts first, which
// answers exactly as the readers here would, or leaves the message to them.
import { isRecord, parseJson } from '../base/wire.js';
import { frameBuffer, frameLength, reject } from './frames.js';
import { JsonFastPath } from './json-fast-path.js';
import { counter, digit, isRejection, obj, ok, optStr, payload, str, type Obj } from './fields.js';
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame, Rejection, TelephonyProtocol } from './types.js';

/** Reads one event (the message is a JSON object whose `event` named this reader). */
export type EventReader = (d: JsonStreamDecoder, msg: Obj) => DecodeResult;

export interface JsonStreamShape {
  readonly protocol: TelephonyProtocol;
  /** The platform as named in a refusal ("Twilio Media Streams"). */
  readonly name: string;
  /** The envelope field naming the stream ('streamSid', 'stream_id', …): later events must match it. */
  readonly streamKey: string;
  /** The envelope's sequence counter ('sequenceNumber', 'sequence_number'). */
  readonly seqKey: string;
  /** Reads a start message into the call's start (the skeleton refuses a second one). */
  readStart(msg: Obj): CallStart | Rejection;
  /**
   * media.track: 'ignore' — not read; 'check' — a string when present; 'caller' — also, an
   * `outbound` track (what the caller hears, sent with both_tracks) yields nothing.
   */
  readonly track: 'ignore' | 'check' | 'caller';
  /** Caller audio as the media core takes it (e.g. L16 from network byte order); default as sent. */
  toCore?(bytes: Buffer, start: CallStart): Buffer;
  /** The key of the call id in the stop body (`stop.callSid`); undefined: the body is not read. */
  readonly stopCallKey?: string;
  /** Event name → reader; an event not listed is `unknown_event`. */
  readonly events: Readonly<Record<string, EventReader>>;
}

/** The readers most JSON platforms share: their events carry `media`, `mark`, `dtmf` objects. */
export const SHARED_EVENTS = {
  start: (d, msg) => d.onStart(msg),
  media: (d, msg) => d.media(msg),
  mark: (d, msg) => d.mark(msg),
  dtmf: (d, msg) => d.dtmf(msg),
  stop: (d, msg) => d.stop(msg),
} as const satisfies Record<string, EventReader>;

export class JsonStreamDecoder implements InboundDecoder {
  readonly protocol: TelephonyProtocol;
  start: CallStart | undefined;
  stopped = false;
  private readonly events: ReadonlyMap<string, EventReader>;
  /** Plain media and mark messages without JSON.parse (where the shape reads them the shared way). */
  private readonly fast: JsonFastPath | undefined;

  constructor(
    readonly shape: JsonStreamShape,
    private readonly options: DecoderOptions,
  ) {
    this.protocol = shape.protocol;
    // A Map, so that an event named like an Object prototype key ('constructor') is just unknown.
    this.events = new Map(Object.entries(shape.events));
    const media = shape.events['media'] === SHARED_EVENTS.media;
    const mark = shape.events['mark'] === SHARED_EVENTS.mark;
    this.fast = options.fastPath !== false && (media || mark) ? new JsonFastPath({ ...shape, media, mark }) : undefined;
  }

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (isBinary) return reject('binary_not_allowed', `${this.shape.name} sends JSON text frames only`);
    if (this.fast && this.start && !this.stopped && Buffer.isBuffer(data)) {
      const plain = this.fast.decode(data, this.start);
      if (plain) return plain;
    }
    const parsed = parseJson(frameBuffer(data).toString('utf8'));
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('not_object', 'message must be a JSON object');
    const event = str(msg, 'event', 'message');
    if (isRejection(event)) return event;
    if (this.stopped) return reject('after_stop', `'${event.slice(0, 40)}' after stop`);
    const read = this.events.get(event);
    return read ? read(this, msg) : reject('unknown_event', `unknown event '${event.slice(0, 40)}'`);
  }

  onStart(msg: Obj): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second start on one stream');
    const start = this.shape.readStart(msg);
    if (isRejection(start)) return start;
    this.start = start;
    return ok(start);
  }

  /** Checks common to every post-start event: started, and for this stream. */
  started(msg: Obj, kind: string): Rejection | undefined {
    if (!this.start) return reject(kind === 'media' ? 'media_before_start' : 'event_before_start', `'${kind}' before start`);
    const id = msg[this.shape.streamKey];
    if (id !== undefined && id !== this.start.streamId) return reject('stream_mismatch', `'${kind}' for another ${this.shape.streamKey}`);
    return undefined;
  }

  media(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'media');
    if (bad) return bad;
    const seq = counter(msg, this.shape.seqKey, 'media', false);
    if (isRejection(seq)) return seq;
    const media = obj(msg, 'media', 'media');
    if (isRejection(media)) return media;
    const ts = counter(media, 'timestamp', 'media', false);
    if (isRejection(ts)) return ts;
    const track = this.shape.track === 'ignore' ? undefined : optStr(media, 'track', 'media');
    if (isRejection(track)) return track;
    const bytes = payload(media, 'payload', 'media');
    if (isRejection(bytes)) return bytes;
    if (this.shape.track === 'caller' && track === 'outbound') return { ok: true, events: [] };
    const start = this.start!;
    if (start.format.codec === 'pcm16' && bytes.length % 2 !== 0) return reject('odd_length_pcm', `PCM16 payload of odd length ${bytes.length}`);
    return ok({ kind: 'media', payload: this.shape.toCore ? this.shape.toCore(bytes, start) : bytes, seq: seq ?? 0, timestampMs: ts ?? 0 });
  }

  /** A play report named in `mark.name` (Twilio, Telnyx, Exotel marks). */
  mark(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'mark');
    if (bad) return bad;
    const mark = obj(msg, 'mark', 'mark');
    if (isRejection(mark)) return mark;
    const name = str(mark, 'name', 'mark');
    return isRejection(name) ? name : ok({ kind: 'mark', name });
  }

  dtmf(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'dtmf');
    if (bad) return bad;
    const dtmf = obj(msg, 'dtmf', 'dtmf');
    if (isRejection(dtmf)) return dtmf;
    const d = digit(dtmf, 'digit', 'dtmf');
    return isRejection(d) ? d : ok({ kind: 'dtmf', digit: d });
  }

  stop(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'stop');
    if (bad) return bad;
    const key = this.shape.stopCallKey;
    if (key === undefined) {
      this.stopped = true;
      return ok({ kind: 'stop' });
    }
    const stop = msg['stop'];
    if (stop !== undefined && !isRecord(stop)) return reject('wrong_type', 'stop.stop must be an object');
    const callId = stop?.[key];
    this.stopped = true;
    return ok({ kind: 'stop', ...(typeof callId === 'string' ? { callId } : {}) });
  }
}
