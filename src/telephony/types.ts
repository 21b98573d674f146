// The telephony adapters' contract: a protocol-neutral view of what a telephony leg sends us
// (typed inbound events, or a typed rejection — never a throw), what we send it (encoders that
// return ready-to-send WebSocket text frames), and a model of the far side's playout buffer that
// tells the runtime how much of each AI item the caller has actually heard.
//
// Adapters hold no policy: they neither close sockets nor count anything. The session runtime
// counts rejections by `reason` (a stable metric label) and answers per protocol.
import type { AudioFormat } from '../media/types.js';
import type { FarSideKind, OutboundFrame } from './platform.js';

/** A platform's id (platform.ts `Platform.id`): 'twilio', 'audio-stream', … (registry.ts). */
export type TelephonyProtocol = string;

/** Why an inbound message was refused. Stable strings: used as metric label values. */
export const REJECT_REASONS = [
  'bad_json', // a text frame that is not JSON
  'not_object', // JSON, but not an object
  'unknown_event', // Twilio `event` we do not know
  'missing_field', // a required field is absent
  'wrong_type', // a field has the wrong JSON type or an unparsable numeric string
  'media_before_start', // audio before the call was started
  'event_before_start', // mark/dtmf/stop before start
  'duplicate_start', // a second start on the same connection
  'after_stop', // anything after stop
  'oversize', // the frame exceeds the configured byte bound
  'bad_base64', // payload is not canonical base64
  'empty_audio', // zero-length audio
  'odd_length_pcm', // PCM16 with an odd byte count
  'binary_not_allowed', // a binary frame where the protocol only has text (Twilio)
  'unsupported_format', // media format / sample rate / channel count we do not accept
  'stream_mismatch', // Twilio streamSid differs from the one in start
  'text_not_allowed', // a text frame where the protocol only has binary
  'bad_frame', // a binary frame whose header or length is inconsistent
  'unknown_message', // a well-formed message of a type we do not know
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A refused inbound message. `detail` is human-readable and never contains the payload. */
export interface Rejection {
  readonly ok: false;
  readonly reason: RejectReason;
  readonly detail: string;
}

/** The call has started: everything the runtime needs to configure it. */
export interface CallStart {
  readonly kind: 'start';
  /** Twilio callSid; audio-stream metadata `callId`/`uuid`/`call_id`, else a generated id. */
  readonly callId: string;
  /** Twilio streamSid (needed on every outbound message); audio-stream: equals callId. */
  readonly streamId: string;
  /** Format of the inbound audio, and of the audio we must send back. */
  readonly format: AudioFormat;
  /** Twilio `<Parameter>`s; audio-stream: the metadata's scalar entries as strings. */
  readonly customParameters: Readonly<Record<string, string>>;
  /** Twilio accountSid when present. */
  readonly accountSid?: string;
  /** Twilio tracks (bidirectional streams carry ["inbound"]). */
  readonly tracks?: readonly string[];
  /** audio-stream: the parsed metadata frame as sent, when there was one. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** audio-stream: true when audio arrived with no metadata frame first (defaults were used). */
  readonly implicit: boolean;
}

/** Audio from the caller, raw bytes in `CallStart.format` (µ-law bytes or PCM16LE). */
export interface InboundMedia {
  readonly kind: 'media';
  readonly payload: Buffer;
  /** Twilio sequenceNumber / audio-stream frame counter (1-based). */
  readonly seq: number;
  /** Twilio media.timestamp (ms since stream start); audio-stream: derived from bytes received. */
  readonly timestampMs: number;
}

export type InboundEvent =
  | { readonly kind: 'connected'; readonly protocol: string; readonly version: string }
  | CallStart
  | InboundMedia
  /** Twilio echoed a mark we sent (played — or flushed by clear; the FarSideModel decides). */
  | { readonly kind: 'mark'; readonly name: string }
  | { readonly kind: 'dtmf'; readonly digit: string }
  /** The leg says the call is over (Twilio `stop`). audio-stream signals this by closing. */
  | { readonly kind: 'stop'; readonly callId?: string }
  /** audio-stream: a text frame after the call started (`send_text`, `stop <text>`, late metadata). */
  | { readonly kind: 'text'; readonly text: string; readonly json?: unknown };

export type InboundKind = InboundEvent['kind'];

export type DecodeResult = { readonly ok: true; readonly events: readonly InboundEvent[] } | Rejection;

/** What `ws` hands to a 'message' listener. */
export type RawFrame = Buffer | ArrayBuffer | readonly Buffer[];

export interface DecoderOptions {
  /** Frames larger than this are refused as `oversize` before parsing. */
  readonly maxMessageBytes: number;
  /** audio-stream: sample rate when the metadata does not name one (e.g. from `?rate=`). */
  readonly defaultSampleRate?: 8000 | 16000;
  /** The upgrade URL (query included), for platforms that pass call data in it. */
  readonly url?: URL;
  /**
   * JSON platforms: false reads every message with JSON.parse, also the plain media and mark
   * messages the fast path (json-fast-path.ts) would take — the reference it is tested against.
   */
  readonly fastPath?: boolean;
}

/** One decoder per connection; it remembers start/stop. `decode` never throws. */
export interface InboundDecoder {
  readonly protocol: TelephonyProtocol;
  /** The start event once seen. */
  readonly start: CallStart | undefined;
  readonly stopped: boolean;
  decode(data: RawFrame, isBinary: boolean): DecodeResult;
}

/** Outbound encoders return frames (text as string, binary as Buffer), in order, ready to send. */
export interface OutboundEncoder {
  readonly protocol: TelephonyProtocol;
  /**
   * One chunk of audio in the call's format. Twilio: `media` then, if `mark` is given, a `mark`
   * frame; audio-stream: one `streamAudio` frame (marks do not exist there; `mark` is ignored).
   */
  audio(payload: Buffer, mark?: string): OutboundFrame[];
  /**
   * Drop everything queued at the far side: Twilio `clear`; audio-stream `"clear": true`. An
   * unflushable platform returns [] (nothing can be taken back).
   */
  clear(): OutboundFrame[];
  /** Sent before Parley closes the connection (e.g. an AudioSocket hang-up); default nothing. */
  goodbye?(): OutboundFrame[];
  /**
   * DTMF the platform plays into the call, where its stream documents a message for it (Plivo
   * `sendDTMF`): the frames, or why these digits cannot be sent. Absent: the stream has none.
   */
  dtmf?(digits: string): OutboundFrame[] | string;
}

/** An outbound chunk as the far-side model sees it. */
export interface SentChunk {
  /** Playout epoch the chunk belongs to (docs/ARCHITECTURE.md#barge-in). */
  readonly epoch: number;
  /** Per-call small integer naming the AI item (media/types ChunkTag.item). */
  readonly item: number;
  /** Duration of the chunk in milliseconds (bytes / format rate). */
  readonly durationMs: number;
}

/** What an echoed mark meant: the audio before it played; it was flushed by clear; or unknown. */
export type MarkOutcome = 'played' | 'cleared' | 'unknown';

/**
 * The far side's playout buffer as seen from Parley. Pure: time is passed in (`nowMs`, any
 * monotonic millisecond clock). Twilio: positions come from echoed marks; audio-stream: a
 * simulation of mod_audio_stream's inject buffer (5000 ms, drop-oldest, 60 ms minimum fill).
 */
export interface FarSideModel {
  readonly kind: FarSideKind;
  /**
   * The far side plays nothing while it holds less than this (mod_audio_stream's minimum fill);
   * what it holds below it is stranded until more comes. 0 for the others.
   */
  readonly silentBelowMs: number;
  /**
   * Record a chunk about to be sent; returns the mark name to send with it (reports) or
   * undefined. `report` false: send it without a mark (the next one reports it too).
   */
  onSent(chunk: SentChunk, nowMs: number, report?: boolean): string | undefined;
  /** A mark came back (Twilio only; audio-stream returns 'unknown'). */
  onMark(name: string, nowMs: number): MarkOutcome;
  /** A clear was sent: queued audio is gone and pending marks no longer mean "played". */
  onClear(nowMs: number): void;
  /** Milliseconds of `item` the caller has heard by `nowMs` (never more than was sent). */
  heardMs(item: number, nowMs: number): number;
  /** Milliseconds of `item` sent so far. */
  sentMs(item: number): number;
  /** Milliseconds sent but not yet heard (queued at the far side, or un-echoed marks). */
  queuedMs(nowMs: number): number;
}

/** Re-exported so adapters' users need one import. */
export type { AudioFormat, FarSideKind, OutboundFrame };
