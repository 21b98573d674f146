// Telnyx Media Streaming inbound frames → typed events
// (docs/reference/telnyx-media-streaming.md#frames-from-telnyx). Counters arrive as decimal
// strings; `stream_id` is on the envelope; payloads are base64 RTP payloads without headers.
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame, Rejection } from '../types.js';
import { isRecord, parseJson } from '../../base/wire.js';
import { frameBuffer, frameLength, reject } from '../frames.js';
import { counter, digit, isRejection, obj, ok, optStr, payload, str, stringMap, type Obj } from '../fields.js';
import { swap16, telnyxFormat } from './formats.js';

export class TelnyxDecoder implements InboundDecoder {
  readonly protocol = 'telnyx' as const;
  start: CallStart | undefined;
  stopped = false;

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (isBinary) return reject('binary_not_allowed', 'Telnyx Media Streaming sends JSON text frames only');
    const parsed = parseJson(frameBuffer(data).toString('utf8'));
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('not_object', 'message must be a JSON object');
    const event = str(msg, 'event', 'message');
    if (isRejection(event)) return event;
    if (this.stopped) return reject('after_stop', `'${event.slice(0, 40)}' after stop`);
    switch (event) {
      case 'connected': {
        const version = optStr(msg, 'version', 'connected');
        return isRejection(version) ? version : ok({ kind: 'connected', protocol: 'telnyx', version: version ?? '' });
      }
      case 'start':
        return this.onStart(msg);
      case 'media':
        return this.media(msg);
      case 'mark':
        return this.mark(msg);
      case 'dtmf':
        return this.dtmf(msg);
      case 'error':
        return this.error(msg);
      case 'stop':
        return this.stop(msg);
      default:
        return reject('unknown_event', `unknown event '${event.slice(0, 40)}'`);
    }
  }

  private onStart(msg: Obj): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second start on one stream');
    const start = obj(msg, 'start', 'start');
    if (isRejection(start)) return start;
    const streamId = str(msg, 'stream_id', 'start');
    if (isRejection(streamId)) return streamId;
    const callId = str(start, 'call_control_id', 'start');
    if (isRejection(callId)) return callId;
    const fmt = obj(start, 'media_format', 'start');
    if (isRejection(fmt)) return fmt;
    const encoding = str(fmt, 'encoding', 'start.media_format');
    if (isRejection(encoding)) return encoding;
    const rate = counter(fmt, 'sample_rate', 'start.media_format', true);
    if (isRejection(rate)) return rate;
    const channels = counter(fmt, 'channels', 'start.media_format', false);
    if (isRejection(channels)) return channels;
    if (channels !== undefined && channels !== 1) return reject('unsupported_format', `media_format.channels ${channels}; only mono`);
    const format = telnyxFormat(encoding, rate ?? 0);
    if (typeof format === 'string') return reject('unsupported_format', format);
    const customParameters = stringMap(start, 'custom_parameters', 'start');
    if (isRejection(customParameters)) return customParameters;
    const metadata: Record<string, unknown> = {};
    for (const key of ['from', 'to', 'call_session_id', 'client_state', 'user_id'] as const) {
      if (typeof start[key] === 'string') metadata[key] = start[key];
    }
    const event: CallStart = {
      kind: 'start',
      callId,
      streamId,
      format,
      customParameters,
      metadata,
      implicit: false,
      ...(typeof start['user_id'] === 'string' ? { accountSid: start['user_id'] } : {}),
    };
    this.start = event;
    return ok(event);
  }

  private started(msg: Obj, kind: string): Rejection | undefined {
    if (!this.start) return reject(kind === 'media' ? 'media_before_start' : 'event_before_start', `'${kind}' before start`);
    const id = msg['stream_id'];
    if (id !== undefined && id !== this.start.streamId) return reject('stream_mismatch', `'${kind}' for another stream_id`);
    return undefined;
  }

  private media(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'media');
    if (bad) return bad;
    const seq = counter(msg, 'sequence_number', 'media', false);
    if (isRejection(seq)) return seq;
    const media = obj(msg, 'media', 'media');
    if (isRejection(media)) return media;
    const ts = counter(media, 'timestamp', 'media', false);
    if (isRejection(ts)) return ts;
    const track = optStr(media, 'track', 'media');
    if (isRejection(track)) return track;
    const bytes = payload(media, 'payload', 'media');
    if (isRejection(bytes)) return bytes;
    // both_tracks also streams what the caller hears: that is not caller audio.
    if (track === 'outbound') return { ok: true, events: [] };
    const pcm = this.start!.format.codec === 'pcm16';
    if (pcm && bytes.length % 2 !== 0) return reject('odd_length_pcm', `L16 payload of odd length ${bytes.length}`);
    return ok({ kind: 'media', payload: pcm ? swap16(bytes) : bytes, seq: seq ?? 0, timestampMs: ts ?? 0 });
  }

  private mark(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'mark');
    if (bad) return bad;
    const mark = obj(msg, 'mark', 'mark');
    if (isRejection(mark)) return mark;
    const name = str(mark, 'name', 'mark');
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

  /** Telnyx reports a streaming failure; the call goes on, the trace keeps the text. */
  private error(msg: Obj): DecodeResult {
    const body = msg['payload'];
    if (body !== undefined && !isRecord(body)) return reject('wrong_type', 'error.payload must be an object');
    const text = [body?.['code'], body?.['title'], body?.['detail']].filter((x) => typeof x === 'string' || typeof x === 'number').join(' ');
    return ok({ kind: 'text', text: `telnyx error: ${text}`.slice(0, 200), json: msg });
  }

  private stop(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'stop');
    if (bad) return bad;
    const stop = msg['stop'];
    if (stop !== undefined && !isRecord(stop)) return reject('wrong_type', 'stop.stop must be an object');
    const id = stop?.['call_control_id'];
    this.stopped = true;
    return ok({ kind: 'stop', ...(typeof id === 'string' ? { callId: id } : {}) });
  }
}
