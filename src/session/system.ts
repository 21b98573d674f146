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

/**
 * The machines with their actions are built once per process, not once per call: `provide()`
 * builds a machine's whole state-node tree (about 70 KB of heap for the five, per call). An
 * action finds its call's effects and router through the actor it runs in (`self`), bound in
 * createCallSystem before the actor starts.
 */
interface Binding {
  readonly fx: CallEffects;
  readonly route: Router;
}
const bindings = new WeakMap<object, Binding>();
function bound(self: object): Binding {
  const b = bindings.get(self);
  if (!b) throw new Error('call system: an actor ran an action before its effects were bound');
  return b;
}

type Effects<M extends keyof CallEffects> = CallEffects[M];
/** An action of machine `m` that runs `effect(fx)` through the router under the action's name. */
function via<M extends MachineName & keyof CallEffects>(m: M, action: string, effect: (fx: Effects<M>) => EffectResult) {
  return ({ self }: { self: object }) => {
    const b = bound(self);
    b.route(m, action, () => effect(b.fx[m]));
  };
}

const sessionLogic = sessionMachine.provide({
  actions: {
    startAiLink: via('session', 'startAiLink', (fx) => fx.startAiLink()),
    startTimer: ({ self }, params) => {
      const b = bound(self);
      b.route('session', 'startTimer', () => b.fx.session.startTimer(params.timer));
    },
    playNotice: via('session', 'playNotice', (fx) => fx.playNotice()),
    beginCleanup: via('session', 'beginCleanup', (fx) => fx.beginCleanup()),
    cancelTimers: via('session', 'cancelTimers', (fx) => fx.cancelTimers()),
    closeTelephony: ({ context, self }) => {
      const b = bound(self);
      b.route('session', 'closeTelephony', () => b.fx.session.closeTelephony(context.reason));
    },
    stopAiLink: via('session', 'stopAiLink', (fx) => fx.stopAiLink()),
    requestMediaRelease: via('session', 'requestMediaRelease', (fx) => fx.requestMediaRelease()),
    freeCall: via('session', 'freeCall', (fx) => fx.freeCall()),
    reportEnded: ({ context, self }) => {
      const b = bound(self);
      b.route('session', 'reportEnded', () => b.fx.session.reportEnded(context.reason));
    },
  },
});

const aiLinkLogic = aiLinkMachine.provide({
  actions: {
    openConnection: ({ context, self }) => {
      const b = bound(self);
      b.route('aiLink', 'openConnection', () => b.fx.aiLink.openConnection(context));
    },
    configureSession: via('aiLink', 'configureSession', (fx) => fx.configureSession()),
    replayConversation: via('aiLink', 'replayConversation', (fx) => fx.replayConversation()),
    flushCaptureBacklog: via('aiLink', 'flushCaptureBacklog', (fx) => fx.flushCaptureBacklog()),
    dropConnection: via('aiLink', 'dropConnection', (fx) => fx.dropConnection()),
    scheduleReconnect: ({ context, self }) => {
      const b = bound(self);
      b.route('aiLink', 'scheduleReconnect', () => b.fx.aiLink.scheduleReconnect(context));
    },
    reportLinkLost: via('aiLink', 'reportLinkLost', (fx) => fx.reportLinkLost()),
    giveUp: via('aiLink', 'giveUp', (fx) => fx.giveUp()),
    cancelReconnectTimer: via('aiLink', 'cancelReconnectTimer', (fx) => fx.cancelReconnectTimer()),
    reportStopped: via('aiLink', 'reportStopped', (fx) => fx.reportStopped()),
  },
});

const turnLogic = turnMachine.provide({
  actions: {
    enqueueAudio: ({ context, event, self }) => {
      if (event.type !== 'AUDIO_DELTA') return;
      const b = bound(self);
      b.route('turn', 'enqueueAudio', () => b.fx.turn.enqueueAudio(context, event));
    },
    dropStaleAudio: ({ event, self }) => {
      const b = bound(self);
      b.route('turn', 'dropStaleAudio', () => b.fx.turn.dropStaleAudio(event));
    },
    forwardText: via('turn', 'forwardText', (fx) => fx.forwardText()),
    dropStaleText: via('turn', 'dropStaleText', (fx) => fx.dropStaleText()),
    requestFlush: ({ context, self }) => {
      const b = bound(self);
      b.route('turn', 'requestFlush', () => b.fx.turn.requestFlush(context));
    },
    sendClear: via('turn', 'sendClear', (fx) => fx.sendClear()),
    sendCancel: ({ context, self }) => {
      const b = bound(self);
      b.route('turn', 'sendCancel', () => b.fx.turn.sendCancel(context));
    },
    sendTruncate: ({ context, self }) => {
      const b = bound(self);
      b.route('turn', 'sendTruncate', () => b.fx.turn.sendTruncate(context));
    },
    reportBargeIn: ({ context, self }) => {
      const b = bound(self);
      b.route('turn', 'reportBargeIn', () => b.fx.turn.reportBargeIn(context));
    },
    dropStaleMark: via('turn', 'dropStaleMark', (fx) => fx.dropStaleMark()),
  },
});

const playoutLogic = playoutMachine.provide({
  actions: {
    requestFlush: via('playout', 'requestFlush', (fx) => fx.requestFlush()),
    releaseCall: via('playout', 'releaseCall', (fx) => fx.releaseCall()),
  },
});

const callControlLogic = callControlMachine.provide({
  actions: {
    closeConversation: via('callControl', 'closeConversation', (fx) => fx.closeConversation()),
    startWaitTimer: via('callControl', 'startWaitTimer', (fx) => fx.startWaitTimer()),
    cancelWaitTimer: via('callControl', 'cancelWaitTimer', (fx) => fx.cancelWaitTimer()),
    issueHangup: via('callControl', 'issueHangup', (fx) => fx.issueHangup()),
    issueTransfer: via('callControl', 'issueTransfer', (fx) => fx.issueTransfer()),
    reportFailed: via('callControl', 'reportFailed', (fx) => fx.reportFailed()),
    reopenConversation: via('callControl', 'reopenConversation', (fx) => fx.reopenConversation()),
    endSession: via('callControl', 'endSession', (fx) => fx.endSession()),
  },
});

export interface CallActors {
  readonly session: Actor<typeof sessionLogic>;
  readonly aiLink: Actor<typeof aiLinkLogic>;
  readonly turn: Actor<typeof turnLogic>;
  readonly playout: Actor<typeof playoutLogic>;
  readonly callControl: Actor<typeof callControlLogic>;
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
  const session = createActor(sessionLogic, { inspect: trace.inspector('session') });
  const aiLink = createActor(aiLinkLogic, { input: { maxAttempts: opts.maxAttempts }, inspect: trace.inspector('aiLink') });
  const turnInspect = trace.inspector('turn');
  const turn = createActor(turnLogic, { input: { position: opts.turn.position, bargeIn: opts.turn.bargeIn }, inspect: turnInspect });
  const playout = createActor(playoutLogic, { input: { lookaheadMs: opts.lookaheadMs, cushionMs: opts.cushionMs ?? 0 }, inspect: trace.inspector('playout') });
  const callControl = createActor(callControlLogic, { inspect: trace.inspector('callControl') });
  const binding: Binding = { fx, route };
  for (const a of [session, aiLink, turn, playout, callControl]) bindings.set(a, binding);
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
