// `npm run bench -- tools [--calls 100] [--reps 3] [--ramp-ms 8000] [--max-latency-ms 2000] [--seed 7] [--inject-tool-stall-ms N]`
//
// Issue 15: does calling tools cost the media path? `--calls` concurrent Twilio calls through a
// `parley serve` child (openai mode, one HTTP tool declared) against the sim-agent, in arms:
//   with tools     the agent's first response on every connection calls lookup_order; the tool
//                  (its own process) answers after 0–max latency, fixed per call index. Each
//                  caller asks, waits 1.5 s and speaks again: with a slow tool that newer turn
//                  begins mid-tool (barge-in over the running tool, TC2), with a fast one after
//                  the answer started.
//   without tools  the same calls, utterances and seeds, the same Parley process and config;
//                  only the agent answers by speaking instead of calling.
// Calls start over the ramp and stay up until the last has started (all concurrent then), so one
// call's tool work falls while others play audio. A warm-up arm with tools (not counted) runs
// first (the first calls of a process pay for compiling and loading code); then `--reps` pairs,
// alternating (without, with, with, without, …) so drift over the run falls on both. The spread
// of p99 lateness among the arms without tools is the noise band; `lateness.withinNoise` is the
// verdict (the rule is in the JSON). Processes: Parley, the agent (one per arm), the tool server, and this one (the callers);
// `cpuPct` per arm says how much of a core each used.
// `--inject-tool-stall-ms N` blocks Parley's event loop N ms on every tool request (a preload in
// the serve process): the check that the bench can see a costly tool path.
// TOOLS_PROFILE=<dir>: a V8 CPU profile of the serve process there.
// Last stdout line: one JSON object.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TraceRecord } from '../src/obs/index.js';
import { runLoad, type ScriptStep } from '../src/tools/sim/caller/index.js';
import { cpuSeconds, freePort, repoRoot, startNode, startServe, type Proc } from './_proc.js';
import { armOrder, judgeTraces, latencySummary, latenessVerdict, outputsHistogram, type ArmKind } from './_tools-judge.js';

/**
 * Every call's script. Calls start spread over the ramp and end with a silence as long as it, so
 * all are up together at the end of the ramp and their tool calls fall while other calls play
 * audio (a tool path that blocks the loop shows as lateness of those calls).
 */
function script(rampMs: number): ScriptStep[] {
  return [
    { kind: 'say', ms: 700 },
    // The turn ends after the VAD's 500 ms of silence and the tool starts; ~1 s later the caller speaks again.
    { kind: 'silence', ms: 1500 },
    { kind: 'say', ms: 600 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'say', ms: 600 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'silence', ms: rampMs },
    { kind: 'hangup' },
  ];
}


interface AgentStats {
  readonly toolCalls: number;
  readonly errorsSent: number;
  readonly outputsPerCallId: number[];
}

interface ArmResult {
  readonly kind: ArmKind;
  readonly warmup: boolean;
  readonly ok: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
  /** The callers' own clock: when it is late (or skips ticks) the callers, not Parley, are late. */
  readonly callers: { readonly maxTickLateMs: number; readonly ticksSkipped: number };
  readonly latenessMs: { p50: number; p99: number; max: number; frames: number };
  readonly eventLoopDelayMs: { p99Max: number | null; max: number | null };
  readonly cpuPct: { parley: number; agent: number; toolServer: number; callers: number };
  readonly agent: AgentStats;
  readonly judged: ReturnType<typeof judgeTraces>;
  /** Parley's warnings and errors logged during the arm, by message and code ("AI error: <code>"). */
  readonly parleyWarnings: Record<string, number>;
  readonly wallS: number;
  /** Parley's CPU per call of the arm: the extra work of tools, seen even on a busy machine. */
  readonly parleyCpuMsPerCall: number;
  /** The arm's span on the monotonic clock (µs), to cut a CPU profile (TOOLS_PROFILE) by arm. */
  readonly monotonicUs: readonly [number, number];
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metricsText(base: string): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}
const gauge = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

