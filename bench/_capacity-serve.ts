// The capacity bench's watch on `parley serve` (one process, or a primary with `--workers N`):
// waits until every worker serves, takes the idle baseline of the whole process tree, then once a
// second samples CPU and RSS over the tree and the calls up (from the aggregate /metrics), and
// says at the end how much CPU each process used and how many calls were up at once.
import type { Proc } from './_capacity-proc.js';
import { coresOf, ServeTree } from './_capacity-tree.js';

export interface Serving {
  readonly port: number;
  /** The AudioSocket TCP port, when asked for. */
  readonly tcpPort: number | undefined;
}

/** Resolves once serve listens and, with workers, once the aggregate says all of them are ready. */
export async function waitServing(serve: Proc, workers: number, audiosocket: boolean): Promise<Serving> {
  // Both waiters at once: they see only lines still to come, and the two listeners log in either order.
  const [http, tcp] = await Promise.all([
    serve.line(workers > 1 ? /"port":(\d+),.*"msg":"parley serving \(cluster\)"/ : /"port":(\d+),"host":"127\.0\.0\.1","msg":"listening"/),
    audiosocket ? serve.line(/"port":(\d+),"host":"127\.0\.0\.1","msg":"AudioSocket listening"/) : undefined,
  ]);
  const port = Number(http[1]);
  if (workers > 1) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
      if (Number(/^parley_workers (\S+)/m.exec(text)?.[1] ?? 0) >= workers) break;
      if (Date.now() > deadline) throw new Error(`not all ${workers} workers ready within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, tcpPort: tcp ? Number(tcp[1]) : undefined };
}

/** Calls up now over every protocol and worker (the aggregate /metrics). */
export function callsActive(metricsText: string): number {
  let n = 0;
  for (const m of metricsText.matchAll(/^parley_calls_active(?:\{[^}]*\})? (\S+)$/gm)) n += Number(m[1]);
  return n;
}

const heapUsed = (t: string) => Number(/^parley_nodejs_heap_size_used_bytes (\S+)/m.exec(t)?.[1] ?? 0);

export interface CpuSample {
  readonly t: number;
  readonly cpu: number;
  readonly calls: number;
}

export class ServeWatch {
  private readonly tree: ServeTree;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private last = { t: 0, cpu: 0 };
  /** Idle baseline over every process of the tree (all workers up, no call yet). */
  rss0 = 0;
  peakRss = 0;
  peakCalls = 0;
  /** Samples in which every call of the run was up. */
  samplesAllUp = 0;
  heap0 = 0;
  heapAtPeak = 0;
  readonly samples: CpuSample[] = [];

  constructor(
    pid: number,
    private readonly base: string,
    private readonly calls: number,
  ) {
    this.tree = new ServeTree(pid);
  }

  async start(): Promise<void> {
    const s = this.tree.sample();
    this.rss0 = this.peakRss = s.rssKiB;
    this.heap0 = this.heapAtPeak = heapUsed(await (await fetch(`${this.base}/metrics`)).text());
    this.t0 = performance.now();
    this.last = { t: this.t0, cpu: 0 };
    this.timer = setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    const s = this.tree.sample();
    this.peakRss = Math.max(this.peakRss, s.rssKiB);
    const now = { t: performance.now(), cpu: s.cpuS };
    const prev = this.last;
    this.last = now;
    void fetch(`${this.base}/metrics`)
      .then((r) => r.text())
      .then((t) => {
        const calls = callsActive(t);
        this.peakCalls = Math.max(this.peakCalls, calls);
        if (calls >= this.calls) this.samplesAllUp++;
        if (calls >= this.peakCalls) this.heapAtPeak = Math.max(this.heapAtPeak, heapUsed(t));
        this.samples.push({ t: (now.t - prev.t) / 1000, cpu: now.cpu - prev.cpu, calls });
      })
      .catch(() => {});
  }

  /** Stops sampling and reads the tree a last time: CPU seconds of serve since the baseline. */
  stop(): number {
    clearInterval(this.timer);
    return this.tree.sample().cpuS;
  }

  /** Cores serve used over the run: in total, and per process (the primary and each worker). */
  cores(wallS: number) {
    const each = this.tree.perProcess();
    return {
      total: coresOf(
        each.reduce((a, p) => a + p.cpuS, 0),
        wallS,
      ),
      perProcess: each.map((p) => ({ role: p.role, pid: p.pid, cores: coresOf(p.cpuS, wallS) })),
    };
  }

  /** Whether every call of the run was up at once (seen by at least one once-a-second sample). */
  concurrency() {
    return {
      calls: this.calls,
      peakConcurrent: this.peakCalls,
      allConcurrentAtPeak: this.peakCalls >= this.calls,
      secondsAllUp: this.samplesAllUp,
      note: 'parley_calls_active summed over protocols and workers, sampled once a second',
    };
  }

  /** RSS per call: growth of the whole tree over its idle baseline, over the peak concurrent calls. */
  rss() {
    const perCall = this.peakCalls ? Math.round((this.peakRss - this.rss0) / this.peakCalls) : null;
    return {
      baselineMiB: Math.round(this.rss0 / 1024),
      peakMiB: Math.round(this.peakRss / 1024),
      perCallKiB: perCall,
      jsHeapPerCallKiB: this.peakCalls ? Math.round((this.heapAtPeak - this.heap0) / 1024 / this.peakCalls) : null,
      note: '(peak − idle baseline) / peak concurrent calls; RSS summed over serve and all its workers; the JS heap from the aggregate /metrics',
    };
  }
}
