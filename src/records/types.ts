// The call record's outside contract: the events the webhook receives (README "Call records"
// has an example of each) and the narrow hook through which a call reports what happened.
import type { AiEvent } from '../ai/types.js';
import type { AudioFormat } from '../media/types.js';

/** One final turn of the conversation. Times are ms since the call started. */
export interface TranscriptTurn {
  readonly role: 'caller' | 'agent';
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Agent turn cut off by the caller: `text` is what was heard, `heardMs` of its audio. */
  readonly interrupted?: true;
  readonly heardMs?: number;
  /**
   * How the heard text was cut: `sentence_timing` (cascade: each spoken sentence's audio
   * length), `delta_position` (each transcript delta placed at the item's audio received when it
   * arrived: approximate, the provider gives no word timings).
   */
  readonly cut?: 'sentence_timing' | 'delta_position';
  /** Caller turn whose transcription never came (failed, or the call ended first). */
  readonly untranscribed?: true;
}

export interface CallFigures {
  readonly durationMs: number;
  readonly bargeIns: number;
  readonly reconnects: number;
  /** Caller end of speech → first agent audio, per reply, ms. */
  readonly firstAudioMs: readonly number[];
  /** Per-call drops by reason (the units parley_drops_total counts). */
  readonly drops: Readonly<Record<string, number>>;
  readonly framesIn: number;
  readonly framesOut: number;
}

interface EventBase {
  /** Idempotency key: the same event redelivered carries the same id. */
  readonly eventId: string;
  readonly callId: string;
  /** Position of the event in its call (1, 2, …): delivered in this order. */
  readonly seq: number;
  /** Wall-clock time the event was made, ISO 8601. */
  readonly at: string;
}

export type CallEvent =
  | (EventBase & { readonly type: 'call.started'; readonly protocol: string; readonly streamId: string; readonly format: AudioFormat; readonly profile: string })
  | (EventBase & { readonly type: 'call.transcript'; readonly turn: TranscriptTurn })
  | (EventBase & {
      readonly type: 'call.tool';
      readonly name: string;
      readonly latencyMs: number;
      readonly outcome: string;
      readonly arguments?: string;
    })
  | (EventBase & { readonly type: 'call.transferred'; readonly target: string })
  | (EventBase & {
      readonly type: 'call.ended';
      readonly reason: string;
      readonly profile: string;
      readonly transcript: readonly TranscriptTurn[];
      readonly recording?: string;
      readonly recordingError?: string;
    } & CallFigures);

export type CallEventType = CallEvent['type'];

/** What a call knows when it starts (the telephony `start`). */
export interface CallStartInfo {
  readonly callId: string;
  readonly protocol: string;
  readonly streamId: string;
  readonly format: AudioFormat;
  readonly profile: string;
}

/**
 * The hook a call notifies (src/session calls it; src/records implements it). Every method is
 * cheap and never throws: nothing here may block or slow the media path.
 */
export interface CallObserver {
  started(info: CallStartInfo, now: number): void;
  /** Caller audio as it arrived, in the telephony format. */
  callerAudio(payload: Buffer, now: number): void;
  /** An agent frame that left Parley for the caller, in the telephony format, played after `aheadMs` still queued at the far side. */
  agentFrame(bytes: Buffer, itemId: string | undefined, now: number, aheadMs: number): void;
  /** The far side was cleared: what it still held is never heard. */
  cleared(now: number): void;
  /** The agent's audio is over (the far side played everything). */
  playoutDrained(now: number): void;
  /** An AI event of the current connection (transcripts, speech, audio), with the AI format. */
  aiEvent(ev: AiEvent, aiFormat: AudioFormat | undefined, now: number): void;
  /** A barge-in: the item cut and how much of it was heard (null: none was playing). */
  bargeIn(cut: { readonly itemId: string; readonly ms: number } | null, now: number): void;
  /** The AI link came back after a loss. */
  reconnected(): void;
  firstAudio(ms: number): void;
  drop(reason: string, units: number): void;
  toolCall(name: string, args: string, outcome: string, latencyMs: number): void;
  transferred(target: string): void;
  ended(reason: string, now: number): void;
}

/** Makes one observer per call (the process-wide records service). */
export interface CallRecorder {
  observe(connId: string): CallObserver;
}

/** An observer that records nothing (no records configured). */
export const NO_OBSERVER: CallObserver = {
  started() {},
  callerAudio() {},
  agentFrame() {},
  cleared() {},
  playoutDrained() {},
  aiEvent() {},
  bargeIn() {},
  reconnected() {},
  firstAudio() {},
  drop() {},
  toolCall() {},
  transferred() {},
  ended() {},
};
