// Exotel Voicebot (bidirectional AgentStream) inbound frames → typed events
// (docs/reference/exotel-voicebot.md#frames-from-exotel). Snake-case fields, counters as decimal
// strings, audio base64 PCM16 little-endian ("audio/x-raw", 16 bit) at 8 or 16 kHz. The envelope
// and the shared events are json-stream.ts's.
import type { CallStart, DecoderOptions, Rejection } from '../types.js';
import { reject } from '../frames.js';
import { accountOf, counter, mediaFormat, isRejection, obj, ok, str, stringMap, stringsOf, type Obj } from '../fields.js';
import { JsonStreamDecoder, SHARED_EVENTS, type JsonStreamShape } from '../json-stream.js';

function readStart(msg: Obj): CallStart | Rejection {
  const start = obj(msg, 'start', 'start');
  if (isRejection(start)) return start;
  const streamSid = typeof msg['stream_sid'] === 'string' ? msg['stream_sid'] : str(start, 'stream_sid', 'start');
  if (isRejection(streamSid)) return streamSid;
  const callSid = str(start, 'call_sid', 'start');
  if (isRejection(callSid)) return callSid;
  const mf = mediaFormat(start, 'media_format', 'sample_rate');
  if (isRejection(mf)) return mf;
  const { fmt, encoding, rate } = mf;
  const bits = counter(fmt, 'bit_rate', 'start.media_format', false);
  if (isRejection(bits)) return bits;
  if (encoding !== 'audio/x-raw' || (bits !== undefined && bits !== 16) || (rate !== 8000 && rate !== 16000)) {
    return reject('unsupported_format', `media_format ${encoding.slice(0, 20)}/${rate}/${bits ?? 16}: Parley takes audio/x-raw 16 bit at 8000 or 16000 (sample-rate=8000 or 16000 on the Voicebot URL)`);
  }
  const customParameters = stringMap(start, 'custom_parameters', 'start');
  if (isRejection(customParameters)) return customParameters;
  return {
    kind: 'start',
    callId: callSid,
    streamId: streamSid,
    format: { codec: 'pcm16', rate },
    customParameters,
    metadata: stringsOf(start, ['from', 'to']),
    implicit: false,
    ...accountOf(start, 'account_sid'),
  };
}

export const EXOTEL_SHAPE: JsonStreamShape = {
  protocol: 'exotel',
  name: 'Exotel streams',
  streamKey: 'stream_sid',
  seqKey: 'sequence_number',
  readStart,
  track: 'ignore',
  stopCallKey: 'call_sid',
  events: { ...SHARED_EVENTS, connected: () => ok({ kind: 'connected', protocol: 'exotel', version: '' }) },
};

export class ExotelDecoder extends JsonStreamDecoder {
  constructor(options: DecoderOptions) {
    super(EXOTEL_SHAPE, options);
  }
}
