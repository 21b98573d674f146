// What the e2e suite needs to know of each telephony platform, so that one parameterised test
// (platforms.test.ts) gives every platform the same checks: the sim-call options it is called
// with (its codec), and the malformed frames it is fed after a proper greeting — each the kind
// of mistake its wire allows — with the rejection reason each must be counted under.
import type { SimCallOptions } from '../../src/tools/sim/caller/index.js';

export interface BadFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
  readonly reason: string;
}

export interface PlatformCase {
  readonly protocol: string;
  /** sim-call options: the codec / rate this platform is exercised with. */
  readonly options: Partial<SimCallOptions>;
  /** Frames that must each be refused (after the greeting), counted by reason. */
  bad(ids: { streamId: string }): BadFrame[];
  /** Parley's goodbye reaches the platform as a request it acts on (chan_websocket HANGUP). */
  readonly goodbyeRequest?: boolean;
  /** One valid caller audio frame, sent after the garbage: the call must still take it. */
  goodAudio(ids: { streamId: string }): { data: string | Buffer; binary: boolean };
}

const t = (o: unknown): string => JSON.stringify(o);
const b64 = (n: number, fill = 0xff) => Buffer.alloc(n, fill).toString('base64');

export const PLATFORM_CASES: readonly PlatformCase[] = [
  {
    protocol: 'telnyx',
    options: {},
    bad: ({ streamId }) => [
      { data: Buffer.from([1, 2, 3]), binary: true, reason: 'binary_not_allowed' },
      { data: 'this is not json', binary: false, reason: 'bad_json' },
      { data: t({ event: 'media', stream_id: streamId, media: { track: 'inbound', payload: '@@@not-base64@@@' } }), binary: false, reason: 'bad_base64' },
      { data: t({ event: 'media', stream_id: streamId, media: { track: 'inbound', payload: '' } }), binary: false, reason: 'empty_audio' },
      { data: t({ event: 'bogus', stream_id: streamId }), binary: false, reason: 'unknown_event' },
      { data: t({ event: 'media', stream_id: 'another', media: { payload: b64(160) } }), binary: false, reason: 'stream_mismatch' },
    ],
    goodAudio: ({ streamId }) => ({ data: t({ event: 'media', sequence_number: '9', stream_id: streamId, media: { track: 'inbound', chunk: '9', timestamp: '180', payload: b64(160) } }), binary: false }),
  },
  {
    protocol: 'plivo',
    options: { sampleRate: 16000 }, // audio/x-l16;rate=16000
    bad: ({ streamId }) => [
      { data: Buffer.from([1, 2, 3]), binary: true, reason: 'binary_not_allowed' },
      { data: '[1,2,3]', binary: false, reason: 'not_object' },
      { data: t({ event: 'media', streamId, media: { payload: b64(3) } }), binary: false, reason: 'odd_length_pcm' },
      { data: t({ event: 'playedStream', streamId }), binary: false, reason: 'missing_field' },
      { data: t({ event: 'media', sequenceNumber: 'seven', streamId, media: { payload: b64(640, 0) } }), binary: false, reason: 'wrong_type' },
      { data: t({ event: 'start', start: { callId: 'x', streamId: 'y', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 } } }), binary: false, reason: 'duplicate_start' },
    ],
    goodAudio: ({ streamId }) => ({ data: t({ event: 'media', sequenceNumber: 9, streamId, media: { track: 'inbound', timestamp: '1', chunk: 9, payload: b64(640, 0) } }), binary: false }),
  },
  {
    protocol: 'exotel',
    options: {},
    bad: ({ streamId }) => [
      { data: Buffer.from([1, 2, 3]), binary: true, reason: 'binary_not_allowed' },
      { data: '{"event": "media", ', binary: false, reason: 'bad_json' },
      { data: t({ event: 'media', stream_sid: streamId, media: { payload: b64(321, 0) } }), binary: false, reason: 'odd_length_pcm' },
      { data: t({ event: 'dtmf', stream_sid: streamId, dtmf: { digit: 'Q' } }), binary: false, reason: 'wrong_type' },
      { data: t({ event: 'clear', stream_sid: streamId }), binary: false, reason: 'unknown_event' },
    ],
    goodAudio: ({ streamId }) => ({ data: t({ event: 'media', sequence_number: '9', stream_sid: streamId, media: { chunk: '9', timestamp: '180', payload: b64(320, 0) } }), binary: false }),
  },
  {
    protocol: 'asterisk',
    options: { codec: 'alaw' },
    goodbyeRequest: true,
    bad: () => [
      { data: Buffer.alloc(0), binary: true, reason: 'empty_audio' },
      { data: 'NOT_AN_EVENT', binary: false, reason: 'unknown_event' },
      { data: '{"event": 1', binary: false, reason: 'bad_json' },
      { data: 'DTMF_END digit:Z channel_id:1', binary: false, reason: 'wrong_type' },
      { data: 'MEDIA_MARK_PROCESSED', binary: false, reason: 'missing_field' },
      { data: 'MEDIA_START connection_id:a channel:b channel_id:c format:alaw optimal_frame_size:160 ptime:20', binary: false, reason: 'duplicate_start' },
    ],
    goodAudio: () => ({ data: Buffer.alloc(160, 0xd5), binary: true }),
  },
  {
    protocol: 'signalwire',
    options: {},
    bad: ({ streamId }) => [
      { data: Buffer.from([1, 2, 3]), binary: true, reason: 'binary_not_allowed' },
      { data: '{"event": "media", ', binary: false, reason: 'bad_json' },
      { data: t({ event: 'media', streamSid: streamId, media: { payload: '@@@not-base64@@@' } }), binary: false, reason: 'bad_base64' },
      { data: t({ event: 'dtmf', streamSid: streamId, dtmf: { digit: 'Q' } }), binary: false, reason: 'wrong_type' },
      { data: t({ event: 'media', streamSid: 'another', media: { payload: b64(160) } }), binary: false, reason: 'stream_mismatch' },
      { data: t({ event: 'start', streamSid: streamId, start: { callSid: 'x', mediaFormat: { encoding: 'audio/x-l16', sampleRate: 16000, channels: 1 } } }), binary: false, reason: 'duplicate_start' },
    ],
    goodAudio: ({ streamId }) => ({ data: t({ event: 'media', sequenceNumber: '9', streamSid: streamId, media: { track: 'inbound', chunk: '9', timestamp: '180', payload: b64(160) } }), binary: false }),
  },
];
