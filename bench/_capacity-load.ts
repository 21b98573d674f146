// The capacity bench's load generator: in this process (default), or split over N caller
// processes (`--callers-process N`) so the generator is not the bottleneck. Either way one
// LoadResult comes back (a split run's summary is computed over the union of the shares' calls
// and lateness samples) with the CPU each caller process used.
import { runLoad, summariseLoad, type LoadResult } from '../src/tools/sim/caller/load.js';
import { runAudioSocketLoad, type AudioSocketLoadResult, type AudioSocketLoadReport } from '../src/tools/sim/caller/audiosocket-load.js';
import { cpuSeconds, startNode, type Proc } from './_proc.js';
import type { CallerShare } from './_capacity-callers.js';
import { LEAD_MS, script } from './_capacity-script.js';

export interface CallerLoad {
  readonly url: string;
  readonly calls: number;
  readonly rampMs: number;
  readonly maxCallMs: number;
  /** How long every call stays up after the ramp, and how (see _capacity-script.ts). */
  readonly holdMs: number;
  readonly hold: 'talk' | 'silence';
  /** 0: the callers run in the bench process itself. */
  readonly processes: number;
}

export interface CallersResult {
  readonly load: LoadResult;
  /** CPU (% of one core) of each caller process over the load (the bench process when in-process). */
  readonly cpuPctEach: readonly number[];
}

export async function runCallers(o: CallerLoad): Promise<CallersResult> {
  if (o.processes <= 0) {
    const load = await runLoad({ url: o.url, calls: o.calls, rampMs: o.rampMs, script: script({ rampMs: o.rampMs, holdMs: o.holdMs, hold: o.hold }), maxCallMs: o.maxCallMs, leadMs: LEAD_MS });
    return { load, cpuPctEach: [load.generator.cpuPct] };
  }
  const { results, wallMs, cpuPctEach } = await runShares<LoadResult>(o, 'ws');
  const reports = results.flatMap((r) => r.reports);
  const samples = results.flatMap((r) => r.latenessSamples ?? []);
  const generator = {
    ticksSkipped: results.reduce((a, r) => a + r.generator.ticksSkipped, 0),
    maxTickLateMs: Math.max(...results.map((r) => r.generator.maxTickLateMs)),
    cpuPct: results.reduce((a, r) => a + r.generator.cpuPct, 0),
  };
  const load: LoadResult = { ...summariseLoad(reports, samples, wallMs, generator), reports };
  return { load, cpuPctEach };
}

/** AudioSocket calls (url tcp://host:port): AudioSocketCaller legs, in this process or split like runCallers. */
export async function runAudioSocketCallers(o: CallerLoad): Promise<{ load: AudioSocketLoadResult; cpuPctEach: readonly number[] }> {
  if (o.processes <= 0) {
    const load = await runAudioSocketLoad({ url: o.url, calls: o.calls, rampMs: o.rampMs, maxCallMs: o.maxCallMs, keepSamples: true });
    return { load, cpuPctEach: [load.cpuPct] };
  }
  const { results, wallMs, cpuPctEach } = await runShares<AudioSocketLoadResult>(o, 'audiosocket');
  const reports: AudioSocketLoadReport[] = results.flatMap((r) => r.reports);
  return { load: { kind: 'audiosocket', reports, wallMs: Math.round(wallMs), cpuPct: results.reduce((a, r) => a + r.cpuPct, 0) }, cpuPctEach };
}

/** Splits the calls over caller processes, starts them together, and collects each one's result. */
async function runShares<R>(o: CallerLoad, kind: CallerShare['kind']): Promise<{ results: R[]; wallMs: number; cpuPctEach: number[] }> {
  const n = Math.min(o.processes, o.calls);
  const procs: Proc[] = [];
  try {
    for (let k = 0; k < n; k++) {
      // Share k takes every n-th call of the ramp: calls k, k+n, … start at their usual times.
      const calls = Math.floor(o.calls / n) + (k < o.calls % n ? 1 : 0);
      const step = o.calls > 1 ? o.rampMs / (o.calls - 1) : 0;
      const share: CallerShare = { url: o.url, calls, rampMs: step * n * Math.max(0, calls - 1), offsetMs: step * k, maxCallMs: o.maxCallMs, callId: `load${k}`, kind, script: { rampMs: o.rampMs, holdMs: o.holdMs, hold: o.hold } };
      // CAPACITY_PROFILE_CALLERS=<dir>: a V8 CPU profile of each caller process.
      const prof = process.env.CAPACITY_PROFILE_CALLERS ? ['--cpu-prof', '--cpu-prof-dir', process.env.CAPACITY_PROFILE_CALLERS] : [];
      procs.push(startNode([...prof, 'dist/bench/_capacity-callers.js'], { CAPACITY_CALLERS: JSON.stringify(share) }));
    }
    await Promise.all(procs.map((p) => p.line(/^\{"ready":true\}$/, 30_000)));
    const cpu0 = procs.map((p) => cpuSeconds(p.pid));
    const t0 = performance.now();
    const cpuEnd: number[] = [];
    const results = await Promise.all(
      procs.map(async (p, k) => {
        p.child.kill('SIGUSR2');
        const m = await p.line(/^\{"callers".*$/, o.rampMs + o.maxCallMs + 60_000);
        cpuEnd[k] = cpuSeconds(p.pid);
        return (JSON.parse(m[0]) as { callers: R }).callers;
      }),
    );
    const wallMs = performance.now() - t0;
    return { results, wallMs, cpuPctEach: procs.map((_, k) => Math.round((((cpuEnd[k] ?? cpu0[k]!) - cpu0[k]!) / (wallMs / 1000)) * 100)) };
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  }
}
