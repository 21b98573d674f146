// One drift-free 20 ms clock for every simulated call in the process (absolute deadlines; a late
// wake-up runs a few missed ticks back to back, like a real sender catching up). One timer for N
// calls keeps a 1000-call load generator cheap. When the process is too busy to keep time, ticks
// are skipped rather than burst, and counted: a load run reports its own overload.
export type TickListener = (nowMs: number) => void;

export const TICK_MS = 20;
/** At most this many overdue ticks are run per wake-up; older ones are skipped. */
const MAX_CATCH_UP = 3;

export interface TickerStats {
  ticks: number;
  skipped: number;
  maxLateMs: number;
}

class Ticker {
  private readonly listeners = new Set<TickListener>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  readonly stats: TickerStats = { ticks: 0, skipped: 0, maxLateMs: 0 };

  add(l: TickListener): () => void {
    this.listeners.add(l);
    if (!this.timer) {
      this.next = performance.now() + TICK_MS;
      this.arm();
    }
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  private arm(): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.next - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    const late = now - this.next;
    if (late > this.stats.maxLateMs) this.stats.maxLateMs = late;
    const overdue = Math.floor(late / TICK_MS) + 1;
    if (overdue > MAX_CATCH_UP) {
      this.stats.skipped += overdue - MAX_CATCH_UP;
      this.next += (overdue - MAX_CATCH_UP) * TICK_MS;
    }
    while (this.next <= performance.now()) {
      this.stats.ticks++;
      for (const l of [...this.listeners]) l(this.next);
      this.next += TICK_MS;
      if (this.next <= performance.now() - MAX_CATCH_UP * TICK_MS) break; // fell behind again: next wake-up skips
    }
    if (this.listeners.size > 0) this.arm();
    else this.timer = undefined;
  }
}

export const ticker = new Ticker();
