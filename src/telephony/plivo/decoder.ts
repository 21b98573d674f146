// Plivo Audio Streams (bidirectional) inbound frames → typed events
// (docs/reference/plivo-audio-streams.md#frames-from-plivo). camelCase fields, numeric counters,
// base64 payloads in the stream's contentType. `playedStream` answers a checkpoint the way a
// Twilio mark echo does; `clearedAudio` confirms a clearAudio. Plivo ends a stream by closing.
// The envelope and the shared events are json-stream.ts's.
import type { AudioFormat } from '../../media/types.js';
import type { CallStart, DecoderOptions, Rejection } from '../types.js';
import { reject } from '../frames.js';
import { isRejection, mediaFormat, obj, ok, optStr, str, type Obj } from '../fields.js';
import { JsonStreamDecoder, SHARED_EVENTS, type JsonStreamShape } from '../json-stream.js';

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

function readStart(msg: Obj): CallStart | Rejection {
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
  const mf = mediaFormat(start, 'mediaFormat', 'sampleRate');
  if (isRejection(mf)) return mf;
  const format = plivoFormat(mf.encoding, mf.rate);
  if (typeof format === 'string') return reject('unsupported_format', format);
  return {
    kind: 'start',
    callId,
    streamId,
    format,
    customParameters: extraHeaders(msg['extra_headers']),
    tracks: tracks as string[],
    implicit: false,
    ...(accountId !== undefined ? { accountSid: accountId } : {}),
  };
}

export const PLIVO_SHAPE: JsonStreamShape = {
  protocol: 'plivo',
  name: 'Plivo audio streams',
  streamKey: 'streamId',
  seqKey: 'sequenceNumber',
  readStart,
  track: 'caller', // an outbound track is what the caller hears, not caller audio
  events: {
    start: SHARED_EVENTS.start,
    media: SHARED_EVENTS.media,
    dtmf: SHARED_EVENTS.dtmf,
    stop: SHARED_EVENTS.stop, // no body: Plivo's stop carries nothing Parley reads
    // A checkpoint was reached: everything sent before it has played.
    playedStream: (d, msg) => {
      const bad = d.started(msg, 'playedStream');
      if (bad) return bad;
      const name = str(msg, 'name', 'playedStream');
      return isRejection(name) ? name : ok({ kind: 'mark', name });
    },
    clearedAudio: (d, msg) => d.started(msg, 'clearedAudio') ?? ok({ kind: 'text', text: 'clearedAudio', json: msg }),
  },
};

export class PlivoDecoder extends JsonStreamDecoder {
  constructor(options: DecoderOptions) {
    super(PLIVO_SHAPE, options);
  }
}
