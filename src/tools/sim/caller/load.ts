// `parley sim-call --calls N`: N concurrent simulated calls, started over a ramp, summarised.
// The capacity bench splits the callers over processes: each runs its share (`runLoad` with
// `keepSamples`) and the parent summarises the union (`summariseLoad`).
import { SimCall } from './call.js';
import { percentiles } from './stats.js';
import { ticker } from './ticker.js';
import type { CallReport, LoadOptions, LoadSummary } from './types.js';

/** A per-call report as the load run keeps it (timelines dropped to keep the result small). */
export type LoadReport = Omit<CallReport, 'timeline' | 'frames'>;

export interface LoadResult extends LoadSummary {
  readonly reports: readonly LoadReport[];
  /** Every outbound frame's lateness (ms), when asked for: percentiles of a union need them all. */
  readonly latenessSamples?: readonly number[];
}

export interface LoadRunOptions {
  /** Keep the raw lateness samples in the result. */
  readonly keepSamples?: boolean;
  /** Delay before the first call starts (ms): interleaves the ramps of several processes. */
  readonly offsetMs?: number;
}

export async function runLoad(options: LoadOptions, run: LoadRunOptions = {}): Promise<LoadResult> {
  const n = Math.max(1, Math.floor(options.calls));
  const ramp = options.rampMs ?? Math.min(10_000, n * 20);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const skipped0 = ticker.stats.skipped;
  ticker.stats.maxLateMs = 0;
  const calls: SimCall[] = [];
  const runs: Promise<CallReport>[] = [];
  for (let i = 0; i < n; i++) {
    const delay = (run.offsetMs ?? 0) + (n === 1 ? 0 : (ramp * i) / (n - 1));
    runs.push(
      new Promise<CallReport>((resolve) => {
        setTimeout(() => {
          // Only the first call records a WAV and timeline file: N recordings would not fit in memory.
          const { outDir, ...rest } = options;
          const call = new SimCall({ ...rest, ...(i === 0 && outDir ? { outDir } : {}), seed: (options.seed ?? 7) + i, callId: `${options.callId ?? 'load'}-${i}` });
          calls.push(call);
          call.start().done.then(resolve);
        }, delay);
      }),
    );
  }
  const reports = await Promise.all(runs);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - started;
  const samples = calls.flatMap((c) => [...c.latenessSamples()]);
  const generator = {
    ticksSkipped: ticker.stats.skipped - skipped0,
    maxTickLateMs: Math.round(ticker.stats.maxLateMs),
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
  };
  const kept = reports.map(({ timeline: _t, frames: _f, ...rest }) => rest);
  return { ...summariseLoad(kept, samples, wallMs, generator), reports: kept, ...(run.keepSamples ? { latenessSamples: samples } : {}) };
}

/** The summary of a set of calls (one process's, or the union of several processes'). */
export function summariseLoad(reports: readonly LoadReport[], latenessSamples: readonly number[], wallMs: number, generator: LoadSummary['generator']): LoadSummary {
  const failures: Record<string, number> = {};
  for (const r of reports) {
    if (r.ok) continue;
    const key = (r.failure ?? 'unknown').replace(/\(step \d+\)|step \d+\/\d+|\d+/g, '#');
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const bargeIns = reports.flatMap((r) => r.bargeIns);
  return {
    calls: reports.length,
    ok: reports.filter((r) => r.ok).length,
    failed: reports.filter((r) => !r.ok).length,
    failures,
    framesSent: sum(reports.map((r) => r.framesSent)),
    framesReceived: sum(reports.map((r) => r.framesReceived)),
    lateness: percentiles(latenessSamples),
    underruns: sum(reports.map((r) => r.underruns)),
    underrunMs: sum(reports.map((r) => r.underrunMs)),
    betweenResponses: {
      count: sum(reports.map((r) => r.betweenResponses.count)),
      afterCallerTurn: sum(reports.map((r) => r.betweenResponses.afterCallerTurn)),
      afterClear: sum(reports.map((r) => r.betweenResponses.afterClear)),
      unprompted: sum(reports.map((r) => r.betweenResponses.unprompted)),
      maxGapMs: Math.max(0, ...reports.map((r) => r.betweenResponses.gapMs.max)),
    },
    bargeIns: bargeIns.length,
    cutoffLatency: percentiles(bargeIns.flatMap((b) => (b.cutoffLatencyMs !== undefined ? [b.cutoffLatencyMs] : []))),
    responseLatency: percentiles(reports.flatMap((r) => r.turns.flatMap((t) => (t.responseLatencyMs !== undefined && !t.bargeIn ? [t.responseLatencyMs] : [])))),
    staleFramesAfterClear: sum(bargeIns.map((b) => b.staleFramesAfterClear)),
    protocolErrors: sum(reports.map((r) => r.protocolErrors)),
    wallMs: Math.round(wallMs),
    generator,
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
