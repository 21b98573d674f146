// `npm run bench -- capacity [--calls N] [--media native|js|both] [--protocol twilio|audio-stream|telnyx|plivo|exotel|asterisk|audiosocket] [--ai openai|cascade] [--callers-process N] [--workers N] [--ramp-ms MS] [--hold-s S] [--baseline] [--wake-ticks N,...]`
// N simulated calls (default 200) through a real `parley serve` process and the offline agent
// (its own process), each with a barge-in; prints one JSON object (last line) per the issue's
// Done-when: calls, frames, outbound frame lateness at the caller, underruns caused by Parley,
// drops, CPU %, RSS per call, cut-off latency and truncation error — per media engine.
// `--ai cascade` runs PARLEY_AI=cascade (the agent as a text-only LLM, the TTS fakes in a third
// process) and adds the TTS figures; every run reports time-to-first-audio per turn.
// `--protocol audiosocket` serves Asterisk AudioSocket on a TCP port and drives AudioSocketCaller
// legs (an unflushable far side): figures that need a clear are null with a note; see
// _capacity-audiosocket.ts for what replaces them (far-side queue, stale audio after a barge-in).
//
// Processes: serve (measured: CPU and RSS from /proc, summed over its workers with `--workers N`;
// _capacity-serve.ts), the agent, and the callers — in this process, or split over N processes
// with `--callers-process N`; each party's CPU is reported. Every call is up at once for at least
// `--hold-s` after the ramp (_capacity-script.ts); the run says whether all calls were.
// The callers' own tick lateness is reported too: when it is high the caller, not Parley, is late.
// `--baseline` runs each engine a second time on the earlier JS path
// (PARLEY_JS_PATH=baseline) and reports Parley's CPU per call-second as new/baseline.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { bargeInsHonoured, bargeSteps, percentiles, type LoadResult } from '../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';
import { cpuSeconds } from './_proc.js';
import { byLabel, histQuantile, parseMetrics } from './_prom.js';
import { runAudioSocketCallers, runCallers } from './_capacity-load.js';
import { audioSocketFigures, audioSocketLeadMs } from './_capacity-audiosocket.js';
import { start } from './_capacity-proc.js';
import type { AudioSocketLoadResult } from '../src/tools/sim/caller/audiosocket-load.js';
import { DEFAULT_HOLD_MS, LEAD_MS, script } from './_capacity-script.js';
import { ServeWatch, waitServing } from './_capacity-serve.js';
import { coresOf } from './_capacity-tree.js';
import { truncationErrors } from './_capacity-truncation.js';
import { threadCpu, threadReport, threadSplit, threadsVsBaseline } from './_proc-threads.js';
import { serveEnv } from './_capacity-env.js';
import { profileParts } from './_cpuprofile-parts.js';

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

interface RunOptions {
  readonly calls: number;
  readonly media: 'native' | 'js';
  readonly protocol: TelephonyProtocol;
  readonly rampMs: number;
  /** Every call stays up at least this long after the ramp, in turns or silent. */
  readonly holdMs: number;
  readonly hold: 'talk' | 'silence';
  /** `parley serve --workers N` (1: no cluster). */
  readonly workers: number;
  readonly ai: 'openai' | 'cascade';
  /** 'stringify' is the baseline: PARLEY_JS_PATH=baseline. */
  readonly framing: 'template' | 'stringify';
  /** 0: callers in this process. */
  readonly callersProcess: number;
  /** PARLEY_MEDIA_WAKE_TICKS for serve; undefined: serve's default (or the bench's own environment). */
  readonly wakeTicks: number | undefined;
}

/** Serve's environment for cascade mode: the TTS fakes' URLs and the keys they expect. */
function cascadeEnv(tts: { elevenlabs: string; openai: string }): Record<string, string> {
  return {
    PARLEY_AI: 'cascade',
    OPENAI_API_KEY: 'bench-openai',
    ELEVENLABS_API_KEY: 'bench-el',
    PARLEY_ELEVENLABS_URL: tts.elevenlabs,
    PARLEY_OPENAI_TTS_URL: tts.openai,
  };
}

