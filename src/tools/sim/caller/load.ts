// `parley sim-call --calls N`: N concurrent simulated calls, started over a ramp, summarised.
import { SimCall } from './call.js';
import { percentiles } from './stats.js';
import { ticker } from './ticker.js';
import type { CallReport, LoadOptions, LoadSummary } from './types.js';

export interface LoadResult extends LoadSummary {
  /** Per-call reports (timelines dropped to keep the result small). */
  readonly reports: readonly Omit<CallReport, 'timeline' | 'frames'>[];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const n = Math.max(1, Math.floor(options.calls));
  const ramp = options.rampMs ?? Math.min(10_000, n * 20);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const skipped0 = ticker.stats.skipped;
  ticker.stats.maxLateMs = 0;
  const calls: SimCall[] = [];
  const runs: Promise<CallReport>[] = [];
  for (let i = 0; i < n; i++) {
    const delay = n === 1 ? 0 : (ramp * i) / (n - 1);
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
  const failures: Record<string, number> = {};
  for (const r of reports) {
    if (r.ok) continue;
    const key = (r.failure ?? 'unknown').replace(/\(step \d+\)|step \d+\/\d+|\d+/g, '#');
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const bargeIns = reports.flatMap((r) => r.bargeIns);
  return {
    calls: n,
    ok: reports.filter((r) => r.ok).length,
    failed: reports.filter((r) => !r.ok).length,
    failures,
    framesSent: sum(reports.map((r) => r.framesSent)),
    framesReceived: sum(reports.map((r) => r.framesReceived)),
    lateness: percentiles(calls.flatMap((c) => [...c.latenessSamples()])),
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
    generator: {
      ticksSkipped: ticker.stats.skipped - skipped0,
      maxTickLateMs: Math.round(ticker.stats.maxLateMs),
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    },
    reports: reports.map(({ timeline: _t, frames: _f, ...rest }) => rest),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
