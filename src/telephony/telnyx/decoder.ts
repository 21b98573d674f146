// Telnyx Media Streaming inbound frames → typed events
// (docs/reference/telnyx-media-streaming.md#frames-from-telnyx). Counters arrive as decimal
// strings; `stream_id` is on the envelope; payloads are base64 RTP payloads without headers
// (L16 in network byte order). The envelope and the shared events are json-stream.ts's.
import type { CallStart, DecoderOptions, Rejection } from '../types.js';
import { isRecord } from '../../base/wire.js';
import { reject } from '../frames.js';
import { accountOf, counter, mediaFormat, isRejection, obj, ok, optStr, str, stringMap, stringsOf, type Obj } from '../fields.js';
import { JsonStreamDecoder, SHARED_EVENTS, type JsonStreamShape } from '../json-stream.js';
import { swap16, telnyxFormat } from './formats.js';

function readStart(msg: Obj): CallStart | Rejection {
  const start = obj(msg, 'start', 'start');
  if (isRejection(start)) return start;
  const streamId = str(msg, 'stream_id', 'start');
  if (isRejection(streamId)) return streamId;
  const callId = str(start, 'call_control_id', 'start');
  if (isRejection(callId)) return callId;
  const mf = mediaFormat(start, 'media_format', 'sample_rate');
  if (isRejection(mf)) return mf;
  const { fmt, encoding, rate } = mf;
  const channels = counter(fmt, 'channels', 'start.media_format', false);
  if (isRejection(channels)) return channels;
  if (channels !== undefined && channels !== 1) return reject('unsupported_format', `media_format.channels ${channels}; only mono`);
  const format = telnyxFormat(encoding, rate);
  if (typeof format === 'string') return reject('unsupported_format', format);
  const customParameters = stringMap(start, 'custom_parameters', 'start');
  if (isRejection(customParameters)) return customParameters;
  return {
    kind: 'start',
    callId,
    streamId,
    format,
    customParameters,
    metadata: stringsOf(start, ['from', 'to', 'call_session_id', 'client_state', 'user_id']),
    implicit: false,
    ...accountOf(start, 'user_id'),
  };
}

export const TELNYX_SHAPE: JsonStreamShape = {
  protocol: 'telnyx',
  name: 'Telnyx Media Streaming',
  streamKey: 'stream_id',
  seqKey: 'sequence_number',
  readStart,
  track: 'caller', // both_tracks also streams what the caller hears: that is not caller audio
  toCore: (bytes, start) => (start.format.codec === 'pcm16' ? swap16(bytes) : bytes),
  stopCallKey: 'call_control_id',
  events: {
    ...SHARED_EVENTS,
    connected: (_d, msg) => {
      const version = optStr(msg, 'version', 'connected');
      return isRejection(version) ? version : ok({ kind: 'connected', protocol: 'telnyx', version: version ?? '' });
    },
    // Telnyx reports a streaming failure; the call goes on, the trace keeps the text.
    error: (_d, msg) => {
      const body = msg['payload'];
      if (body !== undefined && !isRecord(body)) return reject('wrong_type', 'error.payload must be an object');
      const text = [body?.['code'], body?.['title'], body?.['detail']].filter((x) => typeof x === 'string' || typeof x === 'number').join(' ');
      return ok({ kind: 'text', text: `telnyx error: ${text}`.slice(0, 200), json: msg });
    },
  },
};

export class TelnyxDecoder extends JsonStreamDecoder {
  constructor(options: DecoderOptions) {
    super(TELNYX_SHAPE, options);
  }
}
