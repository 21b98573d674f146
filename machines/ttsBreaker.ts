/**
 * ttsBreaker — which TTS provider speaks: the primary (ElevenLabs) or the fallback (OpenAI TTS), a
 * circuit breaker over the primary's outcomes (the original's failover, fixed for X-9 and the
 * "never retried" finding: docs/reference/original-engine.md#tts-providers-and-failover).
 *
 * Consecutive primary failures reaching the threshold open the breaker: sentences go to the
 * fallback while a cooldown runs. When it ends, the next sentence probes the primary
 * (halfOpen → probing): success closes the breaker, failure re-opens it for another cooldown.
 * A request the user aborted (barge-in) says nothing about the provider: PRIMARY_ABORTED never
 * counts as a failure, in any state (TT3). Late results of requests started before the breaker
 * opened are ignored while it is open.
 *
 * EVENTS (exact type and payload the runtime sends)
 *   PRIMARY_OK                     a primary request completed
 *   PRIMARY_FAILED                 a primary request failed (error, refusal, drop, timeout) — not aborted by us
 *   PRIMARY_ABORTED { probe }      a primary request we aborted (barge-in, call end); probe = it was the probe
 *   PROBE_STARTED                  the runtime sent the probe request to the primary (state had tag tts.probe)
 *   TIMER_FIRED { timer: 'cooldown' }  the cooldown armed by startCooldown
 *
 * GUARDS   reachesThreshold (this failure makes failures >= threshold), isProbe, isCooldownTimer
 * TAGS     tts.primary (use the primary), tts.probe (use the primary for one request, then send
 *          PROBE_STARTED), tts.fallback (use the fallback)
 * CONTEXT  failures (consecutive primary failures, saturating at threshold), threshold.
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   startCooldown   arm the cooldown timer; it sends TIMER_FIRED { timer: 'cooldown' }
 *   reportOpened    metric + log: now on the fallback
 *   reportClosed    metric + log: back on the primary
 */
import { assign, setup } from 'xstate';

export const DEFAULT_FAILURE_THRESHOLD = 3;

export type TtsBreakerEvent =
  | { type: 'PRIMARY_OK' }
  | { type: 'PRIMARY_FAILED' }
  | { type: 'PRIMARY_ABORTED'; probe: boolean }
  | { type: 'PROBE_STARTED' }
  | { type: 'TIMER_FIRED'; timer: 'cooldown' };

export interface TtsBreakerContext {
  failures: number;
  threshold: number;
}

export interface TtsBreakerInput {
  threshold?: number;
}

export const ttsBreakerMachine = setup({
  types: {
    context: {} as TtsBreakerContext,
    events: {} as TtsBreakerEvent,
    input: {} as TtsBreakerInput | undefined,
    tags: {} as 'tts.primary' | 'tts.probe' | 'tts.fallback',
  },
  guards: {
    reachesThreshold: ({ context }) => context.failures + 1 >= context.threshold,
    isProbe: ({ event }) => event.type === 'PRIMARY_ABORTED' && event.probe,
    isCooldownTimer: ({ event }) => event.type === 'TIMER_FIRED' && event.timer === 'cooldown',
  },
  actions: {
    countFailure: assign({ failures: ({ context }) => Math.min(context.failures + 1, context.threshold) }),
    resetFailures: assign({ failures: 0 }),
    // Effects: performed by the cascade runtime (machine.provide), no-ops here.
    startCooldown: () => {},
    reportOpened: () => {},
    reportClosed: () => {},
  },
}).createMachine({
  id: 'ttsBreaker',
  initial: 'closed',
  context: ({ input }) => ({ failures: 0, threshold: Math.max(1, input?.threshold ?? DEFAULT_FAILURE_THRESHOLD) }),
  states: {
    closed: {
      tags: ['tts.primary'],
      on: {
        PRIMARY_OK: { actions: 'resetFailures' },
        PRIMARY_FAILED: [
          { guard: 'reachesThreshold', target: 'open', actions: ['countFailure', 'reportOpened'] },
          { actions: 'countFailure' },
        ],
      },
    },
    open: {
      tags: ['tts.fallback'],
      entry: 'startCooldown',
      on: {
        TIMER_FIRED: { guard: 'isCooldownTimer', target: 'halfOpen' },
      },
    },
    halfOpen: {
      tags: ['tts.probe'],
      on: {
        PROBE_STARTED: 'probing',
        // A request started before the breaker opened may still report.
        PRIMARY_OK: { target: 'closed', actions: ['resetFailures', 'reportClosed'] },
        PRIMARY_FAILED: 'open',
      },
    },
    probing: {
      tags: ['tts.fallback'],
      on: {
        PRIMARY_OK: { target: 'closed', actions: ['resetFailures', 'reportClosed'] },
        PRIMARY_FAILED: 'open',
        // The probe was cut by a barge-in: no verdict, probe again with the next sentence.
        PRIMARY_ABORTED: { guard: 'isProbe', target: 'halfOpen' },
      },
    },
  },
});

export type TtsBreakerMachine = typeof ttsBreakerMachine;
