// What each machine asks the runtime to do: one function per action its header lists, no more.
// The machines' headers (machines/*.ts) say what each action means; effects/<machine>.ts does it.
// An effect that could not be performed (nothing to act on yet) returns false: the routes of
// that action (system.ts) then do not fire.
import type { AiLinkContext } from '../../../machines/aiLink.js';
import type { SessionTimer } from '../../../machines/session.js';
import type { TurnContext, TurnEvent } from '../../../machines/turn.js';

export type EffectResult = void | false;

export interface SessionEffects {
  startAiLink(): EffectResult;
  startTimer(timer: SessionTimer): void;
  playNotice(): EffectResult;
  beginCleanup(): void;
  cancelTimers(): void;
  closeTelephony(reason: string | null): void;
  stopAiLink(): void;
  requestMediaRelease(): void;
  freeCall(): void;
  reportEnded(reason: string | null): void;
}

export interface AiLinkEffects {
  openConnection(ctx: AiLinkContext): void;
  configureSession(): void;
  replayConversation(): void;
  flushCaptureBacklog(): void;
  dropConnection(): void;
  scheduleReconnect(ctx: AiLinkContext): void;
  reportLinkLost(): void;
  giveUp(): void;
  cancelReconnectTimer(): void;
  reportStopped(): void;
}

/** AUDIO_DELTA as the runtime sends it: the audio travels with its event (the machine ignores it). */
export type AudioDeltaEvent = Extract<TurnEvent, { type: 'AUDIO_DELTA' }> & { readonly audio: Buffer };

export interface TurnEffects {
  enqueueAudio(ctx: TurnContext, ev: Extract<TurnEvent, { type: 'AUDIO_DELTA' }>): void;
  dropStaleAudio(ev: TurnEvent): void;
  forwardText(): void;
  dropStaleText(): void;
  requestFlush(ctx: TurnContext): EffectResult;
  sendClear(): void;
  sendCancel(ctx: TurnContext): void;
  sendTruncate(ctx: TurnContext): void;
  reportBargeIn(ctx: TurnContext): void;
  dropStaleMark(): void;
}

export interface PlayoutEffects {
  requestFlush(): void;
  releaseCall(): void;
}

/** One response's tool calls (machines/toolCalls.ts): one group of calls per actor. */
export interface ToolCallsEffects {
  startRequest(): void;
  sendOutputs(): void;
  createResponse(): void;
  dropOutputs(): void;
  abortRequests(): void;
}

/** The call's call control (machines/callControl.ts). */
export interface CallControlEffects {
  closeConversation(): void;
  startWaitTimer(): void;
  cancelWaitTimer(): void;
  issueHangup(): void;
  issueTransfer(): void;
  reportFailed(): void;
  reopenConversation(): void;
  endSession(): void;
}

export interface CallEffects {
  readonly session: SessionEffects;
  readonly aiLink: AiLinkEffects;
  readonly turn: TurnEffects;
  readonly playout: PlayoutEffects;
  readonly callControl: CallControlEffects;
}

/** The audio an AUDIO_DELTA carries, if the runtime attached it. */
export function audioOf(ev: TurnEvent): Buffer | undefined {
  return 'audio' in ev && Buffer.isBuffer(ev.audio) ? ev.audio : undefined;
}
