// `npm run bench -- capacity [--calls N] [--media native|js|both] [--protocol twilio|audio-stream|telnyx|plivo|exotel|asterisk] [--ai openai|cascade]`
// N simulated calls (default 200) through a real `parley serve` process and the offline agent
// (its own process), each with a barge-in; prints one JSON object (last line) per the issue's
// Done-when: calls, frames, outbound frame lateness at the caller, underruns caused by Parley,
// drops, CPU %, RSS per call, cut-off latency and truncation error — per media engine.
// `--ai cascade` runs PARLEY_AI=cascade (the agent as a text-only LLM, the TTS fakes in a third
// process) and adds the TTS figures; every run reports time-to-first-audio per turn.
//
// Processes: serve (measured: CPU and RSS from /proc), the agent, and this one (the callers).
// The callers' own tick lateness is reported too: when it is high the caller, not Parley, is late.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bargeInsHonoured, bargeSteps, runLoad, percentiles, type LoadResult, type ScriptStep } from '../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';
import { cpuSeconds, rssKiB } from './_proc.js';
import { byLabel, histQuantile, parseMetrics } from './_prom.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/bench → repo root
/** Lateness is measured against real-time pacing with this lead: the default lookahead minus the frame in flight. */
const LEAD_MS = 60;

/** Long enough that every call is still running when the ramp has started the last one. */
function script(rampMs: number): ScriptStep[] {
  return [
    { kind: 'say', ms: 1200 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'say', ms: 800 },
    { kind: 'barge', afterMs: 600, sayMs: 1000, timeoutMs: 20_000 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'silence', ms: Math.max(1000, rampMs) },
    { kind: 'hangup' },
  ];
}

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching. */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Every JSON line seen on stdout so far. */
  readonly json: unknown[];
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const json: unknown[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += String(d);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (l.startsWith('{"url"') || l.startsWith('{"truncate"') || l.startsWith('{"stats"') || l.startsWith('{"tts')) json.push(JSON.parse(l));
      for (const w of [...waiters]) {
        const m = w.re.exec(l);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + String(d)).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return {
    child,
    exited,
    json,
    line: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        setTimeout(() => reject(new Error(`timed out waiting for ${re} (stderr: ${err})`)), timeoutMs).unref();
        void exited.then((c) => reject(new Error(`process exited (${c}) before ${re}: ${err}`)));
      }),
  };
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

