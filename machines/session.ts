/**
 * session — one call's lifecycle: connecting → active → (farewell) → draining → closed.
 *
 * EVENTS (exact type and payload the runtime sends)
 *   CALL_STARTED                      telephony `start` arrived (Twilio `start`, audio-stream first metadata)
 *   PAUSE | RESUME                    operator pause / resume of caller capture
 *   HANGUP                            the far side ended the call (Twilio `stop`, audio-stream close)
 *   STOP                              API / operator stop
 *   SOCKET_ERROR                      telephony socket error or unexpected close
 *   SHUTDOWN                          the server began shutting down (graceful drain)
 *   AI_GAVE_UP                        the aiLink machine entered `failed` (performed its `giveUp`)
 *   PLAYOUT_DRAINED                   the farewell notice has been played out completely
 *   TIMER_FIRED { timer: 'drainDeadline' | 'noticeDeadline' }
 *   AI_STOPPED                        the aiLink machine reached `stopped` (performed its `reportStopped`)
 *   MEDIA_RELEASED                    the media thread acknowledged the call's removal (or the call was
 *                                     never registered: the runtime then sends it at once)
 *
 * GUARDS   notShuttingDown; isTimer { timer }
 * TAGS     media.capture  (caller audio may be captured and forwarded)   — active.live only
 *          media.inject   (JS may write agent audio into the playout ring) — active.*, farewell
 *          media.playout  (the media thread may emit agent frames)        — active.*, farewell
 *          media.closing  (cleanup has begun: no capture, inject or playout) — draining.*, closed
 * CONTEXT  reason: why cleanup began (set once, on the transition into draining); shuttingDown.
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   startAiLink          send START to the aiLink actor and register the call with the media core
 *   startTimer {timer}   arm the named one-shot timer (drainDeadline: config drain deadline;
 *                        noticeDeadline: config notice bound); it later sends TIMER_FIRED { timer }
 *   playNotice           queue the give-up notice (spoken text or tone) for playout
 *   beginCleanup         the once-only cleanup: set the call's closing flag and write the media state
 *                        word from the new tags, so the core stops capture/inject/playout for the call
 *   cancelTimers         cancel every timer of this session
 *   closeTelephony       send the protocol's goodbye and close the telephony socket (fire and forget)
 *   stopAiLink           send STOP to the aiLink actor (it answers with AI_STOPPED)
 *   requestMediaRelease  queue the media core's unregister command (it answers with MEDIA_RELEASED)
 *   freeCall             free per-call memory and handles (only now: the media thread has let go)
 *   reportEnded          emit the call-ended log/metric/trace record with context.reason
 */
import { assign, setup } from 'xstate';

export type EndReason = 'hangup' | 'stop' | 'socketError' | 'shutdown' | 'aiGaveUp';
export type SessionTimer = 'drainDeadline' | 'noticeDeadline';

export type SessionEvent =
  | { type: 'CALL_STARTED' }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'HANGUP' }
  | { type: 'STOP' }
  | { type: 'SOCKET_ERROR' }
  | { type: 'SHUTDOWN' }
  | { type: 'AI_GAVE_UP' }
  | { type: 'PLAYOUT_DRAINED' }
  | { type: 'TIMER_FIRED'; timer: SessionTimer }
  | { type: 'AI_STOPPED' }
  | { type: 'MEDIA_RELEASED' };

export interface SessionContext {
  reason: EndReason | null;
  shuttingDown: boolean;
}

/** Actions that begin cleanup, in order: reason, once-flag, timers, sockets, AI link. */
const cleanup = (reason: EndReason) =>
  [
    { type: 'setReason', params: { reason } },
    'beginCleanup',
    'cancelTimers',
    'closeTelephony',
    'stopAiLink',
  ] as const;

/** Hang-up, stop and socket error end the call from every state before draining. */
const endings = {
  HANGUP: { target: '#session.draining', actions: cleanup('hangup') },
  STOP: { target: '#session.draining', actions: cleanup('stop') },
  SOCKET_ERROR: { target: '#session.draining', actions: cleanup('socketError') },
} as const;