/** Every finished call's trace in `dir`, read and removed (the next arm starts with none). */
function takeTraces(dir: string): TraceRecord[][] {
  const out: TraceRecord[][] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ndjson')) continue;
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    const recs: TraceRecord[] = [];
    for (const l of lines) {
      if (!l) continue;
      try {
        recs.push(JSON.parse(l) as TraceRecord);
      } catch {
        // a line cut short: the rest of the trace still counts
      }
    }
    out.push(recs);
    rmSync(join(dir, f), { force: true });
  }
  return out;
}

interface Setup {
  readonly calls: number;
  readonly seed: number;
  readonly maxLatencyMs: number;
  readonly rampMs: number;
  readonly serve: { proc: Proc; base: string; port: number };
  readonly tool: Proc;
  readonly agentPort: number;
  readonly traceDir: string;
  /** Where serve's JSON log lines go while an arm runs. */
  onServeLog: ((line: Record<string, unknown>) => void) | undefined;
}

async function arm(s: Setup, kind: ArmKind, index: number, calls: number, warmup: boolean): Promise<ArmResult> {
  const agent = startNode([`${repoRoot}dist/bench/_tools-remote.js`, 'agent'], { TOOLS_AGENT_PORT: String(s.agentPort), TOOLS_CALL: kind === 'tools' ? '1' : '0' });
  await agent.line(/^\{"url"/);
  const warnings: Record<string, number> = {};
  s.onServeLog = (l) => {
    if (l['level'] === undefined || Number(l['level']) < 40) return;
    const k = `${String(l['msg'])}${l['code'] !== undefined ? `: ${String(l['code'])}` : ''}`.slice(0, 120);
    warnings[k] = (warnings[k] ?? 0) + 1;
  };
  const pids = { parley: s.serve.proc.pid, agent: agent.pid, toolServer: s.tool.pid };
  const cpu0 = { parley: cpuSeconds(pids.parley), agent: cpuSeconds(pids.agent), toolServer: cpuSeconds(pids.toolServer) };
  const t0 = performance.now();
  const mono0 = Number(process.hrtime.bigint() / 1000n);
  // Parley's event-loop delay, once a second (its gauge covers the last second).
  const loop: { p99: number; max: number }[] = [];
  const sampler = setInterval(() => {
    void metricsText(s.serve.base)
      .then((t) => {
        const p99 = gauge(t, /^parley_event_loop_lag_seconds\{quantile="0\.99"\} (\S+)/m);
        const max = gauge(t, /^parley_event_loop_lag_seconds\{quantile="1"\} (\S+)/m);
        if (p99 !== null && max !== null) loop.push({ p99: p99 * 1000, max: max * 1000 });
      })
      .catch(() => {});
  }, 1000);
  let load;
  try {
    const rampMs = warmup ? 1000 : s.rampMs;
    load = await runLoad({ url: `ws://127.0.0.1:${s.serve.port}/twilio`, calls, rampMs, script: script(rampMs), seed: s.seed, callId: `a${index}`, maxCallMs: rampMs * 2 + 40_000 });
  } finally {
    clearInterval(sampler);
  }
  const wallS = (performance.now() - t0) / 1000;
  const mono1 = Number(process.hrtime.bigint() / 1000n);
  const cpu = { parley: cpuSeconds(pids.parley) - cpu0.parley, agent: cpuSeconds(pids.agent) - cpu0.agent, toolServer: cpuSeconds(pids.toolServer) - cpu0.toolServer };
  // Every call's cleanup done (its trace closed) before the traces are read.
  for (const end = Date.now() + 10_000; Date.now() < end; await sleep(100)) {
    if ((gauge(await metricsText(s.serve.base), /^parley_calls_active\{[^}]*\} (\d+)/m) ?? 0) === 0) break;
  }
  await sleep(300);
  agent.child.kill('SIGTERM');
  await agent.exited;
  s.onServeLog = undefined;
  const stats = (agent.json.find((j) => 'stats' in j) as { stats: AgentStats } | undefined)?.stats ?? { toolCalls: 0, errorsSent: -1, outputsPerCallId: [] };
  const pct = (sec: number) => Math.round((sec / wallS) * 100);
  return {
    kind,
    warmup,
    ok: load.ok,
    failed: load.failed,
    failures: load.failures,
    callers: { maxTickLateMs: load.generator.maxTickLateMs, ticksSkipped: load.generator.ticksSkipped },
    latenessMs: { p50: r1(load.lateness.p50), p99: r1(load.lateness.p99), max: r1(load.lateness.max), frames: load.lateness.count },
    eventLoopDelayMs: { p99Max: loop.length ? r1(Math.max(...loop.map((x) => x.p99))) : null, max: loop.length ? r1(Math.max(...loop.map((x) => x.max))) : null },
    cpuPct: { parley: pct(cpu.parley), agent: pct(cpu.agent), toolServer: pct(cpu.toolServer), callers: load.generator.cpuPct },
    agent: stats,
    judged: judgeTraces(takeTraces(s.traceDir)),
    parleyWarnings: warnings,
    wallS: Math.round(wallS),
    parleyCpuMsPerCall: r1((cpu.parley * 1000) / calls),
    monotonicUs: [mono0, mono1],
  };
}

