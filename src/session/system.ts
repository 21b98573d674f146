// The call's machines and every route between them. A route is a row of ROUTES: when the
// `from` machine performs `action`, the runtime first does the action's effect (effects/), then
// sends `event` to the `to` machine — unless the effect returned false (it had nothing to act
// on). No other code sends one machine's decision to another machine: this table is the whole
// protocol wiring. Inputs from outside (telephony, AI, media core) are in in/.
import { createActor, type Actor } from 'xstate';
import { aiLinkMachine } from '../../machines/aiLink.js';
import { playoutMachine } from '../../machines/playout.js';
import { sessionMachine } from '../../machines/session.js';
import { turnMachine } from '../../machines/turn.js';
import { callControlMachine } from '../../machines/callControl.js';
import type { CallTrace } from '../obs/index.js';
import type { CallEffects, EffectResult } from './effects/types.js';
import { coalesceMarkEchoes, type MarkEchoes } from './markEchoes.js';

export type MachineName = 'session' | 'aiLink' | 'turn' | 'playout' | 'toolCalls' | 'callControl';

export interface Route {
  readonly from: MachineName;
  readonly action: string;
  readonly to: MachineName;
  /** A payload-free event of the target machine. */
  readonly event: string;
  readonly why: string;
}

export const ROUTES: readonly Route[] = [
  { from: 'session', action: 'startAiLink', to: 'aiLink', event: 'START', why: 'the call started: open the first AI connection' },
  { from: 'session', action: 'stopAiLink', to: 'aiLink', event: 'STOP', why: 'cleanup: the AI link stops (answers AI_STOPPED)' },
  { from: 'session', action: 'beginCleanup', to: 'playout', event: 'CLOSE', why: 'cleanup: no more writes or frames' },
  { from: 'session', action: 'beginCleanup', to: 'turn', event: 'END', why: 'cleanup: no more turns' },
  { from: 'session', action: 'beginCleanup', to: 'toolCalls', event: 'END', why: 'cleanup: every tool request is aborted (TC3)' },
  { from: 'session', action: 'beginCleanup', to: 'callControl', event: 'CALL_ENDED', why: 'cleanup: no platform action after the caller left (CC3)' },
  { from: 'callControl', action: 'endSession', to: 'session', event: 'STOP', why: 'the call was hung up or transferred: the session ends with that reason' },
  { from: 'session', action: 'playNotice', to: 'playout', event: 'END_OF_RESPONSE', why: 'the give-up notice is all there is: play it below the lookahead' },
  { from: 'aiLink', action: 'reportLinkLost', to: 'turn', event: 'AI_LINK_LOST', why: "the lost connection's response is gone" },
  { from: 'aiLink', action: 'reportLinkLost', to: 'toolCalls', event: 'LINK_LOST', why: "the next connection does not know the lost one's call_ids: their outputs are dropped (TC1)" },
  { from: 'aiLink', action: 'giveUp', to: 'session', event: 'AI_GAVE_UP', why: 'reconnects exhausted or fatal: the call says goodbye' },
  { from: 'aiLink', action: 'reportStopped', to: 'session', event: 'AI_STOPPED', why: 'the link has stopped: cleanup may release the media' },
  { from: 'turn', action: 'requestFlush', to: 'playout', event: 'FLUSH', why: 'barge-in bumped the epoch: the media thread flushes the ring' },
];

/** Runs an action's effect, then its routes (unless the effect could not be performed). */
type Router = (from: MachineName, action: string, effect: () => EffectResult) => void;

