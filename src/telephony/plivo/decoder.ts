// Plivo Audio Streams (bidirectional) inbound frames → typed events
// (docs/reference/plivo-audio-streams.md#frames-from-plivo). camelCase fields, numeric counters,
// base64 payloads in the stream's contentType. `playedStream` answers a checkpoint the way a
// Twilio mark echo does; `clearedAudio` confirms a clearAudio. Plivo ends a stream by closing.
import type { AudioFormat } from '../../media/types.js';
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame, Rejection } from '../types.js';
import { isRecord, parseJson } from '../../base/wire.js';
import { frameBuffer, frameLength, reject } from '../frames.js';
import { counter, digit, isRejection, obj, ok, optStr, payload, str, type Obj } from '../fields.js';

/** The contentTypes of a bidirectional Plivo stream the media core speaks. */
export function plivoFormat(encoding: string, rate: number): AudioFormat | string {
  if (encoding === 'audio/x-mulaw' && rate === 8000) return { codec: 'mulaw', rate: 8000 };
  if (encoding === 'audio/x-l16' && (rate === 8000 || rate === 16000)) return { codec: 'pcm16', rate };
  return `mediaFormat ${encoding.slice(0, 20)}/${rate}: Parley takes audio/x-mulaw;rate=8000 or audio/x-l16;rate=8000|16000`;
}

/** `extra_headers` ("a=1;b=2", from the Stream element's extraHeaders) as parameters. */
function extraHeaders(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'string') return out;
  for (const pair of v.split(/[;,]/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

export class PlivoDecoder implements InboundDecoder {
  readonly protocol = 'plivo' as const;
  start: CallStart | undefined;
  stopped = false;

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (isBinary) return reject('binary_not_allowed', 'Plivo audio streams send JSON text frames only');
    const parsed = parseJson(frameBuffer(data).toString('utf8'));
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('not_object', 'message must be a JSON object');
    const event = str(msg, 'event', 'message');
    if (isRejection(event)) return event;
    if (this.stopped) return reject('after_stop', `'${event.slice(0, 40)}' after stop`);
    switch (event) {
      case 'start':
        return this.onStart(msg);
      case 'media':
        return this.media(msg);
      case 'playedStream':
        return this.played(msg);
      case 'clearedAudio': {
        const bad = this.started(msg, event);
        return bad ?? ok({ kind: 'text', text: 'clearedAudio', json: msg });
      }
      case 'dtmf':
        return this.dtmf(msg);
      case 'stop': {
        const bad = this.started(msg, event);
        if (bad) return bad;
        this.stopped = true;
        return ok({ kind: 'stop' });
      }
      default:
        return reject('unknown_event', `unknown event '${event.slice(0, 40)}'`);
    }
  }

  private onStart(msg: Obj): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second start on one stream');
    const start = obj(msg, 'start', 'start');
    if (isRejection(start)) return start;
    const callId = str(start, 'callId', 'start');
    if (isRejection(callId)) return callId;
    const streamId = str(start, 'streamId', 'start');
    if (isRejection(streamId)) return streamId;
    const accountId = optStr(start, 'accountId', 'start');
    if (isRejection(accountId)) return accountId;
    const tracks = start['tracks'] ?? ['inbound'];
    if (!Array.isArray(tracks) || !tracks.every((t) => typeof t === 'string')) return reject('wrong_type', 'start.tracks must be an array of strings');
    const fmt = obj(start, 'mediaFormat', 'start');
    if (isRejection(fmt)) return fmt;
    const encoding = str(fmt, 'encoding', 'start.mediaFormat');
    if (isRejection(encoding)) return encoding;
    const rate = counter(fmt, 'sampleRate', 'start.mediaFormat', true);
    if (isRejection(rate)) return rate;
    const format = plivoFormat(encoding, rate ?? 0);
    if (typeof format === 'string') return reject('unsupported_format', format);
    const event: CallStart = {
      kind: 'start',
      callId,
      streamId,
      format,
      customParameters: extraHeaders(msg['extra_headers']),
      tracks: tracks as string[],
      implicit: false,
      ...(accountId !== undefined ? { accountSid: accountId } : {}),
    };
    this.start = event;
    return ok(event);
  }

  private started(msg: Obj, kind: string): Rejection | undefined {
    if (!this.start) return reject(kind === 'media' ? 'media_before_start' : 'event_before_start', `'${kind}' before start`);
    const id = msg['streamId'];
    if (id !== undefined && id !== this.start.streamId) return reject('stream_mismatch', `'${kind}' for another streamId`);
    return undefined;
  }

  private media(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'media');
    if (bad) return bad;
    const seq = counter(msg, 'sequenceNumber', 'media', false);
    if (isRejection(seq)) return seq;
    const media = obj(msg, 'media', 'media');
    if (isRejection(media)) return media;
    const ts = counter(media, 'timestamp', 'media', false);
    if (isRejection(ts)) return ts;
    const track = optStr(media, 'track', 'media');
    if (isRejection(track)) return track;
    const bytes = payload(media, 'payload', 'media');
    if (isRejection(bytes)) return bytes;
    if (track === 'outbound') return { ok: true, events: [] }; // what the caller hears, not caller audio
    if (this.start!.format.codec === 'pcm16' && bytes.length % 2 !== 0) return reject('odd_length_pcm', `L16 payload of odd length ${bytes.length}`);
    return ok({ kind: 'media', payload: bytes, seq: seq ?? 0, timestampMs: ts ?? 0 });
  }

  /** A checkpoint was reached: everything sent before it has played. */
  private played(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'playedStream');
    if (bad) return bad;
    const name = str(msg, 'name', 'playedStream');
    return isRejection(name) ? name : ok({ kind: 'mark', name });
  }

  private dtmf(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'dtmf');
    if (bad) return bad;
    const dtmf = obj(msg, 'dtmf', 'dtmf');
    if (isRejection(dtmf)) return dtmf;
    const d = digit(dtmf, 'digit', 'dtmf');
    return isRejection(d) ? d : ok({ kind: 'dtmf', digit: d });
  }
}
