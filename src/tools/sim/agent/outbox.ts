// Outgoing server events, in order, with the latency faults applied: `delay` adds latency to every
// event, `stall` holds everything until a deadline. Without either, events go out at once.
export class Outbox {
  private queue: { due: number; text?: string; action?: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 0;
  private stallUntil = 0;
  private closed = false;

  constructor(private readonly write: (text: string) => void) {}

  send(event: Readonly<Record<string, unknown>>): void {
    if (this.closed) return;
    const text = JSON.stringify(event);
    const now = Date.now();
    const due = Math.max(now + this.delayMs, this.stallUntil);
    if (this.queue.length === 0 && due <= now) {
      this.write(text);
      return;
    }
    this.queue.push({ due, text });
    this.pump();
  }

  /** Run `action` once everything queued so far has been written (e.g. close after an error). */
  then(action: () => void): void {
    if (this.closed) return;
    if (this.queue.length === 0) {
      setImmediate(action);
      return;
    }
    this.queue.push({ due: this.queue[this.queue.length - 1]!.due, action });
    this.pump();
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  stall(ms: number): void {
    this.stallUntil = Math.max(this.stallUntil, Date.now() + ms);
    for (const q of this.queue) q.due = Math.max(q.due, this.stallUntil);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.timer) return;
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length > 0 && this.queue[0]!.due <= now && !this.closed) {
        const q = this.queue.shift()!;
        if (q.text !== undefined) this.write(q.text);
        else q.action?.();
      }
      this.pump();
    }, Math.max(0, head.due - Date.now()));
  }
}