/** Shutdown while a call runs: let it finish, but force it closed at the drain deadline. */
const gracefulShutdown = {
  SHUTDOWN: {
    guard: 'notShuttingDown',
    actions: ['markShuttingDown', { type: 'startTimer', params: { timer: 'drainDeadline' } }],
  },
  TIMER_FIRED: {
    guard: { type: 'isTimer', params: { timer: 'drainDeadline' } },
    target: '#session.draining',
    actions: cleanup('shutdown'),
  },
} as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    tags: {} as 'media.capture' | 'media.inject' | 'media.playout' | 'media.closing',
  },
  guards: {
    notShuttingDown: ({ context }) => !context.shuttingDown,
    isTimer: ({ event }, params: { timer: SessionTimer }) =>
      event.type === 'TIMER_FIRED' && event.timer === params.timer,
  },
  actions: {
    setReason: assign((_, params: { reason: EndReason }) => ({ reason: params.reason })),
    markShuttingDown: assign({ shuttingDown: true }),
    // Effects: performed by the session runtime (machine.provide), no-ops here.
    startAiLink: () => {},
    startTimer: (_, _params: { timer: SessionTimer }) => {},
    playNotice: () => {},
    beginCleanup: () => {},
    cancelTimers: () => {},
    closeTelephony: () => {},
    stopAiLink: () => {},
    requestMediaRelease: () => {},
    freeCall: () => {},
    reportEnded: () => {},
  },
}).createMachine({
  id: 'session',
  initial: 'connecting',
  context: { reason: null, shuttingDown: false },
  states: {
    connecting: {
      on: {
        CALL_STARTED: { target: 'active', actions: 'startAiLink' },
        // A call that has not started yet never starts once shutdown began (SE5).
        SHUTDOWN: { target: 'draining', actions: ['markShuttingDown', ...cleanup('shutdown')] },
        ...endings,
      },
    },
    active: {
      initial: 'live',
      states: {
        live: {
          tags: ['media.capture', 'media.inject', 'media.playout'],
          on: { PAUSE: 'paused' },
        },
        paused: {
          tags: ['media.inject', 'media.playout'],
          on: { RESUME: 'live' },
        },
      },
      on: {
        AI_GAVE_UP: 'farewell',
        ...gracefulShutdown,
        ...endings,
      },
    },
    // The AI is gone for good: tell the caller, then end the call cleanly.
    farewell: {
      tags: ['media.inject', 'media.playout'],
      entry: ['playNotice', { type: 'startTimer', params: { timer: 'noticeDeadline' } }],
      on: {
        PLAYOUT_DRAINED: { target: 'draining', actions: cleanup('aiGaveUp') },
        TIMER_FIRED: [
          {
            guard: { type: 'isTimer', params: { timer: 'noticeDeadline' } },
            target: 'draining',
            actions: cleanup('aiGaveUp'),
          },
          gracefulShutdown.TIMER_FIRED,
        ],
        SHUTDOWN: gracefulShutdown.SHUTDOWN,
        ...endings,
      },
    },
    // Cleanup has begun (exactly once: draining is entered once and never left backwards).
    // The AI link stops first so that nothing new reaches the playout ring, then the media
    // core lets go of the call, and only then is its memory freed.
    draining: {
      tags: ['media.closing'],
      initial: 'stoppingAi',
      states: {
        stoppingAi: {
          on: { AI_STOPPED: 'releasingMedia' },
        },
        releasingMedia: {
          entry: 'requestMediaRelease',
          on: { MEDIA_RELEASED: '#session.closed' },
        },
      },
    },
    closed: {
      type: 'final',
      tags: ['media.closing'],
      entry: ['freeCall', 'reportEnded'],
    },
  },
});

export type SessionMachine = typeof sessionMachine;