function armSummary(a: ArmResult) {
  return {
    kind: a.kind,
    ...(a.warmup ? { warmup: true } : {}),
    ok: a.ok,
    failed: a.failed,
    ...(a.failed > 0 ? { failures: a.failures } : {}),
    latenessMs: a.latenessMs,
    callerClock: a.callers,
    eventLoopDelayMs: a.eventLoopDelayMs,
    cpuPct: a.cpuPct,
    parleyCpuMsPerCall: a.parleyCpuMsPerCall,
    ...(process.env.TOOLS_PROFILE ? { monotonicUs: a.monotonicUs } : {}),
    toolCalls: a.agent.toolCalls,
    toolCallsStarted: a.judged.calls,
    providerErrors: a.agent.errorsSent,
    providerErrorCodes: a.judged.providerErrors,
    parleyWarnings: a.parleyWarnings,
    wallS: a.wallS,
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '100' },
      reps: { type: 'string', default: '3' },
      'max-latency-ms': { type: 'string', default: '2000' },
      seed: { type: 'string', default: '7' },
      'inject-tool-stall-ms': { type: 'string', default: '0' },
      'ramp-ms': { type: 'string' },
    },
  });
  const calls = Number(values.calls);
  const reps = Math.max(1, Number(values.reps));
  const seed = Number(values.seed);
  const maxLatencyMs = Number(values['max-latency-ms']);
  const stallMs = Number(values['inject-tool-stall-ms']);
  const rampMs = Number(values['ramp-ms'] ?? 8000);
  const loadAvgAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-tools-'));
  const traceDir = join(dir, 'traces');
  const tool = startNode([`${repoRoot}dist/bench/_tools-remote.js`, 'tool'], { TOOLS_MAX_LATENCY_MS: String(maxLatencyMs), TOOLS_SEED: String(seed) });
  let serve: Setup['serve'] | undefined;
  try {
    const toolUrl = (JSON.parse((await tool.line(/^\{"url".*$/))[0]) as { url: string }).url;
    const agentPort = await freePort();
    const configFile = join(dir, 'parley.config.json');
    const parameters = { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] };
    writeFileSync(configFile, JSON.stringify({ tools: { lookup_order: { description: 'Look up an order', url: toolUrl, timeoutMs: 5000, parameters } } }));
    const nodeArgs = [...(stallMs > 0 ? ['--import', `${repoRoot}dist/bench/_tools-stall.js`] : []), ...(process.env.TOOLS_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.TOOLS_PROFILE] : [])];
    serve = await startServe({
      PARLEY_CONFIG: configFile,
      PARLEY_AI: 'openai',
      PARLEY_OPENAI_URL: `ws://127.0.0.1:${agentPort}/v1/realtime?model=gpt-realtime`,
      PARLEY_WEBHOOK_SECRET: 'bench-secret',
      PARLEY_MAX_CALLS: String(calls + 50),
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_TRACE_DIR: traceDir,
      TOOLS_STALL_MS: String(stallMs),
    }, undefined, nodeArgs);
    const setup: Setup = { calls, seed, maxLatencyMs, rampMs, serve, tool, agentPort, traceDir, onServeLog: undefined };
    serve.proc.onLine((l) => {
      if (!setup.onServeLog || !l.startsWith('{')) return;
      try {
        setup.onServeLog(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    });
    const arms: ArmResult[] = [];
    process.stderr.write(`tools bench: warm-up (${Math.min(calls, 20)} calls with tools), then ${reps} × (without, with) of ${calls} calls\n`);
    arms.push(await arm(setup, 'tools', 0, Math.min(calls, 20), true));
    for (const [i, kind] of armOrder(reps).entries()) {
      const a = await arm(setup, kind, i + 1, calls, false);
      process.stderr.write(`  arm ${i + 1} ${kind}: lateness p99 ${a.latenessMs.p99} ms, ok ${a.ok}/${calls}, parley ${a.cpuPct.parley}% cpu\n`);
      arms.push(a);
    }
    const counted = arms.filter((a) => !a.warmup);
    const withTools = counted.filter((a) => a.kind === 'tools');
    const without = counted.filter((a) => a.kind === 'none');
    const issued = withTools.reduce((n, a) => n + a.agent.toolCalls, 0);
    const hist = outputsHistogram(issued, withTools.flatMap((a) => a.agent.outputsPerCallId));
    const sum = (xs: readonly ArmResult[], f: (a: ArmResult) => number) => xs.reduce((n, a) => n + f(a), 0);
    const result = {
      bench: 'tools',
      calls,
      reps,
      maxLatencyMs,
      rampMs,
      ...(stallMs > 0 ? { injectedToolStallMs: stallMs } : {}),
      cores: (await import('node:os')).cpus().length,
      loadAvgAtStart,
      loadAvgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      ok: { withTools: withTools.map((a) => a.ok), withoutTools: without.map((a) => a.ok) },
      toolCalls: issued,
      toolCallsInArmsWithout: sum(without, (a) => a.agent.toolCalls + a.judged.calls),
      toolLatencyMs: latencySummary(withTools.flatMap((a) => a.judged.latencyMs)),
      outputsPerCallId: hist,
      staleResponses: sum(withTools, (a) => a.judged.stale),
      supersededResponses: sum(withTools, (a) => a.judged.superseded),
      bargedMidTool: sum(withTools, (a) => a.judged.barged),
      providerErrors: sum(counted, (a) => Math.max(0, a.agent.errorsSent)),
      lateness: latenessVerdict(
        withTools.map((a) => a.latenessMs.p99),
        without.map((a) => a.latenessMs.p99),
      ),
      arms: arms.map(armSummary),
    };
    process.stderr.write(`tools bench: ${result.toolCalls} tool calls, ${result.bargedMidTool} barged mid-tool; p99 lateness with ${JSON.stringify(result.lateness.p99Ms.withTools)} vs without ${JSON.stringify(result.lateness.p99Ms.withoutTools)} ms → withinNoise ${String(result.lateness.withinNoise)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (serve) {
      serve.proc.child.kill('SIGTERM');
      await serve.proc.exited;
    }
    tool.child.kill('SIGTERM');
    await tool.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
