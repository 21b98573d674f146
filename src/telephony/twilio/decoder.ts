// Twilio Media Streams (bidirectional) inbound messages → typed events
// (docs/reference/twilio-media-streams.md#messages-from-twilio). Every counter arrives as a JSON
// string; payloads are base64 µ-law 8 kHz. The envelope and the shared events are
// json-stream.ts's; this file is Twilio's field names and its start message.
import type { CallStart, DecoderOptions, Rejection } from '../types.js';
import { reject } from '../frames.js';
import { counter, isRejection, obj, ok, str, stringMap, type Obj } from '../fields.js';
import { JsonStreamDecoder, SHARED_EVENTS, type JsonStreamShape } from '../json-stream.js';

function readStart(msg: Obj): CallStart | Rejection {
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
    return reject('unsupported_format', `mediaFormat ${encoding.slice(0, 20)}/${sampleRate}/${channels}; only audio/x-mulaw/8000/1`);
  }
  const customParameters = stringMap(start, 'customParameters', 'start');
  if (isRejection(customParameters)) return customParameters;
  return {
    kind: 'start',
    callId: callSid,
    streamId: streamSid,
    format: { codec: 'mulaw', rate: 8000 },
    customParameters,
    tracks: tracks as string[],
    implicit: false,
    ...(accountSid !== undefined ? { accountSid } : {}),
  };
}

/** Twilio's wire, also spoken by the Twilio-compatible platforms (they change protocol and name). */
export const TWILIO_SHAPE: JsonStreamShape = {
  protocol: 'twilio',
  name: 'Twilio Media Streams',
  streamKey: 'streamSid',
  seqKey: 'sequenceNumber',
  readStart,
  track: 'check',
  stopCallKey: 'callSid',
  events: {
    ...SHARED_EVENTS,
    connected: (_d, msg) => {
      const protocol = msg['protocol'] ?? 'Call';
      const version = msg['version'] ?? '';
      if (typeof protocol !== 'string' || typeof version !== 'string') return reject('wrong_type', 'connected.protocol/version must be strings');
      return ok({ kind: 'connected', protocol, version });
    },
  },
};

export class TwilioDecoder extends JsonStreamDecoder {
  constructor(options: DecoderOptions) {
    super(TWILIO_SHAPE, options);
  }
}
