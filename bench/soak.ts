// `npm run bench -- soak -- --minutes 30 --calls 200 [--warmup-minutes M] [--interval-s 5] [--out DIR]`
//
// Time (issue 10 item 4): `parley serve` (its own process, the offline agent in another) holds
// `--calls` live calls for `--minutes`, each lane starting a new call as soon as its last one
// hung up (call churn, barge-ins, both protocols). Every interval it samples the server's RSS
// and open descriptors (/proc), JS heap, event-loop lag p99 and media-thread lateness p99
// (/metrics), and the callers' frame lateness. After the warm-up it reports the drift of RSS and
// heap (last fifth of the run against the first fifth; < 5 % is the budget), the trend per hour,
// the descriptor change, and the lag and lateness over time; writes an SVG plot of those series
// and the samples as JSON (default .build/soak/), and prints one JSON object last.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bargeInsHonoured, bargeSteps, SimCall, type BargeInCall, type ScriptStep } from '../src/tools/sim/caller/index.js';
import { cpuSeconds, openFds, repoRoot, rssKiB, startNode, startServe, threads } from './_proc.js';
import { scrape, value } from './_prom.js';
import { plotSvg } from './_svg-plot.js';

interface Sample {
  readonly min: number;
  readonly calls: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly fds: number;
  readonly threads: number;
  readonly lagP99Ms: number;
  readonly mediaLateP99Ms: number;
  /** Media-thread deadlines missed since the serve started (cumulative counter). */
  readonly missedTicks: number;
  /** Median over the calls that ended in the interval of each call's p99 outbound frame lateness. */
  readonly callerLateP99Ms: number;
  readonly cpuPct: number;
  readonly callsEnded: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => Math.round(x * 100) / 100;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Drift of a series after the warm-up: the last fifth against the first fifth. */
function drift(samples: readonly Sample[], pick: (s: Sample) => number, reduce: (xs: number[]) => number) {
  const n = samples.length;
  const k = Math.max(1, Math.floor(n / 5));
  const first = reduce(samples.slice(0, k).map(pick));
  const last = reduce(samples.slice(n - k).map(pick));
  const perMin = slope(samples.map((s) => [s.min, pick(s)] as const));
  return { first: r2(first), last: r2(last), driftPct: first === 0 ? 0 : r2(((last - first) / first) * 100), trendPctPerHour: first === 0 ? 0 : r2(((perMin * 60) / first) * 100) };
}

function script(i: number): ScriptStep[] {
  return [
    { kind: 'say', ms: 1000 + (i % 5) * 100 },
    { kind: 'listen', quietMs: 400, timeoutMs: 10_000 },
    { kind: 'say', ms: 700 },
    { kind: 'barge', afterMs: 500, sayMs: 800, timeoutMs: 10_000 },
    { kind: 'listen', quietMs: 400, timeoutMs: 10_000 },
    { kind: 'silence', ms: (i * 337) % 2000 },
    { kind: 'hangup' },
  ];
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '30' },
      calls: { type: 'string', default: '200' },
      'warmup-minutes': { type: 'string' },
      'interval-s': { type: 'string', default: '5' },
      out: { type: 'string', default: join(repoRoot, '.build', 'soak') },
    },
  });
  const minutes = Number(values.minutes);
  const lanes = Number(values.calls);
  const warmupMin = values['warmup-minutes'] !== undefined ? Number(values['warmup-minutes']) : minutes / 5;
  const intervalMs = Number(values['interval-s']) * 1000;

  // The agent without faults (the chaos agent at fault rate 0: it prints nothing per call).
  const agent = startNode(['dist/bench/_chaos-agent.js'], { CHAOS_AI_FAULT_RATE: '0', CHAOS_REPLY_MS: '2000' });
  const agentUrl = (JSON.parse((await agent.line(/^\{"url".*$/))[0]) as { url: string }).url;
  const { proc: serve, port, base } = await startServe({
    PARLEY_AI: 'openai',
    PARLEY_OPENAI_URL: agentUrl,
    PARLEY_MAX_CALLS: String(lanes + 100),
    PARLEY_LOG_LEVEL: 'warn',
  });
  let crashed = false;
  let stopping = false;
  void serve.exited.then(() => (crashed ||= !stopping));
  void agent.exited.then(() => (crashed ||= !stopping));

  const t0 = Date.now();
  const endAt = t0 + minutes * 60_000;
  const latenessWindow: number[] = [];
  let callsEnded = 0;
  let callsFailed = 0;
  let staleFrames = 0;
  const barges: BargeInCall[] = [];
  let underruns = 0;
  let underrunMs = 0;
  let betweenUnprompted = 0;
  let betweenMaxGapMs = 0;
  const failures: Record<string, number> = {};
  const laneRuns = Array.from({ length: lanes }, async (_, lane) => {
    await sleep((lane * 5000) / lanes); // ramp over 5 s
    for (let i = 0; Date.now() < endAt && !crashed; i++) {
      const protocol = lane % 2 === 0 ? 'twilio' : 'audio-stream';
      // Lateness against real-time pacing with the capacity bench's lead (lookahead minus the frame in flight).
      const steps = script(lane + i);
      const call = new SimCall({ url: `ws://127.0.0.1:${port}/${protocol}`, script: steps, seed: lane * 10_007 + i, callId: `soak-${lane}-${i}`, maxCallMs: 60_000, leadMs: 60 });
      const report = await call.start().done;
      callsEnded++;
      latenessWindow.push(report.lateness.p99);
      staleFrames += report.bargeIns.reduce((a, b) => a + b.staleFramesAfterClear, 0);
      barges.push({ callId: report.callId, report: { bargeIns: report.bargeIns, ...(report.failure !== undefined ? { failure: report.failure } : {}) }, attempts: bargeSteps(steps) });
      underruns += report.underruns;
      underrunMs += report.underrunMs;
      betweenUnprompted += report.betweenResponses.unprompted;
      betweenMaxGapMs = Math.max(betweenMaxGapMs, report.betweenResponses.gapMs.max);
      if (!report.ok) {
        callsFailed++;
        const key = (report.failure ?? 'unknown').replace(/\d+/g, '#');
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
  });

  const samples: Sample[] = [];
  let lastCpu = { t: Date.now(), cpu: cpuSeconds(serve.pid) };
  const sampler = (async () => {
    while (Date.now() < endAt && !crashed) {
      await sleep(intervalMs);
      try {
        const m = await scrape(base);
        const now = { t: Date.now(), cpu: cpuSeconds(serve.pid) };
        const cpuPct = ((now.cpu - lastCpu.cpu) / ((now.t - lastCpu.t) / 1000)) * 100;
        lastCpu = now;
        const late = latenessWindow.splice(0);
        samples.push({
          min: r2((now.t - t0) / 60_000),
          calls: value(m, 'parley_calls_active'),
          rssMiB: r2(rssKiB(serve.pid) / 1024),
          heapMiB: r2(value(m, 'parley_nodejs_heap_size_used_bytes') / 2 ** 20),
          fds: openFds(serve.pid),
          threads: threads(serve.pid),
          lagP99Ms: r2(value(m, 'parley_event_loop_lag_seconds', { quantile: '0.99' }) * 1000),
          mediaLateP99Ms: r2(value(m, 'parley_media_tick_lateness_seconds', { quantile: '0.99' }) * 1000),
          missedTicks: value(m, 'parley_media_missed_ticks'),
          callerLateP99Ms: r2(median(late)),
          cpuPct: Math.round(cpuPct),
          callsEnded,
        });
      } catch {
        crashed ||= serve.child.exitCode !== null;
      }
    }
  })();
  await sampler;
  await Promise.all(laneRuns);

  // After the last call: nothing may be left.
  const idleBy = Date.now() + 15_000;
  while (value(await scrape(base), 'parley_calls_active') > 0 && Date.now() < idleBy) await sleep(200);
  await sleep(3000);
  const end = await scrape(base);
  const leftCalls = value(end, 'parley_calls_active');
  const endFds = openFds(serve.pid);
  stopping = true;
  agent.child.kill('SIGTERM');
  serve.child.kill('SIGTERM');
  const [serveExit] = await Promise.all([serve.exited, agent.exited]);

  const steady = samples.filter((s) => s.min >= warmupMin);
  const rss = drift(steady, (s) => s.rssMiB, median);
  // The heap saw-tooths with GC: its floor in a window is the live set.
  const heap = drift(steady, (s) => s.heapMiB, (xs) => Math.min(...xs));
  const fdsFirst = Math.max(...steady.slice(0, Math.max(1, Math.floor(steady.length / 5))).map((s) => s.fds));
  const fdsLast = Math.max(...steady.slice(steady.length - Math.max(1, Math.floor(steady.length / 5))).map((s) => s.fds));

  mkdirSync(values.out, { recursive: true });
  const stamp = new Date(t0).toISOString().replace(/[:.]/g, '-');
  const svgPath = join(values.out, `soak-${stamp}.svg`);
  const samplesPath = join(values.out, `soak-${stamp}.json`);
  const shade = { from: 0, to: warmupMin, label: 'warm-up' };
  writeFileSync(
    svgPath,
    plotSvg(`parley serve soak: ${lanes} calls, ${minutes} min`, 'minutes', [
      {
        title: 'memory',
        unit: 'MiB',
        shade,
        series: [
          { name: 'RSS', color: '#1f77b4', points: samples.map((s) => [s.min, s.rssMiB]) },
          { name: 'JS heap used', color: '#ff7f0e', points: samples.map((s) => [s.min, s.heapMiB]) },
        ],
      },
      { title: 'open file descriptors', unit: 'count', shade, series: [{ name: 'fds', color: '#2ca02c', points: samples.map((s) => [s.min, s.fds]) }] },
      { title: 'event-loop lag p99', unit: 'ms', shade, series: [{ name: 'lag p99', color: '#d62728', points: samples.map((s) => [s.min, s.lagP99Ms]) }] },
      {
        title: 'lateness p99',
        unit: 'ms',
        shade,
        marker: { y: 10, label: 'budget 10 ms' },
        series: [
          { name: 'media thread tick', color: '#9467bd', points: samples.map((s) => [s.min, s.mediaLateP99Ms]) },
          { name: 'frames at the caller (median call)', color: '#8c564b', points: samples.map((s) => [s.min, s.callerLateP99Ms]) },
        ],
      },
    ]),
  );
  writeFileSync(samplesPath, JSON.stringify(samples));

  const summary = {
    bench: 'soak',
    minutes,
    calls: lanes,
    warmupMinutes: r2(warmupMin),
    samples: samples.length,
    crashed,
    serveExit: serveExit.code,
    callsEnded,
    callsFailed,
    failures,
    bargeIns: bargeInsHonoured(barges),
    staleFramesAfterBargeIn: staleFrames,
    callerUnderruns: { count: underruns, ms: underrunMs, note: 'far side ran dry inside a response (a stall of any length counts)' },
    betweenResponses: { unprompted: betweenUnprompted, maxGapMs: betweenMaxGapMs, note: 'silences between responses; unprompted: > 3 s with no caller turn or clear' },
    rss: { ...rss, budgetPct: 5, ok: Math.abs(rss.driftPct) < 5 },
    heap: { ...heap, budgetPct: 5, ok: Math.abs(heap.driftPct) < 5 },
    fds: { first: fdsFirst, last: fdsLast, delta: fdsLast - fdsFirst, afterAllCalls: endFds },
    eventLoopLagP99Ms: { median: r2(median(steady.map((s) => s.lagP99Ms))), max: r2(Math.max(0, ...steady.map((s) => s.lagP99Ms))), firstFifth: r2(median(steady.slice(0, Math.ceil(steady.length / 5)).map((s) => s.lagP99Ms))), lastFifth: r2(median(steady.slice(-Math.ceil(steady.length / 5)).map((s) => s.lagP99Ms))) },
    mediaLatenessP99Ms: { median: r2(median(steady.map((s) => s.mediaLateP99Ms))), max: r2(Math.max(0, ...steady.map((s) => s.mediaLateP99Ms))), firstFifth: r2(median(steady.slice(0, Math.ceil(steady.length / 5)).map((s) => s.mediaLateP99Ms))), lastFifth: r2(median(steady.slice(-Math.ceil(steady.length / 5)).map((s) => s.mediaLateP99Ms))) },
    mediaMissedTicks: { total: samples.at(-1)?.missedTicks ?? 0, steadyState: (steady.at(-1)?.missedTicks ?? 0) - (steady[0]?.missedTicks ?? 0), note: 'media-thread deadlines with no tick of their own; lateness above is from the first missed deadline' },
    callerLatenessP99Ms: { median: r2(median(steady.map((s) => s.callerLateP99Ms))), max: r2(Math.max(0, ...steady.map((s) => s.callerLateP99Ms))) },
    serveCpuPct: Math.round(median(steady.map((s) => s.cpuPct))),
    leftAfterAllCalls: { callsActive: leftCalls },
    plot: svgPath,
    samplesFile: samplesPath,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
