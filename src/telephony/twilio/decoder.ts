// Twilio Media Streams (bidirectional) inbound messages → typed events
// (docs/reference/twilio-media-streams.md#messages-from-twilio). Every counter arrives as a JSON
// string; payloads are base64 µ-law 8 kHz.
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, InboundEvent, RawFrame, Rejection } from '../types.js';
import { decodeBase64, isRecord, parseJson } from '../../base/wire.js';
import { frameBuffer, frameLength, reject } from '../frames.js';
import { counter, DTMF_DIGITS, isRejection, obj, ok, str, type Obj } from '../fields.js';

export class TwilioDecoder implements InboundDecoder {
  readonly protocol = 'twilio' as const;
  start: CallStart | undefined;
  stopped = false;

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (isBinary) return reject('binary_not_allowed', 'Twilio Media Streams carry JSON text frames only');
    const parsed = parseJson(frameBuffer(data).toString('utf8'));
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('not_object', 'message must be a JSON object');
    const event = str(msg, 'event', 'message');
    if (isRejection(event)) return event;
    if (this.stopped) return reject('after_stop', `'${event}' after stop`);
    switch (event) {
      case 'connected':
        return this.connected(msg);
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

  private connected(msg: Obj): DecodeResult {
    const protocol = msg['protocol'] ?? 'Call';
    const version = msg['version'] ?? '';
    if (typeof protocol !== 'string' || typeof version !== 'string') return reject('wrong_type', 'connected.protocol/version must be strings');
    return ok({ kind: 'connected', protocol, version });
  }

  private onStart(msg: Obj): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second start on one stream');
    const seq = counter(msg, 'sequenceNumber', 'start', false);
    if (isRejection(seq)) return seq;
    const start = obj(msg, 'start', 'start');
    if (isRejection(start)) return start;
    const streamSid = typeof msg['streamSid'] === 'string' ? msg['streamSid'] : str(start, 'streamSid', 'start');
    if (isRejection(streamSid)) return streamSid;
    const callSid = str(start, 'callSid', 'start');
    if (isRejection(callSid)) return callSid;
    const accountSid = start['accountSid'];
    if (accountSid !== undefined && typeof accountSid !== 'string') return reject('wrong_type', 'start.accountSid must be a string');
    const tracks = start['tracks'] ?? ['inbound'];
    if (!Array.isArray(tracks) || !tracks.every((t) => typeof t === 'string')) return reject('wrong_type', 'start.tracks must be an array of strings');
    const fmt = obj(start, 'mediaFormat', 'start');
    if (isRejection(fmt)) return fmt;
    const { encoding, sampleRate, channels } = fmt;
    if (typeof encoding !== 'string' || typeof sampleRate !== 'number' || typeof channels !== 'number') {
      return reject('wrong_type', 'start.mediaFormat needs encoding (string), sampleRate and channels (numbers)');
    }
    if (encoding !== 'audio/x-mulaw' || sampleRate !== 8000 || channels !== 1) {
      return reject('unsupported_format', `mediaFormat ${encoding}/${sampleRate}/${channels}; only audio/x-mulaw/8000/1`);
    }
    const params = start['customParameters'] ?? {};
    if (!isRecord(params)) return reject('wrong_type', 'start.customParameters must be an object');
    const customParameters: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      if (typeof v !== 'string') return reject('wrong_type', `customParameters.${k.slice(0, 40)} must be a string`);
      customParameters[k] = v;
    }
    const event: CallStart = {
      kind: 'start',
      callId: callSid,
      streamId: streamSid,
      format: { codec: 'mulaw', rate: 8000 },
      customParameters,
      tracks: tracks as string[],
      implicit: false,
      ...(accountSid !== undefined ? { accountSid } : {}),
    };
    this.start = event;
    return ok(event);
  }

  /** Checks common to every post-start event: started, and the streamSid matches. */
  private started(msg: Obj, kind: string): Rejection | undefined {
    if (!this.start) return reject(kind === 'media' ? 'media_before_start' : 'event_before_start', `'${kind}' before start`);
    const sid = msg['streamSid'];
    if (sid !== undefined && sid !== this.start.streamId) return reject('stream_mismatch', `'${kind}' for another streamSid`);
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
    const track = media['track'];
    if (track !== undefined && typeof track !== 'string') return reject('wrong_type', 'media.track must be a string');
    const payloadText = str(media, 'payload', 'media');
    if (isRejection(payloadText)) return payloadText;
    if (payloadText.length === 0) return reject('empty_audio', 'media.payload is empty');
    const payload = decodeBase64(payloadText);
    if (!payload) return reject('bad_base64', 'media.payload is not valid base64');
    return ok({ kind: 'media', payload, seq: seq ?? 0, timestampMs: ts ?? 0 });
  }

  private mark(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'mark');
    if (bad) return bad;
    const mark = obj(msg, 'mark', 'mark');
    if (isRejection(mark)) return mark;
    const name = str(mark, 'name', 'mark');
    if (isRejection(name)) return name;
    return ok({ kind: 'mark', name });
  }

  private dtmf(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'dtmf');
    if (bad) return bad;
    const dtmf = obj(msg, 'dtmf', 'dtmf');
    if (isRejection(dtmf)) return dtmf;
    const digit = str(dtmf, 'digit', 'dtmf');
    if (isRejection(digit)) return digit;
    if (!DTMF_DIGITS.test(digit)) return reject('wrong_type', 'dtmf.digit must be one of 0-9 * # A-D');
    return ok({ kind: 'dtmf', digit });
  }

  private stop(msg: Obj): DecodeResult {
    const bad = this.started(msg, 'stop');
    if (bad) return bad;
    const stop = msg['stop'];
    if (stop !== undefined && !isRecord(stop)) return reject('wrong_type', 'stop.stop must be an object');
    const callSid = stop?.['callSid'];
    this.stopped = true;
    return ok({ kind: 'stop', ...(typeof callSid === 'string' ? { callId: callSid } : {}) });
  }
}
