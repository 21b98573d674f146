// Exotel Voicebot (bidirectional AgentStream) inbound frames → typed events
// (docs/reference/exotel-voicebot.md#frames-from-exotel). Snake-case fields, counters as decimal
// strings, audio base64 PCM16 little-endian ("audio/x-raw", 16 bit) at 8 or 16 kHz.
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame, Rejection } from '../types.js';
import { isRecord, parseJson } from '../../base/wire.js';
import { frameBuffer, frameLength, reject } from '../frames.js';
import { counter, digit, isRejection, obj, ok, payload, str, stringMap, type Obj } from '../fields.js';

export class ExotelDecoder implements InboundDecoder {
  readonly protocol = 'exotel' as const;
  start: CallStart | undefined;
  stopped = false;

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (isBinary) return reject('binary_not_allowed', 'Exotel streams send JSON text frames only');
    const parsed = parseJson(frameBuffer(data).toString('utf8'));
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('not_object', 'message must be a JSON object');
    const event = str(msg, 'event', 'message');
    if (isRejection(event)) return event;
    if (this.stopped) return reject('after_stop', `'${event.slice(0, 40)}' after stop`);
    switch (event) {
      case 'connected':
        return ok({ kind: 'connected', protocol: 'exotel', version: '' });
      case 'start':
        return this.onStart(msg);
      case 'media':
        return this.media(msg);
      case 'mark':
        return this.mark(msg);
      case 'dtmf':
        return this.dtmf(msg);
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
    const streamSid = typeof msg['stream_sid'] === 'string' ? msg['stream_sid'] : str(start, 'stream_sid', 'start');
    if (isRejection(streamSid)) return streamSid;
    const callSid = str(start, 'call_sid', 'start');
    if (isRejection(callSid)) return callSid;
    const fmt = obj(start, 'media_format', 'start');
    if (isRejection(fmt)) return fmt;
    const encoding = str(fmt, 'encoding', 'start.media_format');
    if (isRejection(encoding)) return encoding;
    const rate = counter(fmt, 'sample_rate', 'start.media_format', true);
    if (isRejection(rate)) return rate;
    const bits = counter(fmt, 'bit_rate', 'start.media_format', false);
    if (isRejection(bits)) return bits;
    if (encoding !== 'audio/x-raw' || (bits !== undefined && bits !== 16) || (rate !== 8000 && rate !== 16000)) {
      return reject('unsupported_format', `media_format ${encoding.slice(0, 20)}/${rate}/${bits ?? 16}: Parley takes audio/x-raw 16 bit at 8000 or 16000 (sample-rate=8000 or 16000 on the Voicebot URL)`);
    }
    const customParameters = stringMap(start, 'custom_parameters', 'start');
    if (isRejection(customParameters)) return customParameters;
    const metadata: Record<string, unknown> = {};
    for (const key of ['from', 'to'] as const) if (typeof start[key] === 'string') metadata[key] = start[key];
    const event: CallStart = {
      kind: 'start',
      callId: callSid,
      streamId: streamSid,
      format: { codec: 'pcm16', rate },
      customParameters,
      metadata,
      implicit: false,
      ...(typeof start['account_sid'] === 'string' ? { accountSid: start['account_sid'] } : {}),
    };
    this.start = event;
    return ok(event);
  }

  private started(msg: Obj, kind: string): Rejection | undefined {
    if (!this.start) return reject(kind === 'media' ? 'media_before_start' : 'event_before_start', `'${kind}' before start`);
    const sid = msg['stream_sid'];
    if (sid !== undefined && sid !== this.start.streamId) return reject('stream_mismatch', `'${kind}' for another stream_sid`);
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
    const bytes = payload(media, 'payload', 'media');
    if (isRejection(bytes)) return bytes;
    if (bytes.length % 2 !== 0) return reject('odd_length_pcm', `PCM16 payload of odd length ${bytes.length}`);
    return ok({ kind: 'media', payload: bytes, seq: seq ?? 0, timestampMs: ts ?? 0 });
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

  private stop(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'stop');
    if (bad) return bad;
    const stop = msg['stop'];
    if (stop !== undefined && !isRecord(stop)) return reject('wrong_type', 'stop.stop must be an object');
    const callSid = stop?.['call_sid'];
    this.stopped = true;
    return ok({ kind: 'stop', ...(typeof callSid === 'string' ? { callId: callSid } : {}) });
  }
}