function sessionLogic(fx: CallEffects['session'], route: Router) {
  const r = (action: keyof CallEffects['session'], effect: () => EffectResult) => () => route('session', action, effect);
  return sessionMachine.provide({
    actions: {
      startAiLink: r('startAiLink', () => fx.startAiLink()),
      startTimer: (_, params) => route('session', 'startTimer', () => fx.startTimer(params.timer)),
      playNotice: r('playNotice', () => fx.playNotice()),
      beginCleanup: r('beginCleanup', () => fx.beginCleanup()),
      cancelTimers: r('cancelTimers', () => fx.cancelTimers()),
      closeTelephony: ({ context }) => route('session', 'closeTelephony', () => fx.closeTelephony(context.reason)),
      stopAiLink: r('stopAiLink', () => fx.stopAiLink()),
      requestMediaRelease: r('requestMediaRelease', () => fx.requestMediaRelease()),
      freeCall: r('freeCall', () => fx.freeCall()),
      reportEnded: ({ context }) => route('session', 'reportEnded', () => fx.reportEnded(context.reason)),
    },
  });
}

function aiLinkLogic(fx: CallEffects['aiLink'], route: Router) {
  const r = (action: keyof CallEffects['aiLink'], effect: () => EffectResult) => () => route('aiLink', action, effect);
  return aiLinkMachine.provide({
    actions: {
      openConnection: ({ context }) => route('aiLink', 'openConnection', () => fx.openConnection(context)),
      configureSession: r('configureSession', () => fx.configureSession()),
      replayConversation: r('replayConversation', () => fx.replayConversation()),
      flushCaptureBacklog: r('flushCaptureBacklog', () => fx.flushCaptureBacklog()),
      dropConnection: r('dropConnection', () => fx.dropConnection()),
      scheduleReconnect: ({ context }) => route('aiLink', 'scheduleReconnect', () => fx.scheduleReconnect(context)),
      reportLinkLost: r('reportLinkLost', () => fx.reportLinkLost()),
      giveUp: r('giveUp', () => fx.giveUp()),
      cancelReconnectTimer: r('cancelReconnectTimer', () => fx.cancelReconnectTimer()),
      reportStopped: r('reportStopped', () => fx.reportStopped()),
    },
  });
}

function turnLogic(fx: CallEffects['turn'], route: Router) {
  return turnMachine.provide({
    actions: {
      enqueueAudio: ({ context, event }) => {
        if (event.type === 'AUDIO_DELTA') route('turn', 'enqueueAudio', () => fx.enqueueAudio(context, event));
      },
      dropStaleAudio: ({ event }) => route('turn', 'dropStaleAudio', () => fx.dropStaleAudio(event)),
      forwardText: () => route('turn', 'forwardText', () => fx.forwardText()),
      dropStaleText: () => route('turn', 'dropStaleText', () => fx.dropStaleText()),
      requestFlush: ({ context }) => route('turn', 'requestFlush', () => fx.requestFlush(context)),
      sendClear: () => route('turn', 'sendClear', () => fx.sendClear()),
      sendCancel: ({ context }) => route('turn', 'sendCancel', () => fx.sendCancel(context)),
      sendTruncate: ({ context }) => route('turn', 'sendTruncate', () => fx.sendTruncate(context)),
      reportBargeIn: ({ context }) => route('turn', 'reportBargeIn', () => fx.reportBargeIn(context)),
      dropStaleMark: () => route('turn', 'dropStaleMark', () => fx.dropStaleMark()),
    },
  });
}

function playoutLogic(fx: CallEffects['playout'], route: Router) {
  return playoutMachine.provide({
    actions: {
      requestFlush: () => route('playout', 'requestFlush', () => fx.requestFlush()),
      releaseCall: () => route('playout', 'releaseCall', () => fx.releaseCall()),
    },
  });
}

function callControlLogic(fx: CallEffects['callControl'], route: Router) {
  const r = (action: keyof CallEffects['callControl'], effect: () => EffectResult) => () => route('callControl', action, effect);
  return callControlMachine.provide({
    actions: {
      closeConversation: r('closeConversation', () => fx.closeConversation()),
      startWaitTimer: r('startWaitTimer', () => fx.startWaitTimer()),
      cancelWaitTimer: r('cancelWaitTimer', () => fx.cancelWaitTimer()),
      issueHangup: r('issueHangup', () => fx.issueHangup()),
      issueTransfer: r('issueTransfer', () => fx.issueTransfer()),
      reportFailed: r('reportFailed', () => fx.reportFailed()),
      reopenConversation: r('reopenConversation', () => fx.reopenConversation()),
      endSession: r('endSession', () => fx.endSession()),
    },
  });
}

