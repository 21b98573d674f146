/**
 * aiLink — the connection to the AI provider: generations, loss, backoff, give-up, stop.
 *
 * Every connection carries a generation (context.generation, modulo generationModulus). The
 * runtime tags each socket with the generation it was opened for and puts it on every event the
 * socket produces; events of any other generation match no guard and change nothing (AL1).
 * The generation is bumped the moment a loss is accepted, so the lost socket's second callback
 * (close after error, or error after close) is already stale: one loss, one reconnect (AL2).
 *
 * EVENTS (exact type and payload the runtime sends)
 *   START                                           the call started: open the first connection
 *   AI_OPEN  { generation }                         the socket of that generation is open (upgrade done)
 *   AI_CLOSE { generation, fatal }                  it closed; fatal = auth/config/policy refusal
 *   AI_ERROR { generation, fatal }                  the provider's error event; fatal as above. Connecting: a failed
 *                                                   connect. Open: only a fatal one is a loss (the session stays open)
 *   TIMER_FIRED { timer: 'reconnect', generation }  the backoff timer armed by scheduleReconnect
 *   STOP                                            the session is cleaning up
 *
 * GUARDS   isCurrent (event.generation = context.generation), isFatal, canRetry (attempt < maxAttempts),
 *          hasOpenedBefore, isReconnectTimer; combined with and.
 * TAGS     ai.send   (open: sends go to the socket of context.generation, and only there)
 *          ai.buffer (idle, connecting, backoff: caller audio is kept in the bounded gap buffer)
 *          ai.down   (failed, stopped: caller audio is dropped and counted)
 * CONTEXT  generation, attempt (reconnect attempts started for the current loss, 0..maxAttempts),
 *          maxAttempts, generationModulus, everOpened.
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   openConnection        open a socket for context.generation (handshake timeout → AI_ERROR)
 *   configureSession      send session.update (voice, formats, VAD, tools, instructions)
 *   replayConversation    re-create the conversation context where the provider allows it
 *   flushCaptureBacklog   send the caller audio buffered during the gap, in order (AL5)
 *   dropConnection        detach and close the current socket (its later events are stale)
 *   scheduleReconnect     arm the reconnect timer for reconnectDelayMs(context.attempt) (+ jitter);
 *                         it sends TIMER_FIRED { timer: 'reconnect', generation: context.generation }
 *   reportLinkLost        tell the turn machine (AI_LINK_LOST): the active response is gone
 *   giveUp                drop the gap buffer (counted) and tell the session (AI_GAVE_UP)
 *   cancelReconnectTimer  cancel the reconnect timer if armed (AL3)
 *   reportStopped         tell the session (AI_STOPPED)
 */
import { and, assign, setup } from 'xstate';

/** The reconnect backoff: the delay before each attempt (the last repeats) and its jitter. */
export interface Backoff {
  readonly delaysMs: readonly number[];
  /** Fraction of each delay added or taken at random (0 = exact). */
  readonly jitter: number;
}

/** Default backoff before attempt n (0-based); the last value repeats. */
export const RECONNECT_BACKOFF_MS = [100, 1000, 2000, 4000] as const;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_GENERATION_MODULUS = 1024;
export const DEFAULT_JITTER = 0.2;

/**
 * Backoff before reconnect attempt n (0-based): the configured delay, the last repeating, moved
 * by up to ±jitter of itself with `random` (in [0, 1): the runtime's injected randomness).
 * The one place the delay is computed: the config's defaults and the runtime both use it.
 */
export function reconnectDelayMs(
  attempt: number,
  backoff: Backoff = { delaysMs: RECONNECT_BACKOFF_MS, jitter: 0 },
  random: () => number = () => 0.5,
): number {
  const d = backoff.delaysMs;
  const base = d[Math.min(Math.max(attempt, 0), d.length - 1)] ?? RECONNECT_BACKOFF_MS[0];
  return Math.max(0, Math.round(base * (1 + backoff.jitter * (2 * random() - 1))));
}

export type AiLinkEvent =
  | { type: 'START' }
  | { type: 'AI_OPEN'; generation: number }
  | { type: 'AI_CLOSE'; generation: number; fatal: boolean }
  | { type: 'AI_ERROR'; generation: number; fatal: boolean }
  | { type: 'TIMER_FIRED'; timer: 'reconnect'; generation: number }
  | { type: 'STOP' };

