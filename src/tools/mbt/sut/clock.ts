// The controllable clock of the system under test: time moves only when the model-based test
// says so, and each timer the runtime arms (start timeout, drain and notice deadlines, reconnect
// backoff, the goodbye's terminate) can be fired on its own, in due order.
import type { Clock, TimerHandle } from '../../../base/clock.js';

export interface PendingTimer {
  /** Creation order. */
  readonly id: number;
  /** The delay it was armed with. */
  readonly ms: number;
  /** When it is due, on this clock. */
  readonly at: number;
}

interface Timer extends PendingTimer {
  readonly fn: () => void;
  done: boolean;
}

export class StepClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = { id: this.seq++, ms, at: this.t + Math.max(0, ms), fn, done: false };
    this.timers.push(timer);
    return { cancel: () => (timer.done = true) };
  }

  /** Armed timers, earliest due first. */
  pending(): PendingTimer[] {
    this.timers = this.timers.filter((x) => !x.done);
    return [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id).map(({ id, ms, at }) => ({ id, ms, at }));
  }

  /** Fires the earliest armed timer (time jumps to its due time); undefined when none is armed. */
  fireNext(): PendingTimer | undefined {
    const next = this.pending()[0];
    if (next) this.fire(next.id);
    return next;
  }

  /**
   * Fires timer `id`, first firing every timer due before it (time never skips a timer).
   * Returns the timers fired, in order.
   */
  fire(id: number): PendingTimer[] {
    const target = this.timers.find((x) => x.id === id && !x.done);
    if (!target) throw new Error(`timer ${id} is not armed`);
    return this.runUntil(target.at, target);
  }

  /** Moves time forward by `ms`, firing what falls due, in order. */
  advance(ms: number): PendingTimer[] {
    return this.runUntil(this.t + ms);
  }

  private runUntil(until: number, last?: Timer): PendingTimer[] {
    const fired: PendingTimer[] = [];
    for (;;) {
      const due = this.timers
        .filter((x) => !x.done && (x.at < until || (x.at === until && (last === undefined || x.id <= last.id))))
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      due.done = true;
      fired.push({ id: due.id, ms: due.ms, at: due.at });
      due.fn();
    }
    this.t = Math.max(this.t, until);
    this.timers = this.timers.filter((x) => !x.done);
    return fired;
  }
}
