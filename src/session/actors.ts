// The four machines of a call, given the runtime's effects (machine.provide) and started with
// the trace inspector. The machines decide; the effects below only perform what they name.
import { createActor, type Actor } from 'xstate';
import { sessionMachine, type SessionTimer } from '../../machines/session.js';
import { aiLinkMachine, type AiLinkContext } from '../../machines/aiLink.js';
import { turnMachine, type TurnContext, type TurnEvent } from '../../machines/turn.js';
import { playoutMachine } from '../../machines/playout.js';
import type { CallTrace } from '../obs/index.js';

/** Everything the machines ask the runtime to do, by action name (see each machine's header). */
export interface CallEffects {
  // session
  startAiLink(): void;
  startTimer(timer: SessionTimer): void;
  playNotice(): void;
  beginCleanup(): void;
  cancelTimers(): void;
  closeTelephony(reason: string | null): void;
  stopAiLink(): void;
  requestMediaRelease(): void;
  freeCall(): void;
  reportEnded(reason: string | null): void;
  // aiLink
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
  // turn
  enqueueAudio(ctx: TurnContext, ev: Extract<TurnEvent, { type: 'AUDIO_DELTA' }>): void;
  dropStaleAudio(): void;
  forwardText(): void;
  dropStaleText(): void;
  requestFlush(ctx: TurnContext): void;
  sendClear(): void;
  sendCancel(ctx: TurnContext): void;
  sendTruncate(ctx: TurnContext): void;
  reportBargeIn(ctx: TurnContext): void;
  dropStaleMark(): void;
  // playout
  requestPlayoutFlush(): void;
  releasePlayout(): void;
}

export interface TurnOptions {
  readonly position: 'marks' | 'delivered';
  readonly bargeIn: boolean;
}

function sessionLogic(fx: CallEffects) {
  return sessionMachine.provide({
    actions: {
      startAiLink: () => fx.startAiLink(),
      startTimer: (_, params) => fx.startTimer(params.timer),
      playNotice: () => fx.playNotice(),
      beginCleanup: () => fx.beginCleanup(),
      cancelTimers: () => fx.cancelTimers(),
      closeTelephony: ({ context }) => fx.closeTelephony(context.reason),
      stopAiLink: () => fx.stopAiLink(),
      requestMediaRelease: () => fx.requestMediaRelease(),
      freeCall: () => fx.freeCall(),
      reportEnded: ({ context }) => fx.reportEnded(context.reason),
    },
  });
}

function aiLinkLogic(fx: CallEffects) {
  return aiLinkMachine.provide({
    actions: {
      openConnection: ({ context }) => fx.openConnection(context),
      configureSession: () => fx.configureSession(),
      replayConversation: () => fx.replayConversation(),
      flushCaptureBacklog: () => fx.flushCaptureBacklog(),
      dropConnection: () => fx.dropConnection(),
      scheduleReconnect: ({ context }) => fx.scheduleReconnect(context),
      reportLinkLost: () => fx.reportLinkLost(),
      giveUp: () => fx.giveUp(),
      cancelReconnectTimer: () => fx.cancelReconnectTimer(),
      reportStopped: () => fx.reportStopped(),
    },
  });
}

function turnLogic(fx: CallEffects) {
  return turnMachine.provide({
    actions: {
      enqueueAudio: ({ context, event }) => {
        if (event.type === 'AUDIO_DELTA') fx.enqueueAudio(context, event);
      },
      dropStaleAudio: () => fx.dropStaleAudio(),
      forwardText: () => fx.forwardText(),
      dropStaleText: () => fx.dropStaleText(),
      requestFlush: ({ context }) => fx.requestFlush(context),
      sendClear: () => fx.sendClear(),
      sendCancel: ({ context }) => fx.sendCancel(context),
      sendTruncate: ({ context }) => fx.sendTruncate(context),
      reportBargeIn: ({ context }) => fx.reportBargeIn(context),
      dropStaleMark: () => fx.dropStaleMark(),
    },
  });
}

function playoutLogic(fx: CallEffects) {
  return playoutMachine.provide({
    actions: {
      requestFlush: () => fx.requestPlayoutFlush(),
      releaseCall: () => fx.releasePlayout(),
    },
  });
}

export interface CallActors {
  readonly session: Actor<ReturnType<typeof sessionLogic>>;
  readonly aiLink: Actor<ReturnType<typeof aiLinkLogic>>;
  readonly turn: Actor<ReturnType<typeof turnLogic>>;
  readonly playout: Actor<ReturnType<typeof playoutLogic>>;
}

export interface ActorOptions {
  readonly maxAttempts: number;
  readonly lookaheadMs: number;
  readonly turn: TurnOptions;
}

/**
 * Late events (an AI socket closing after the link stopped, a drain after the call ended) are
 * normal at teardown: an actor that has finished records them as ignored instead of sending
 * them (XState would warn on every one).
 */
function finishedIgnores<A extends { send(ev: { type: string }): void; getSnapshot(): { status: string } }>(actor: A, machine: string, trace: CallTrace): A {
  const send = actor.send.bind(actor);
  actor.send = (ev: { type: string }) => {
    const status = actor.getSnapshot().status;
    if (status === 'active') send(ev);
    else trace.record('machine', ev.type, { machine, ignored: `actor ${status}` });
  };
  return actor;
}

/** Creates (not starts) the call's actors, each traced under its machine name. */
export function createCallActors(fx: CallEffects, trace: CallTrace, opts: ActorOptions): CallActors {
  const session = createActor(sessionLogic(fx), { inspect: trace.inspector('session') });
  const aiLink = createActor(aiLinkLogic(fx), { input: { maxAttempts: opts.maxAttempts }, inspect: trace.inspector('aiLink') });
  const turn = createActor(turnLogic(fx), {
    input: { position: opts.turn.position, bargeIn: opts.turn.bargeIn },
    inspect: trace.inspector('turn'),
  });
  const playout = createActor(playoutLogic(fx), { input: { lookaheadMs: opts.lookaheadMs }, inspect: trace.inspector('playout') });
  return {
    session: finishedIgnores(session, 'session', trace),
    aiLink: finishedIgnores(aiLink, 'aiLink', trace),
    turn: finishedIgnores(turn, 'turn', trace),
    playout: finishedIgnores(playout, 'playout', trace),
  };
}