export interface AiLinkContext {
  generation: number;
  attempt: number;
  maxAttempts: number;
  generationModulus: number;
  everOpened: boolean;
}

export interface AiLinkInput {
  maxAttempts?: number;
  generationModulus?: number;
}

/** A loss (close or error of the current connection) in connecting or open. */
const onLoss = [
  { guard: and(['isCurrent', 'isFatal']), target: '#aiLink.failed', actions: 'dropConnection' },
  {
    guard: and(['isCurrent', 'canRetry']),
    target: '#aiLink.backoff',
    actions: ['dropConnection', 'bumpGeneration', 'scheduleReconnect', 'reportLinkLost'],
  },
  { guard: 'isCurrent', target: '#aiLink.failed', actions: 'dropConnection' },
] as const;

export const aiLinkMachine = setup({
  types: {
    context: {} as AiLinkContext,
    events: {} as AiLinkEvent,
    input: {} as AiLinkInput | undefined,
    tags: {} as 'ai.send' | 'ai.buffer' | 'ai.down',
  },
  guards: {
    isCurrent: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    isFatal: ({ event }) => 'fatal' in event && event.fatal,
    canRetry: ({ context }) => context.attempt < context.maxAttempts,
    hasOpenedBefore: ({ context }) => context.everOpened,
    isReconnectTimer: ({ event }) => event.type === 'TIMER_FIRED' && event.timer === 'reconnect',
  },
  actions: {
    bumpGeneration: assign({
      generation: ({ context }) => (context.generation + 1) % context.generationModulus,
    }),
    countAttempt: assign({
      attempt: ({ context }) => Math.min(context.attempt + 1, context.maxAttempts),
    }),
    markOpened: assign({ attempt: 0, everOpened: true }),
    // Effects: performed by the session runtime (machine.provide), no-ops here.
    openConnection: () => {},
    configureSession: () => {},
    replayConversation: () => {},
    flushCaptureBacklog: () => {},
    dropConnection: () => {},
    scheduleReconnect: () => {},
    reportLinkLost: () => {},
    giveUp: () => {},
    cancelReconnectTimer: () => {},
    reportStopped: () => {},
  },
}).createMachine({
  id: 'aiLink',
  initial: 'idle',
  context: ({ input }) => ({
    generation: 0,
    attempt: 0,
    maxAttempts: input?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    generationModulus: input?.generationModulus ?? DEFAULT_GENERATION_MODULUS,
    everOpened: false,
  }),
  on: {
    STOP: '.stopped',
  },
  states: {
    idle: {
      tags: ['ai.buffer'],
      on: { START: 'connecting' },
    },
    connecting: {
      tags: ['ai.buffer'],
      entry: 'openConnection',
      on: {
        AI_OPEN: [
          {
            guard: and(['isCurrent', 'hasOpenedBefore']),
            target: 'open',
            actions: ['markOpened', 'configureSession', 'replayConversation', 'flushCaptureBacklog'],
          },
          {
            guard: 'isCurrent',
            target: 'open',
            actions: ['markOpened', 'configureSession', 'flushCaptureBacklog'],
          },
        ],
        AI_CLOSE: onLoss,
        AI_ERROR: onLoss,
      },
    },
    // The provider keeps the session open after a recoverable error (server_error,
    // rate_limit_exceeded, a refused request): only a fatal one is a loss here. The socket's
    // close, if one follows, reports itself (AI_CLOSE).
    open: {
      tags: ['ai.send'],
      on: {
        AI_CLOSE: onLoss,
        AI_ERROR: { guard: and(['isCurrent', 'isFatal']), target: '#aiLink.failed', actions: 'dropConnection' },
      },
    },
    // The lost socket is already stale (generation bumped); only the timer moves on.
    backoff: {
      tags: ['ai.buffer'],
      on: {
        TIMER_FIRED: {
          guard: and(['isReconnectTimer', 'isCurrent']),
          target: 'connecting',
          actions: 'countAttempt',
        },
      },
    },
    failed: {
      tags: ['ai.down'],
      entry: 'giveUp',
    },
    stopped: {
      type: 'final',
      tags: ['ai.down'],
      entry: ['cancelReconnectTimer', 'dropConnection', 'bumpGeneration', 'reportStopped'],
    },
  },
});

export type AiLinkMachine = typeof aiLinkMachine;
