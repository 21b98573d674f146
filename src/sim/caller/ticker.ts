// One drift-free 20 ms clock for every simulated call in the process (absolute deadlines; a late
// wake-up runs the missed ticks back to back, like a real sender catching up). One timer for N
// calls keeps a 1000-call load generator cheap.
export type TickListener = (nowMs: number) => void;

export const TICK_MS = 20;

class Ticker {
  private readonly listeners = new Set<TickListener>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;

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
    let now = performance.now();
    // Catch up, but never by more than a second of ticks (a stopped process should not burst).
    let budget = 50;
    while (this.next <= now && budget-- > 0) {
      for (const l of [...this.listeners]) l(this.next);
      this.next += TICK_MS;
      now = performance.now();
    }
    if (this.next <= now) this.next = now + TICK_MS;
    if (this.listeners.size > 0) this.arm();
    else this.timer = undefined;
  }
}

export const ticker = new Ticker();
