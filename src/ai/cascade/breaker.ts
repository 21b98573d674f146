// The ttsBreaker machine (machines/ttsBreaker.ts) run for the process: one breaker over the
// primary TTS provider shared by every call, so an outage seen by one call fails every call over
// (and one probe brings them all back). This wrapper only performs the machine's effects (the
// cooldown timer, reports) and maps request outcomes to its events.
import { createActor, type Actor } from 'xstate';
import { ttsBreakerMachine } from '../../../machines/ttsBreaker.js';
import type { TtsOutcome } from './tts/types.js';

/** Which provider a request goes to. 'probe' is the primary, as the half-open breaker's one probe. */
export type Route = 'primary' | 'probe' | 'fallback';

export interface BreakerOptions {
  readonly threshold: number;
  readonly cooldownMs: number;
  readonly onOpened?: () => void;
  readonly onClosed?: () => void;
}

function breakerLogic(fx: { startCooldown(): void; reportOpened(): void; reportClosed(): void }) {
  return ttsBreakerMachine.provide({
    actions: {
      startCooldown: () => fx.startCooldown(),
      reportOpened: () => fx.reportOpened(),
      reportClosed: () => fx.reportClosed(),
    },
  });
}

/**
 * How the runtime builds the process's breaker and hands it to the cascade (issue 14's seam):
 * the composition root passes one to CascadeService; the policy stays in machines/ttsBreaker.ts.
 */
export type TtsBreakerFactory = (opts: BreakerOptions) => TtsBreaker;
export const createTtsBreaker: TtsBreakerFactory = (opts) => new TtsBreaker(opts);

export class TtsBreaker {
  private readonly actor: Actor<ReturnType<typeof breakerLogic>>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BreakerOptions) {
    this.actor = createActor(
      breakerLogic({
        startCooldown: () => this.armCooldown(),
        reportOpened: () => opts.onOpened?.(),
        reportClosed: () => opts.onClosed?.(),
      }),
      { input: { threshold: opts.threshold } },
    );
    this.actor.start();
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  get failures(): number {
    return this.actor.getSnapshot().context.failures;
  }

  /** Picks the provider for the next request (taking the probe when one is due). */
  route(): Route {
    const s = this.actor.getSnapshot();
    if (s.hasTag('tts.primary')) return 'primary';
    if (s.hasTag('tts.probe')) {
      this.actor.send({ type: 'PROBE_STARTED' });
      return 'probe';
    }
    return 'fallback';
  }

  /** Where a request would go now, without taking the probe (the speaker's prefetch never probes). */
  peek(): Route {
    const s = this.actor.getSnapshot();
    return s.hasTag('tts.primary') ? 'primary' : s.hasTag('tts.probe') ? 'probe' : 'fallback';
  }

  /** The outcome of a request to the primary. Aborts (ours) are reported as such, never as failures (TT3). */
  report(outcome: TtsOutcome, probe: boolean): void {
    if (outcome.kind === 'ok') this.actor.send({ type: 'PRIMARY_OK' });
    else if (outcome.kind === 'aborted') this.actor.send({ type: 'PRIMARY_ABORTED', probe });
    else this.actor.send({ type: 'PRIMARY_FAILED' });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.actor.stop();
  }

  private armCooldown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.actor.send({ type: 'TIMER_FIRED', timer: 'cooldown' });
    }, this.opts.cooldownMs);
    this.timer.unref();
  }
}
