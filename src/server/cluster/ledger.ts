// The aggregate's counters must not go down when a worker dies: Prometheus would read a reset
// and count the whole sum again as new. So the counters and histograms a dead worker had
// reported at its last collection stay in every later aggregate ("retired"), and each cumulative
// series is answered as at least what it was answered last time. What a dead worker counted
// after its last collection is lost — at most one scrape interval of one worker — and its live
// calls are counted separately (ended `error`).
import type { MetricsSnapshot } from './messages.js';

type Metric = MetricsSnapshot[number];
type Value = Metric['values'][number];

const CUMULATIVE = new Set(['counter', 'histogram']);

const cumulative = (s: MetricsSnapshot): MetricsSnapshot => s.filter((m) => CUMULATIVE.has(String(m.type)));

const seriesKey = (metric: string, v: Value): string =>
  `${metric}\u0000${(v as { metricName?: string }).metricName ?? ''}\u0000${JSON.stringify(Object.entries(v.labels).sort(([a], [b]) => a.localeCompare(b)))}`;

/** a + b, series by series (both cumulative). */
function sum(a: MetricsSnapshot, b: MetricsSnapshot): MetricsSnapshot {
  const out = new Map<string, { metric: Metric; values: Map<string, Value> }>();
  for (const m of [...a, ...b]) {
    const entry = out.get(m.name) ?? { metric: m, values: new Map<string, Value>() };
    out.set(m.name, entry);
    for (const v of m.values) {
      const k = seriesKey(m.name, v);
      const had = entry.values.get(k);
      entry.values.set(k, had ? { ...had, value: had.value + v.value } : { ...v });
    }
  }
  return [...out.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] }));
}

export class CumulativeLedger {
  private readonly last = new Map<number, MetricsSnapshot>();
  private retiredSnapshot: MetricsSnapshot = [];
  /** Per cumulative metric, the highest value answered for each of its series. */
  private readonly floor = new Map<string, { metric: Metric; values: Map<string, Value> }>();
  private readonly gone = new Set<number>();

  /** A worker's latest snapshot; false when the worker was retired meanwhile (then it is not used). */
  collected(workerId: number, s: MetricsSnapshot): boolean {
    if (this.gone.has(workerId)) return false;
    this.last.set(workerId, s);
    return true;
  }

  /** A live worker's last collected snapshot (answered for it while it does not answer). */
  lastOf(workerId: number): MetricsSnapshot | undefined {
    return this.last.get(workerId);
  }

  /** The worker is gone: what it had counted, as of its last collection, stays in the sum. */
  retire(workerId: number): void {
    const s = this.last.get(workerId);
    this.last.delete(workerId);
    this.gone.add(workerId);
    if (s) this.retiredSnapshot = sum(this.retiredSnapshot, cumulative(s));
  }

  /** To be aggregated with the live workers' snapshots. */
  get retired(): MetricsSnapshot {
    return this.retiredSnapshot;
  }

  /**
   * The aggregate with every cumulative series raised to at least its last answered value; a
   * series (or a whole metric) that vanished is answered with that value.
   */
  monotonic(aggregate: MetricsSnapshot): MetricsSnapshot {
    const out = aggregate.map((m) => {
      if (!CUMULATIVE.has(String(m.type))) return m;
      const seen = this.floor.get(m.name) ?? { metric: m, values: new Map<string, Value>() };
      this.floor.set(m.name, seen);
      for (const v of m.values) {
        const k = seriesKey(m.name, v);
        const had = seen.values.get(k);
        if (!had || had.value < v.value) seen.values.set(k, v);
      }
      return { ...m, values: [...seen.values.values()] };
    });
    const present = new Set(aggregate.map((m) => m.name));
    for (const [name, { metric, values }] of this.floor) if (!present.has(name)) out.push({ ...metric, values: [...values.values()] });
    return out;
  }
}