interface RunOptions {
  readonly calls: number;
  readonly media: 'native' | 'js';
  readonly protocol: TelephonyProtocol;
  readonly rampMs: number;
  readonly ai: 'openai' | 'cascade';
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
  const agent = start(['dist/bench/_capacity-agent.js'], {});
  const agentUrl = JSON.parse((await agent.line(/^\{"url".*$/))[0]) as { url: string };
  const ttsProc = o.ai === 'cascade' ? start(['dist/bench/_capacity-tts.js'], {}) : undefined;
  const ttsUrls = ttsProc ? (JSON.parse((await ttsProc.line(/^\{"tts".*$/))[0]) as { tts: { elevenlabs: string; openai: string } }).tts : undefined;
  // CAPACITY_PROFILE=<dir>: write a V8 CPU profile of the serve process there.
  const prof = process.env.CAPACITY_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.CAPACITY_PROFILE] : [];
  const serve = start([...prof, 'dist/src/cli/main.js', 'serve'], {
    PORT: '0',
    PARLEY_HOST: '127.0.0.1',
    PARLEY_AI: 'openai',
    PARLEY_OPENAI_URL: agentUrl.url,
    PARLEY_MEDIA: o.media,
    PARLEY_MAX_CALLS: String(o.calls + 100),
    PARLEY_LOG_LEVEL: 'info',
    PARLEY_TRACE_DIR: '',
    ...(ttsUrls ? cascadeEnv(ttsUrls) : {}),
  });
  try {
    const port = Number((await serve.line(/"port":(\d+),"host":"127\.0\.0\.1","msg":"listening"/))[1]);
    const base = `http://127.0.0.1:${port}`;
    const pid = serve.child.pid!;
    const agentPid = agent.child.pid!;
    const rss0 = rssKiB(pid);
    const cpu0 = cpuSeconds(pid);
    const agentCpu0 = cpuSeconds(agentPid);
    const t0 = performance.now();
    let peakRss = rss0;
    let peakCalls = 0;
    const heap0 = Number(/^parley_nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);
    let heapAtPeak = heap0;
    // Once a second: CPU of serve, calls in progress (from /metrics), RSS.
    const samples: { t: number; cpu: number; calls: number }[] = [];
    let last = { t: t0, cpu: cpu0 };
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssKiB(pid));
      const now = { t: performance.now(), cpu: cpuSeconds(pid) };
      const prev = last;
      last = now;
      void fetch(`${base}/metrics`)
        .then((r) => r.text())
        .then((t) => {
          const calls = Number(/^parley_calls_active\{protocol="[^"]+"\} (\d+)/m.exec(t)?.[1] ?? 0);
          peakCalls = Math.max(peakCalls, calls);
          const heap = Number(/^parley_nodejs_heap_size_used_bytes (\S+)/m.exec(t)?.[1] ?? 0);
          if (calls >= peakCalls) heapAtPeak = Math.max(heapAtPeak, heap);
          samples.push({ t: (now.t - prev.t) / 1000, cpu: now.cpu - prev.cpu, calls });
        })
        .catch(() => {});
    }, 1000);
    let load: LoadResult;
    try {
      // The media core's lookahead (80 ms) counts the frame in flight; the caller's lead does not.
      load = await runLoad({ url: `${base}/${o.protocol}`, calls: o.calls, rampMs: o.rampMs, script: script(o.rampMs), maxCallMs: o.rampMs + 40_000, leadMs: LEAD_MS });
    } finally {
      clearInterval(sampler);
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpuPct = ((cpuSeconds(pid) - cpu0) / wallS) * 100;
    const agentCpuPct = ((cpuSeconds(agentPid) - agentCpu0) / wallS) * 100;
    await new Promise((r) => setTimeout(r, 1500)); // let the last calls' teardown land in the metrics
    const m = parseMetrics(await (await fetch(`${base}/metrics`)).text());

    serve.child.kill('SIGTERM');
    agent.child.kill('SIGTERM');
    ttsProc?.child.kill('SIGTERM');
    const [serveExit] = await Promise.all([serve.exited, agent.exited, ttsProc?.exited]);
    const ttsStats = (ttsProc?.json.find((j) => typeof j === 'object' && j !== null && 'ttsStats' in j) as { ttsStats: unknown } | undefined)?.ttsStats;
    const truncs = agent.json.filter((j): j is { truncate: { eventId: string; audioEndMs: number } } => typeof j === 'object' && j !== null && 'truncate' in j);
    const agentStats = (agent.json.find((j) => typeof j === 'object' && j !== null && 'stats' in j) as { stats: Record<string, number> } | undefined)?.stats;
    // Pair each truncate (its event id starts with the call id) with what that caller heard.
    const heardByCall = new Map<string, number>();
    for (const r of load.reports) {
      const b = r.bargeIns[0];
      // What the caller heard of the interrupted reply: less the earlier reply's stranded tail.
      if (b) heardByCall.set(r.callId, b.heardMs - b.carriedOverMs);
    }
    const errors: number[] = [];
    for (const { truncate: t } of truncs) {
      const callId = String(t.eventId).split('.truncate.')[0]!;
      // Platforms dress the caller's id (Twilio CA…, Telnyx v3:…); the rest pass it as is.
      const heard = heardByCall.get(callId) ?? heardByCall.get(callId.replace(/^(CA|v3:)/, ''));
      if (heard !== undefined) errors.push(Math.abs(t.audioEndMs - heard));
    }
    const trunc = percentiles(errors);
    const { reports: _reports, ...summary } = load;
    return {
      engine: o.media,
      protocol: o.protocol,
      ai: o.ai,
      calls: o.calls,
      peakConcurrentCalls: peakCalls,
      ok: summary.ok,
      failed: summary.failed,
      failures: summary.failures,
      frames: {
        callerSent: summary.framesSent,
        callerReceived: summary.framesReceived,
        parleyIn: m.get(`parley_frames_in_total{protocol="${o.protocol}"}`) ?? 0,
        parleyOut: m.get(`parley_frames_out_total{protocol="${o.protocol}"}`) ?? 0,
      },
      outboundLatenessMs: { ...summary.lateness, note: `over whole responses (a stall inside a response is late by the stall), vs real-time pacing with ${LEAD_MS} ms lead beyond the frame in flight` },
      betweenResponses: { ...summary.betweenResponses, note: 'silences where one response ended and the next began (caller turn, clear, or > 3 s unprompted): neither lateness nor underruns' },
      underruns: {
        causedByParley: m.get('parley_underruns_total{cause="parley"}') ?? 0,
        aiStarved: m.get('parley_underruns_total{cause="ai"}') ?? 0,
        callerObserved: summary.underruns,
        callerObservedMs: summary.underrunMs,
      },
      drops: byLabel(m, 'parley_drops_total', 'reason'),
      cpuPct: { parley: Math.round(cpuPct), agent: Math.round(agentCpuPct), callers: summary.generator.cpuPct },
      parleyCpu: cpuAtLoad(samples, peakCalls),
      rss: { baselineMiB: Math.round(rss0 / 1024), peakMiB: Math.round(peakRss / 1024), perCallKiB: peakCalls ? Math.round((peakRss - rss0) / peakCalls) : null, jsHeapPerCallKiB: peakCalls ? Math.round((heapAtPeak - heap0) / 1024 / peakCalls) : null },
      cutoffLatencyMs: {
        parley: { p50: r1(scale(histQuantile(m, 'parley_cutoff_latency_seconds', 0.5))), p99: r1(scale(histQuantile(m, 'parley_cutoff_latency_seconds', 0.99))), note: 'speech_started in → clear out; from histogram buckets' },
        caller: { ...summary.cutoffLatency, note: 'caller speech start → playback cleared; includes the agent VAD' },
      },
      truncationErrorMs: {
        ...trunc,
        rejected: agentStats?.['rejectedTruncates'] ?? null,
        note:
          o.protocol === 'audio-stream'
            ? "|audio_end_ms − (caller's heard − carriedOverMs)| per call: the < 60 ms the module stranded from the previous reply, measured by the caller, is not part of this reply"
            : "|audio_end_ms − caller's heard| per call",
      },
      staleFramesAfterClear: summary.staleFramesAfterClear,
      bargeIns: bargeInsHonoured(load.reports.map((r) => ({ callId: r.callId, report: r, attempts: bargeSteps(script(o.rampMs)) }))),
      responseLatencyMs: summary.responseLatency,
      timeToFirstAudioMs: {
        perTurn: firstAudioPerTurn(load.reports),
        parley: { p50: r1(scale(histQuantile(m, 'parley_ai_first_audio_seconds', 0.5))), p99: r1(scale(histQuantile(m, 'parley_ai_first_audio_seconds', 0.99))), note: 'speech_stopped → first agent audio delta, inside Parley; from histogram buckets' },
        note: 'per turn: caller speech end → first agent audio heard (barge-in turns excluded)',
      },
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
      callerGenerator: summary.generator,
      serveExitCode: serveExit,
      wallS: Math.round(wallS),
    };
  } catch (err) {
    serve.child.kill('SIGKILL');
    agent.child.kill('SIGKILL');
    ttsProc?.child.kill('SIGKILL');
    return { engine: o.media, protocol: o.protocol, ai: o.ai, calls: o.calls, error: err instanceof Error ? err.message : String(err) };
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
    options: { calls: { type: 'string' }, media: { type: 'string' }, protocol: { type: 'string' }, 'ramp-ms': { type: 'string' }, ai: { type: 'string' } },
  });
  const ai = (values.ai ?? 'openai') as 'openai' | 'cascade';
  if (ai !== 'openai' && ai !== 'cascade') throw new Error(`--ai must be openai or cascade, got '${String(values.ai)}'`);
  const calls = Number(values.calls ?? 200);
  const protocol = (values.protocol ?? 'twilio') as TelephonyProtocol;
  const engines = (values.media ?? 'both') === 'both' ? (['native', 'js'] as const) : ([values.media as 'native' | 'js'] as const);
  const rampMs = Number(values['ramp-ms'] ?? Math.min(10_000, calls * 10));
  const loadAtStart = (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);
  const runs: Record<string, unknown>[] = [];
  for (const media of engines) {
    process.stderr.write(`capacity: ${calls} ${protocol} calls, ${ai}, ${media} media engine, ramp ${rampMs} ms ...\n`);
    runs.push(await runOnce({ calls, media, protocol, rampMs, ai }));
  }
  const os = await import('node:os');
  // Other work on the machine skews every figure here: say how busy it was.
  process.stdout.write(`${JSON.stringify({ bench: 'capacity', calls, protocol, ai, cores: os.cpus().length, loadAvgAtStart: loadAtStart, loadAvgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100), runs })}\n`);
}