export interface CallActors {
  readonly session: Actor<ReturnType<typeof sessionLogic>>;
  readonly aiLink: Actor<ReturnType<typeof aiLinkLogic>>;
  readonly turn: Actor<ReturnType<typeof turnLogic>>;
  readonly playout: Actor<ReturnType<typeof playoutLogic>>;
  readonly callControl: Actor<ReturnType<typeof callControlLogic>>;
  /** The live toolCalls actors (one per response with tool calls): a route's event goes to each. */
  readonly toolCalls: ToolCallsTarget;
  /** Set when echoed marks are coalesced (markEchoes.ts): ticked once per media wake-up. */
  readonly markEchoes?: MarkEchoes;
}

export interface ToolCallsTarget {
  send(ev: { type: string }): void;
}

/** With no tool calls running, a routed event is only recorded (like a finished actor's). */
const recordOnly = (trace: CallTrace): ToolCallsTarget => ({
  send: (ev) => trace.record('machine', ev.type, { machine: 'toolCalls', ignored: 'no tool calls running' }),
});

export interface SystemOptions {
  readonly maxAttempts: number;
  readonly lookaheadMs: number;
  /** Audio held beyond the chunk just written before a response starts (the far side's cushion). */
  readonly cushionMs?: number;
  readonly turn: { readonly position: 'marks' | 'delivered'; readonly bargeIn: boolean };
  /**
   * Coalesce echoed marks of the current epoch (markEchoes.ts). Not done when the trace records
   * machine steps: a traced run (trace validation, MBT, chaos) delivers every echo as its own step.
   */
  readonly coalesceMarks?: boolean;
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

/** Creates (not starts) the call's actors with their effects and the routes of ROUTES. */
export function createCallSystem(fx: CallEffects, trace: CallTrace, opts: SystemOptions, toolCalls: ToolCallsTarget = recordOnly(trace)): CallActors {
  let actors: CallActors | undefined;
  const route: Router = (from, action, effect) => {
    if (effect() === false || !actors) return;
    for (const row of ROUTES) {
      if (row.from === from && row.action === action) (actors[row.to] as { send(ev: { type: string }): void }).send({ type: row.event });
    }
  };
  const session = createActor(sessionLogic(fx.session, route), { inspect: trace.inspector('session') });
  const aiLink = createActor(aiLinkLogic(fx.aiLink, route), { input: { maxAttempts: opts.maxAttempts }, inspect: trace.inspector('aiLink') });
  const turnInspect = trace.inspector('turn');
  const turn = createActor(turnLogic(fx.turn, route), { input: { position: opts.turn.position, bargeIn: opts.turn.bargeIn }, inspect: turnInspect });
  const playout = createActor(playoutLogic(fx.playout, route), { input: { lookaheadMs: opts.lookaheadMs, cushionMs: opts.cushionMs ?? 0 }, inspect: trace.inspector('playout') });
  const callControl = createActor(callControlLogic(fx.callControl, route), { inspect: trace.inspector('callControl') });
  // Live inspection (/inspect) attaches to these only while someone watches.
  if (trace.watch) {
    trace.watch('session', session);
    trace.watch('aiLink', aiLink);
    trace.watch('turn', turn);
    trace.watch('playout', playout);
    trace.watch('callControl', callControl);
  }
  const turnActor = finishedIgnores(turn, 'turn', trace);
  actors = {
    session: finishedIgnores(session, 'session', trace),
    callControl: finishedIgnores(callControl, 'callControl', trace),
    aiLink: finishedIgnores(aiLink, 'aiLink', trace),
    turn: turnActor,
    playout: finishedIgnores(playout, 'playout', trace),
    toolCalls,
    ...(opts.coalesceMarks && !turnInspect ? { markEchoes: coalesceMarkEchoes(turnActor) } : {}),
  };
  return actors;
}