/** Caller speech end → first agent audio, per turn of the script (barge-in turns excluded). */
function firstAudioPerTurn(reports: LoadResult['reports']) {
  const byTurn = new Map<number, number[]>();
  for (const r of reports) {
    for (const t of r.turns) {
      if (t.bargeIn || t.responseLatencyMs === undefined) continue;
      const xs = byTurn.get(t.index) ?? [];
      xs.push(t.responseLatencyMs);
      byTurn.set(t.index, xs);
    }
  }
  return [...byTurn].sort(([a], [b]) => a - b).map(([turn, xs]) => ({ turn, ...percentiles(xs) }));
}

async function runOnce(o: RunOptions): Promise<Record<string, unknown>> {
  const runStart = Date.now(); // profiles written after this are this run's
  const loadAvgAtStart = loadavg().map((x) => Math.round(x * 100) / 100); // each arm's own, when arms alternate
  // CAPACITY_PROFILE_AGENT=<dir>: a V8 CPU profile of the agent too (where the generator's time goes).
  const agentProf = process.env.CAPACITY_PROFILE_AGENT ? ['--cpu-prof', '--cpu-prof-dir', process.env.CAPACITY_PROFILE_AGENT] : [];
  const agent = start([...agentProf, 'dist/bench/_capacity-agent.js'], {});
  const agentUrl = JSON.parse((await agent.line(/^\{"url".*$/))[0]) as { url: string };
  const ttsProc = o.ai === 'cascade' ? start(['dist/bench/_capacity-tts.js'], {}) : undefined;
  const ttsUrls = ttsProc ? (JSON.parse((await ttsProc.line(/^\{"tts".*$/))[0]) as { tts: { elevenlabs: string; openai: string } }).tts : undefined;
  // CAPACITY_PROFILE=<dir>: write a V8 CPU profile of the serve process there (its parts reported).
  const prof = process.env.CAPACITY_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.CAPACITY_PROFILE] : [];
  const env = {
    PORT: '0',
    PARLEY_HOST: '127.0.0.1',
    PARLEY_AI: 'openai',
    PARLEY_OPENAI_URL: agentUrl.url,
    PARLEY_MEDIA: o.media,
    PARLEY_MAX_CALLS: String(o.calls + 100),
    PARLEY_LOG_LEVEL: 'info',
    PARLEY_TRACE_DIR: '',
    PARLEY_JS_PATH: o.framing === 'stringify' ? 'baseline' : 'lean',
    ...(o.wakeTicks !== undefined ? { PARLEY_MEDIA_WAKE_TICKS: String(o.wakeTicks) } : {}),
    // AudioSocket is raw TCP on its own port (any free one; loopback is allowed by default).
    ...(o.protocol === 'audiosocket' ? { PARLEY_AUDIOSOCKET_PORT: '0' } : {}),
    ...(ttsUrls ? cascadeEnv(ttsUrls) : {}),
    ...serveEnv(),
  };
  const serve = start([...prof, 'dist/src/cli/main.js', 'serve', '--workers', String(o.workers)], env);
  try {
    const { port, tcpPort } = await waitServing(serve, o.workers, o.protocol === 'audiosocket');
    const base = `http://127.0.0.1:${port}`;
    const agentPid = agent.child.pid!;
    // Idle baseline of serve's whole process tree (every worker up), then a sample a second.
    const watch = new ServeWatch(serve.child.pid!, base, o.calls);
    await watch.start();
    const threads0 = threadCpu(serve.child.pid!);
    const agentCpu0 = cpuSeconds(agentPid);
    const benchCpu0 = process.cpuUsage();
    const t0 = performance.now();
    let load: LoadResult | undefined;
    let asLoad: AudioSocketLoadResult | undefined;
    let callersCpuPct: readonly number[];
    try {
      const callers = { calls: o.calls, rampMs: o.rampMs, holdMs: o.holdMs, hold: o.hold, maxCallMs: o.rampMs + o.holdMs + 40_000, processes: o.callersProcess };
      // The media core's lookahead (80 ms) counts the frame in flight; the caller's lead does not.
      if (tcpPort !== undefined) ({ load: asLoad, cpuPctEach: callersCpuPct } = await runAudioSocketCallers({ ...callers, url: `tcp://127.0.0.1:${tcpPort}` }));
      else ({ load, cpuPctEach: callersCpuPct } = await runCallers({ ...callers, url: `${base}/${o.protocol}` }));
    } finally {
      watch.stop();
    }
    const wallS = (performance.now() - t0) / 1000;
    const parleyCpuS = watch.stop();
    const threads = threadSplit(threads0, threadCpu(serve.child.pid!));
    const { peakCalls, samples } = watch;
    const cpuPct = (parleyCpuS / wallS) * 100;
    // Whole run: serve's CPU over the calls' summed durations (robust when two runs peak differently).
    const callSeconds = (load?.reports ?? asLoad?.reports ?? []).reduce<number>((a, r) => a + r.durationMs, 0) / 1000;
    const agentCpuPct = ((cpuSeconds(agentPid) - agentCpu0) / wallS) * 100;
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuPct = ((benchCpu.user + benchCpu.system) / 1e6 / wallS) * 100;
    await new Promise((r) => setTimeout(r, 1500)); // let the last calls' teardown land in the metrics
    const m = parseMetrics(await (await fetch(`${base}/metrics`)).text());

    serve.child.kill('SIGTERM');
    agent.child.kill('SIGTERM');
    ttsProc?.child.kill('SIGTERM');
    const [serveExit] = await Promise.all([serve.exited, agent.exited, ttsProc?.exited]);
    const ttsStats = (ttsProc?.json.find((j) => typeof j === 'object' && j !== null && 'ttsStats' in j) as { ttsStats: unknown } | undefined)?.ttsStats;
    const truncs = agent.json.filter((j): j is { truncate: { eventId: string; audioEndMs: number } } => typeof j === 'object' && j !== null && 'truncate' in j);
    const agentStats = (agent.json.find((j) => typeof j === 'object' && j !== null && 'stats' in j) as { stats: Record<string, number> } | undefined)?.stats;
    const trunc = truncationErrors(load?.reports ?? [], truncs);
    const parley = {
      framesIn: m.get(`parley_frames_in_total{protocol="${o.protocol}"}`) ?? 0,
      framesOut: m.get(`parley_frames_out_total{protocol="${o.protocol}"}`) ?? 0,
      underrunsParley: m.get('parley_underruns_total{cause="parley"}') ?? 0,
      underrunsAi: m.get('parley_underruns_total{cause="ai"}') ?? 0,
      cutoff: { p50: r1(scale(histQuantile(m, 'parley_cutoff_latency_seconds', 0.5))), p99: r1(scale(histQuantile(m, 'parley_cutoff_latency_seconds', 0.99))), note: 'speech_started in → clear out; from histogram buckets' },
      firstAudio: { p50: r1(scale(histQuantile(m, 'parley_ai_first_audio_seconds', 0.5))), p99: r1(scale(histQuantile(m, 'parley_ai_first_audio_seconds', 0.99))), note: 'speech_stopped → first agent audio delta, inside Parley; from histogram buckets' },
      rejectedTruncates: agentStats?.['rejectedTruncates'] ?? null,
    };
    // The callers' figures: a WebSocket SimCall load, or AudioSocket legs (an unflushable far side).
    const wsFigures = (load: LoadResult) => {
      const { reports: _reports, ...summary } = load;
      return {
        head: {
          ok: summary.ok,
          failed: summary.failed,
          failures: summary.failures,
          frames: {
            callerSent: summary.framesSent,
            callerReceived: summary.framesReceived,
            parleyIn: parley.framesIn,
            parleyOut: parley.framesOut,
          },
          outboundLatenessMs: { ...summary.lateness, note: `over whole responses (a stall inside a response is late by the stall), vs real-time pacing with ${LEAD_MS} ms lead beyond the frame in flight` },
          betweenResponses: { ...summary.betweenResponses, note: 'silences where one response ended and the next began (caller turn, clear, or > 3 s unprompted): neither lateness nor underruns' },
          underruns: {
            causedByParley: parley.underrunsParley,
            aiStarved: parley.underrunsAi,
            callerObserved: summary.underruns,
            callerObservedMs: summary.underrunMs,
          },
        },
        tail: {
          cutoffLatencyMs: {
            parley: parley.cutoff,
            caller: { ...summary.cutoffLatency, note: 'caller speech start → playback cleared; includes the agent VAD' },
          },
          truncationErrorMs: {
            ...trunc,
            rejected: parley.rejectedTruncates,
            note:
              o.protocol === 'audio-stream'
                ? "|audio_end_ms − (caller's heard − carriedOverMs)| per call: the < 60 ms the module stranded from the previous reply, measured by the caller, is not part of this reply; calls with more truncates than barge-ins are counted, not paired"
                : "|audio_end_ms − caller's heard| per call; calls with more truncates than barge-ins are counted, not paired",
          },
          staleFramesAfterClear: summary.staleFramesAfterClear,
          bargeIns: bargeInsHonoured(load.reports.map((r) => ({ callId: r.callId, report: r, attempts: bargeSteps(script({ rampMs: o.rampMs, holdMs: o.holdMs, hold: o.hold })) }))),
          responseLatencyMs: summary.responseLatency,
          timeToFirstAudioMs: {
            perTurn: firstAudioPerTurn(load.reports),
            parley: parley.firstAudio,
            note: 'per turn: caller speech end → first agent audio heard (barge-in turns excluded)',
          },
        },
        generator: summary.generator,
      };
    };
    const figures = load ? wsFigures(load) : audioSocketFigures(asLoad!, truncs, parley, audioSocketLeadMs(env));
    return {
      engine: o.media,
      framing: o.framing,
      wakeTicks: o.wakeTicks ?? process.env['PARLEY_MEDIA_WAKE_TICKS'] ?? 'default',
      protocol: o.protocol,
      ai: o.ai,
      calls: o.calls,
      workers: o.workers,
      peakConcurrentCalls: peakCalls,
      concurrency: watch.concurrency(),
      ...figures.head,
      drops: byLabel(m, 'parley_drops_total', 'reason'),
      cpuPct: {
        parley: Math.round(cpuPct),
        agent: Math.round(agentCpuPct),
        callers: o.callersProcess > 0 ? callersCpuPct.reduce((a, x) => a + x, 0) : Math.round(benchCpuPct),
        callersEach: o.callersProcess > 0 ? callersCpuPct : null,
        bench: Math.round(benchCpuPct),
        note: '% of one core over the whole run, per party (100 = one core); callers in-process: the bench process',
      },
      cores: {
        serve: watch.cores(wallS),
        agent: Math.round(agentCpuPct) / 100,
        callers: Math.round((o.callersProcess > 0 ? callersCpuPct.reduce((a, x) => a + x, 0) : benchCpuPct)) / 100,
        note: 'cores used over the whole run (1 = one core busy throughout); serve: the primary and each worker',
      },
      parleyCpu: { ...cpuAtLoad(samples, peakCalls), wholeRunMsPerCallSecond: callSeconds > 0 ? Math.round((parleyCpuS * 1000 * 100) / callSeconds) / 100 : null, cpuUsPerFrameOut: Math.round((parleyCpuS * 1e6) / Math.max(1, m.get(`parley_frames_out_total{protocol="${o.protocol}"}`) ?? 0)) },
      parleyThreads: threadReport(threads, wallS, callSeconds),
      rss: watch.rss(),
      ...figures.tail,
      ...(o.ai === 'cascade'
        ? {
            tts: {
              firstChunkMs: { p50: r1(scale(histQuantile(m, 'parley_tts_first_chunk_seconds', 0.5))), p99: r1(scale(histQuantile(m, 'parley_tts_first_chunk_seconds', 0.99))), note: 'sentence sent → first TTS chunk' },
              requests: byLabel(m, 'parley_tts_requests_total', 'outcome'),
              cache: { ...byLabel(m, 'parley_tts_cache_lookups_total', 'result'), bytes: m.get('parley_tts_cache_bytes') ?? null, evictions: byLabel(m, 'parley_tts_cache_evictions_total', 'reason') },
              cancelledDrops: byLabel(m, 'parley_tts_cancelled_drops_total', 'stage'),
              fakes: ttsStats ?? null,
            },
          }
        : {}),
      mediaThread: {
        tickLatenessP99Ms: r1(scale(m.get('parley_media_tick_lateness_seconds{quantile="0.99"}') ?? null)),
        tickLatenessMaxMs: r1(scale(m.get('parley_media_tick_lateness_seconds{quantile="1"}') ?? null)),
        note: "lateness from the first missed deadline (a stall of N periods reads N periods); percentiles of the engine's last 8192 ticks",
        tickWorkP99Ms: r1(scale(m.get('parley_media_tick_work_seconds{quantile="0.99"}') ?? null)),
        missedTicks: m.get('parley_media_missed_ticks') ?? null,
      },
      eventLoopLagP99Ms: r1(scale(m.get('parley_event_loop_lag_seconds{quantile="0.99"}') ?? null)),
      callsEnded: byLabel(m, 'parley_calls_ended_total', 'reason'),
      callerGenerator: figures.generator,
      serveExitCode: serveExit,
      ...(process.env.CAPACITY_PROFILE ? { profileParts: profileParts(process.env.CAPACITY_PROFILE, runStart) } : {}),
      wallS: Math.round(wallS),
      serveEnv: serveEnv(),
      loadAvg: { atStart: loadAvgAtStart, atEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    };
  } catch (err) {
    for (const p of [serve, agent, ttsProc]) p?.child.kill('SIGKILL');
    return { engine: o.media, framing: o.framing, wakeTicks: o.wakeTicks ?? 'default', protocol: o.protocol, ai: o.ai, calls: o.calls, error: err instanceof Error ? err.message : String(err) };
  }
}

/** CPU (% of one core) while at least 90 % of the peak calls were up, and CPU ms per call-second. */
function cpuAtLoad(samples: readonly { t: number; cpu: number; calls: number }[], peak: number) {
  const busy = samples.filter((x) => x.calls >= 0.9 * peak && x.t > 0);
  const callSeconds = samples.reduce((a, x) => a + x.calls * x.t, 0);
  const cpu = samples.reduce((a, x) => a + x.cpu, 0);
  return {
    pctAtPeak: busy.length ? Math.round((busy.reduce((a, x) => a + x.cpu, 0) / busy.reduce((a, x) => a + x.t, 0)) * 100) : null,
    msPerCallSecond: callSeconds > 0 ? Math.round((cpu * 1000 * 100) / callSeconds) / 100 : null,
    samplesAtPeak: busy.length,
  };
}

const scale = (s: number | null) => (s === null ? null : s * 1000);

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string' },
      media: { type: 'string' },
      protocol: { type: 'string' },
      'ramp-ms': { type: 'string' },
      'hold-s': { type: 'string' },
      hold: { type: 'string' },
      workers: { type: 'string' },
      ai: { type: 'string' },
      'callers-process': { type: 'string' },
      'wake-ticks': { type: 'string' },
      baseline: { type: 'boolean' },
      'baseline-first': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const callersProcess = Number(values['callers-process'] ?? 0);
  if (!Number.isInteger(callersProcess) || callersProcess < 0) throw new Error(`--callers-process must be a whole number ≥ 0, got '${String(values['callers-process'])}'`);
  const ai = (values.ai ?? 'openai') as 'openai' | 'cascade';
  if (ai !== 'openai' && ai !== 'cascade') throw new Error(`--ai must be openai or cascade, got '${String(values.ai)}'`);
  const calls = Number(values.calls ?? 200);
  const protocol = (values.protocol ?? 'twilio') as TelephonyProtocol;
  const engines = (values.media ?? 'both') === 'both' ? (['native', 'js'] as const) : ([values.media as 'native' | 'js'] as const);
  const rampMs = Number(values['ramp-ms'] ?? Math.min(10_000, calls * 10));
  const holdMs = values['hold-s'] !== undefined ? Number(values['hold-s']) * 1000 : DEFAULT_HOLD_MS;
  if (!Number.isFinite(holdMs) || holdMs < 0) throw new Error(`--hold-s must be a number ≥ 0, got '${String(values['hold-s'])}'`);
  const hold = (values.hold ?? 'talk') as 'talk' | 'silence';
  if (hold !== 'talk' && hold !== 'silence') throw new Error(`--hold must be talk or silence, got '${String(values.hold)}'`);
  const workers = Number(values.workers ?? 1);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a whole number ≥ 1, got '${String(values.workers)}'`);
  // --wake-ticks 1,2,1,2: one run per entry, in that order (alternate arms on a shared machine).
  const wakeList = values['wake-ticks'] === undefined ? [undefined] : values['wake-ticks'].split(',').map((x) => Number(x));
  if (wakeList.some((x) => x !== undefined && (!Number.isInteger(x) || x < 1 || x > 4))) throw new Error(`--wake-ticks must be whole numbers within 1..4, comma-separated, got '${String(values['wake-ticks'])}'`);
  const loadAtStart = (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);
  const runs: Record<string, unknown>[] = [];
  // Run order matters on a loaded machine: --baseline-first runs the baseline first, to check.
  const framings = values.baseline ? (values['baseline-first'] ? (['stringify', 'template'] as const) : (['template', 'stringify'] as const)) : (['template'] as const);
  const ratios: Record<string, unknown>[] = [];
  for (const media of engines) {
    const byFraming: Record<string, Record<string, unknown>> = {};
    // The baseline is the earlier path as it was: one wake-up per tick, whatever --wake-ticks says.
    for (const framing of framings) for (const wakeTicks of framing === 'stringify' ? [undefined] : wakeList) {
      process.stderr.write(`capacity: ${calls} ${protocol} calls, ${ai}, ${media} media engine, ${framing} framing, wake every ${wakeTicks ?? 'default'} tick(s), callers ${callersProcess || 'in-process'}, ${framing === 'stringify' ? 1 : workers} worker(s), ramp ${rampMs} ms, hold ${holdMs} ms (${hold}) ...\n`);
      // The baseline is the "today's single-worker JS framing path": one process, whatever --workers says.
      const r = await runOnce({ calls, media, protocol, rampMs, holdMs, hold, workers: framing === 'stringify' ? 1 : workers, ai, framing, callersProcess, wakeTicks });
      byFraming[framing] = r;
      runs.push(r);
    }
    if (byFraming['stringify']) ratios.push({ engine: media, ...vsBaseline(byFraming['template']!, byFraming['stringify']) });
  }
  const os = await import('node:os');
  // Other work on the machine skews every figure here: say how busy it was.
  process.stdout.write(`${JSON.stringify({ bench: 'capacity', calls, protocol, ai, workers, rampMs, holdMs, hold, cores: os.cpus().length, loadAvgAtStart: loadAtStart, loadAvgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100), ...(ratios.length ? { vsBaseline: ratios } : {}), runs })}\n`);
}

/** Parley's CPU per call-second (and the rest a reader compares) of a run against its baseline in the same invocation. */
function vsBaseline(now: Record<string, unknown>, base: Record<string, unknown>) {
  const ms = (r: Record<string, unknown>) => (r['parleyCpu'] as { msPerCallSecond: number | null } | undefined)?.msPerCallSecond ?? null;
  const whole = (r: Record<string, unknown>) => (r['parleyCpu'] as { wholeRunMsPerCallSecond: number | null } | undefined)?.wholeRunMsPerCallSecond ?? null;
  const w = whole(now);
  const wb = whole(base);
  const p99 = (r: Record<string, unknown>) => (r['outboundLatenessMs'] as { p99: number } | undefined)?.p99 ?? null;
  const rss = (r: Record<string, unknown>) => (r['rss'] as { perCallKiB: number | null } | undefined)?.perCallKiB ?? null;
  const a = ms(now);
  const b = ms(base);
  return {
    cpuMsPerCallSecond: { new: a, baseline: b, ratio: a !== null && b ? Math.round((a / b) * 1000) / 1000 : null, note: 'sampled once a second while calls were up' },
    wholeRunCpuMsPerCallSecond: { new: w, baseline: wb, ratio: w !== null && wb ? Math.round((w / wb) * 1000) / 1000 : null, note: "serve's CPU over the run / the calls' summed durations" },
    outboundLatenessP99Ms: { new: p99(now), baseline: p99(base) },
    rssPerCallKiB: { new: rss(now), baseline: rss(base) },
    workers: { new: now['workers'] ?? null, baseline: base['workers'] ?? null },
    // With several --wake-ticks arms, the ratio is the last one's.
    wakeTicks: { new: now['wakeTicks'] ?? null, baseline: base['wakeTicks'] ?? null },
    mainJsThreadMsPerCallSecond: threadsVsBaseline(now, base, 'mainJs'),
    kernelMsPerCallSecond: threadsVsBaseline(now, base, 'kernel'),
    note: 'baseline: PARLEY_JS_PATH=baseline (ws.send of JSON.stringify per outbound message, every mark echo a machine step, inspection on) in one worker, in the same invocation',
  };
}

const USAGE = `npm run bench -- capacity [options]
  --calls N              simulated calls (default 200), each with a barge-in
  --media native|js|both media engine(s) to run (default both)
  --protocol P           twilio (default), audio-stream, telnyx, plivo, exotel, asterisk, ...,
                         audiosocket (raw TCP: AudioSocket callers, far-side queue figures)
  --ai openai|cascade    the offline agent as realtime AI, or as the LLM of a TTS cascade
  --ramp-ms MS           spread call starts over MS (default min(10000, calls × 10))
  --hold-s S             every call stays up (still in conversation) at least S seconds after
                         the last one started (default 5): the run reports allConcurrentAtPeak
  --hold talk|silence    the hold is plain turns (default: every call in conversation at peak)
                         or silence (a lighter load; the calls' sockets and rings still up)
  --workers N            parley serve --workers N (default 1); CPU and RSS summed over the
                         primary and every worker, cores reported per process
  --callers-process N    split the callers over N child processes (default 0: in the bench process)
  --wake-ticks N[,N...]  PARLEY_MEDIA_WAKE_TICKS for serve (1..4), one run per entry in that order
                         (e.g. 1,2,1,2 alternates the arms); each run reports its wakeTicks
  --baseline             also run each engine with the earlier outbound framing
                         (PARLEY_JS_PATH=baseline) in one worker; reports Parley CPU per call-second new/baseline
  --baseline-first       with --baseline: run the baseline before the new path (order check)
  CAPACITY_PROFILE=DIR   write a V8 CPU profile of each serve process to DIR; reports its time by part
  CAPACITY_PROFILE_AGENT=DIR, CAPACITY_PROFILE_CALLERS=DIR   the same for the agent, the caller processes
Prints one JSON object (last line): per run calls, lateness, underruns, CPU % per party,
Parley CPU ms per call-second, RSS per call, cut-off and truncation figures, load average.
`;
