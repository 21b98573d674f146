// Time as the runtime sees it: every timer of a call (drain deadline, reconnect backoff, notice
// bound, start timeout) goes through a Clock so tests can fire timers on demand.
import { performance } from 'node:perf_hooks';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** One-shot timer; never keeps the process alive on its own. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to: `advance(ms)` runs due timers in time order. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }

  /** Timers not yet fired or cancelled. */
  get armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.pending
        .filter((p) => !p.cancelled && p.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.t = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
    this.t = until;
  }
}
