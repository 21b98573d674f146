// The events webhook: each event is POSTed as JSON (X-Parley-Signature like the tool webhook,
// X-Parley-Event-Id = eventId), at least once and in order per call: a call's next event waits
// until the one before it was acknowledged (2xx); a failure is retried with backoff, for ever
// while the process lives (the outbox, when there is one, carries it over a restart). Calls are
// served side by side (MAX_IN_FLIGHT requests). The queue is bounded per process: past it the
// oldest call.transcript goes first, then the oldest other event; a call.ended is never
// dropped (there is at most one per call). Nothing here runs on the media path: enqueue is a
// push, and all I/O is asynchronous.
import { signBody } from '../functions/http.js';
import type { RecordsMetrics } from './metrics.js';
import { postJson } from './post.js';
import type { Outbox } from './outbox.js';
import type { CallEvent } from './types.js';

export const MAX_IN_FLIGHT = 4;
export const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000, 15_000] as const;

export interface DeliveryOptions {
  readonly url: string;
  readonly secret?: string;
  readonly queueMax: number;
  readonly timeoutMs: number;
  readonly metrics: RecordsMetrics;
  readonly outbox?: Outbox;
  readonly random?: () => number;
  readonly backoffMs?: readonly number[];
}

interface Entry {
  readonly ev: CallEvent;
  readonly order: number;
  /** Resolves once the event is in the outbox (or at once without one). */
  readonly durable: Promise<unknown>;
}

interface CallQueue {
  readonly entries: Entry[];
  sending: boolean;
  attempt: number;
  retry: ReturnType<typeof setTimeout> | undefined;
}

export class EventDelivery {
  private readonly calls = new Map<string, CallQueue>();
  private count = 0;
  private order = 0;
  private inFlight = 0;
  private closed = false;
  private readonly idle = new Set<() => void>();
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly opts: DeliveryOptions) {}

  get queued(): number {
    return this.count;
  }

  /** Queues an event (already durable when `recovered`: it came from the outbox). */
  enqueue(ev: CallEvent, recovered = false): void {
    if (this.count >= this.opts.queueMax && ev.type !== 'call.ended' && !this.evict()) {
      return this.dropped(ev);
    }
    const box = this.opts.outbox;
    const durable = box && !recovered ? box.add(ev).then((ok) => ok || this.opts.metrics.outboxRefused.inc({ reason: 'over_bound_or_io' })) : Promise.resolve();
    let q = this.calls.get(ev.callId);
    if (!q) {
      q = { entries: [], sending: false, attempt: 0, retry: undefined };
      this.calls.set(ev.callId, q);
    }
    q.entries.push({ ev, order: ++this.order, durable });
    this.count++;
    this.opts.metrics.eventsQueued.set(this.count);
    this.pump();
  }

  /** Resolves when every queued event was acknowledged, or at `deadline` (epoch ms). */
  async drain(deadline: number): Promise<boolean> {
    if (this.count === 0) return true;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.idle.delete(done);
        resolve(this.count === 0);
      };
      const t = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.idle.add(done);
    });
  }

  /** Stops: requests in flight are aborted, retries forgotten (the outbox keeps them). */
  close(): void {
    this.closed = true;
    for (const q of this.calls.values()) clearTimeout(q.retry);
    for (const a of this.aborts) a.abort();
  }

  private pump(): void {
    if (this.closed) return;
    for (const [callId, q] of this.calls) {
      if (this.inFlight >= MAX_IN_FLIGHT) return;
      if (q.sending || q.retry || q.entries.length === 0) continue;
      void this.send(callId, q);
    }
  }

  private async send(callId: string, q: CallQueue): Promise<void> {
    const entry = q.entries[0]!;
    q.sending = true;
    this.inFlight++;
    await entry.durable; // appended to the outbox before it leaves
    const why = this.closed ? 'closed' : await this.post(entry.ev);
    this.inFlight--;
    q.sending = false;
    if (why === 'closed') return;
    if (why === undefined) {
      q.entries.shift();
      q.attempt = 0;
      this.count--;
      this.opts.metrics.eventsQueued.set(this.count);
      this.opts.metrics.eventsDelivered.inc({ type: entry.ev.type });
      this.opts.outbox?.ack(entry.ev.eventId);
      if (q.entries.length === 0) this.calls.delete(callId);
      if (this.count === 0) for (const f of [...this.idle]) f();
    } else {
      this.opts.metrics.eventsRetries.inc({ why });
      const steps = this.opts.backoffMs ?? BACKOFF_MS;
      const base = steps[Math.min(q.attempt, steps.length - 1)]!;
      q.attempt++;
      const jitter = 0.8 + 0.4 * (this.opts.random ?? Math.random)();
      q.retry = setTimeout(() => {
        q.retry = undefined;
        this.pump();
      }, base * jitter);
    }
    this.pump();
  }

  /** One POST; undefined when acknowledged, else why not. */
  private async post(ev: CallEvent): Promise<string | undefined> {
    const body = JSON.stringify(ev);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-parley-event-id': ev.eventId };
    if (this.opts.secret) headers['x-parley-signature'] = signBody(this.opts.secret, body);
    const ac = new AbortController();
    this.aborts.add(ac);
    try {
      const r = await postJson(this.opts.url, body, headers, this.opts.timeoutMs, ac.signal);
      if (r === 'aborted') return 'closed';
      if (typeof r !== 'number') return r;
      return r >= 200 && r <= 299 ? undefined : `http_${r}`;
    } finally {
      this.aborts.delete(ac);
    }
  }

  /** Makes room: the oldest call.transcript waiting, else the oldest other event but call.ended. */
  private evict(): boolean {
    let best: { q: CallQueue; i: number; e: Entry } | undefined;
    let bestOther: typeof best;
    for (const q of this.calls.values()) {
      q.entries.forEach((e, i) => {
        if (i === 0 && q.sending) return; // on the wire
        if (e.ev.type === 'call.transcript') {
          if (!best || e.order < best.e.order) best = { q, i, e };
        } else if (e.ev.type !== 'call.ended' && (!bestOther || e.order < bestOther.e.order)) bestOther = { q, i, e };
      });
    }
    const victim = best ?? bestOther;
    if (!victim) return false;
    victim.q.entries.splice(victim.i, 1);
    if (victim.q.entries.length === 0 && !victim.q.sending) {
      clearTimeout(victim.q.retry);
      this.calls.delete(victim.e.ev.callId);
    }
    this.count--;
    this.dropped(victim.e.ev);
    this.opts.outbox?.ack(victim.e.ev.eventId);
    return true;
  }

  private dropped(ev: CallEvent): void {
    this.opts.metrics.eventsDropped.inc({ type: ev.type, reason: 'overflow' });
  }
}
