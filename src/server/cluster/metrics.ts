// The primary's side of `/metrics` with workers: its own few metrics (workers, worker deaths,
// the calls a dead worker took with it, its own process) and the aggregate over every worker's
// registry (prom-client's AggregatorRegistry: counters and histograms summed, gauges summed
// unless they name another aggregator, e.g. the media threads' lateness takes the worst).
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Worker } from 'node:cluster';
import type { TelephonyProtocol } from '../../telephony/types.js';
import type { MetricsSnapshot, PrimaryMessage } from './messages.js';
import { CumulativeLedger } from './ledger.js';

/**
 * How long the primary waits for a worker's snapshot; then it aggregates with that worker's last
 * snapshot (stale) and says so in `parley_workers_unresponsive`. A hung worker must not take the
 * whole server's /metrics down with it: that is when the figures are needed.
 */
export const COLLECT_TIMEOUT_MS = 3000;

interface Pending {
  readonly waiting: Set<number>;
  readonly snapshots: Map<number, MetricsSnapshot>;
  readonly resolve: () => void;
}

export class ClusterMetrics {
  readonly registry = new Registry();
  /** Same name and labels as the workers' counter: the aggregate sums the two. */
  private readonly callsEnded: Counter<'protocol' | 'reason'>;
  private readonly workerDeaths: Counter;
  readonly workers: Gauge;
  private readonly unresponsive: Gauge;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly ledger = new CumulativeLedger();

  constructor() {
    const registers = [this.registry];
    this.callsEnded = new Counter({
      name: 'parley_calls_ended_total',
      help: 'calls ended, by reason',
      labelNames: ['protocol', 'reason'],
      registers,
    });
    this.workerDeaths = new Counter({
      name: 'parley_worker_deaths_total',
      help: 'serve workers that exited without being asked to (each is replaced; its live calls count as ended error)',
      registers,
    });
    this.workers = new Gauge({ name: 'parley_workers', help: 'serve worker processes listening', registers });
    this.unresponsive = new Gauge({
      name: 'parley_workers_unresponsive',
      help: 'workers that did not answer this scrape in time; their figures are from their last answer',
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  /** A worker died holding these calls: they ended, with reason error. */
  workerDied(liveCalls: Readonly<Record<TelephonyProtocol, number>>): void {
    this.workerDeaths.inc();
    for (const [protocol, n] of Object.entries(liveCalls)) if (n > 0) this.callsEnded.inc({ protocol, reason: 'error' }, n);
  }

  /** Asks every worker for its metrics and answers the aggregate with the primary's own. */
  async aggregate(workers: readonly Worker[]): Promise<string> {
    const id = this.nextId++;
    const snapshots = new Map<number, MetricsSnapshot>();
    const asked = workers.filter((w) => w.isConnected());
    let missing: number[] = [];
    if (asked.length > 0) {
      await new Promise<void>((resolve) => {
        const waiting = new Set(asked.map((w) => w.id));
        const finish = () => {
          clearTimeout(timer);
          missing = [...waiting];
          resolve();
        };
        const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
        this.pending.set(id, { waiting, snapshots, resolve: finish });
        const msg: PrimaryMessage = { t: 'parley:collect', id };
        for (const w of asked) w.send(msg);
      });
      this.pending.delete(id);
    }
    this.unresponsive.set(missing.length);
    const live = [...snapshots].filter(([workerId, s]) => this.ledger.collected(workerId, s)).map(([, s]) => s);
    for (const workerId of missing) {
      const stale = this.ledger.lastOf(workerId);
      if (stale) live.push(stale);
    }
    const all = [...live, this.ledger.retired, await this.registry.getMetricsAsJSON()];
    const summed = await AggregatorRegistry.aggregate(all).getMetricsAsJSON();
    return AggregatorRegistry.aggregate([this.ledger.monotonic(summed)]).metrics();
  }

  /** A worker's answer to `collect`. */
  snapshot(workerId: number, id: number, metrics: MetricsSnapshot): void {
    const p = this.pending.get(id);
    if (!p || !p.waiting.delete(workerId)) return;
    p.snapshots.set(workerId, metrics);
    if (p.waiting.size === 0) p.resolve();
  }

  /** A worker exited: it will not answer, and what it had counted stays in the sums. */
  forget(workerId: number): void {
    this.ledger.retire(workerId);
    for (const p of this.pending.values()) if (p.waiting.delete(workerId) && p.waiting.size === 0) p.resolve();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
