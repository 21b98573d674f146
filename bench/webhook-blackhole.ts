// `npm run bench -- webhook-blackhole [--calls 50] [--reply-ms 1200]`
//
// Issue 19: nothing on the events path can block or slow the media path. Two runs of `--calls`
// concurrent calls (half Twilio, half audio-stream) against an in-process `parley serve` with the
// built-in agent: first without an events webhook (the baseline), then with PARLEY_EVENTS_URL
// pointing at a black hole (a TCP server that accepts and never answers a byte). Each caller
// speaks, hears the reply and hangs up; the media figures of the two runs are compared (after a
// discarded warm-up run). The callers run in the same process: under load their skipped ticks
// (callerTicksSkipped) show up as lateness that is the generator's, not Parley's. Prints
// one JSON object last: the figures of both runs, the load average, and `ok`.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startParley } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { percentiles, simCall } from '../src/tools/sim/caller/index.js';

interface RunFigures {
  readonly calls: number;
  readonly ok: number;
  readonly heardMs: { readonly min: number; readonly p50: number };
  readonly underruns: number;
  readonly underrunMs: number;
  /** Per-call outbound frame lateness p99, then its p50/p99/max over the calls. */
  readonly latenessP99: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly callerTicksSkipped: number;
  readonly eventsDelivered: number;
  readonly eventsQueued: number;
  readonly durationMs: number;
}

async function runOnce(calls: number, replyMs: number, eventsUrl: string | undefined): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-blackhole-'));
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      traceDir: join(dir, 'trace'),
      ai: { mode: 'local' },
      shutdown: { drainMs: 500 },
      records: { ...(eventsUrl ? { eventsUrl } : {}), eventsTimeoutMs: 60_000 },
    },
  });
  const app = await startParley({ config, localAgent: { replyMs } });
  const t0 = Date.now();
  try {
    const reports = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        simCall({
          url: `ws://127.0.0.1:${app.port}/${i % 2 ? 'twilio' : 'audio-stream'}`,
          callId: `CA-hole-${i}`,
          script: [{ kind: 'say', ms: 300 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }],
          maxCallMs: 30_000,
        }),
      ),
    );
    const end = Date.now() + 10_000;
    while (app.server.activeCalls > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const heard = percentiles(reports.map((r) => r.heardMs));
    return {
      calls,
      ok: reports.filter((r) => r.ok).length,
      heardMs: { min: Math.min(...reports.map((r) => r.heardMs)), p50: heard.p50 },
      underruns: reports.reduce((a, r) => a + r.underruns, 0),
      underrunMs: reports.reduce((a, r) => a + r.underrunMs, 0),
      latenessP99: percentiles(reports.map((r) => r.lateness.p99)),
      callerTicksSkipped: reports.reduce((a, r) => a + r.ticksSkipped, 0),
      eventsDelivered: await app.metrics.value('parley_events_delivered_total'),
      eventsQueued: app.records.delivery?.queued ?? 0,
      durationMs: Date.now() - t0,
    };
  } finally {
    await app.shutdown();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { calls: { type: 'string', default: '50' }, 'reply-ms': { type: 'string', default: '1200' } } });
  const calls = Number(values.calls);
  const replyMs = Number(values['reply-ms']);
  // Accepts connections and never answers a byte.
  const sockets: Socket[] = [];
  const hole = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hole.address() as AddressInfo).port}/hook`;
  const loadBefore = loadavg();
  try {
    // A discarded warm-up run first: otherwise the baseline (always run first) pays the JIT's
    // warm-up in the callers' own ticks and looks worse than it is.
    await runOnce(Math.min(10, calls), replyMs, undefined);
    const baseline = await runOnce(calls, replyMs, undefined);
    process.stderr.write(`baseline: ${JSON.stringify(baseline)}\n`);
    const blackHoled = await runOnce(calls, replyMs, url);
    process.stderr.write(`black-holed: ${JSON.stringify(blackHoled)}\n`);
    // Heard in full in both runs (one frame of rounding), the events really stuck, and the media
    // figures no worse than the machine's own noise (one frame per call of underrun, 20 ms of p99 lateness).
    const checks = {
      allCallsOk: baseline.ok === calls && blackHoled.ok === calls,
      repliesHeardInFull: Math.min(baseline.heardMs.min, blackHoled.heardMs.min) >= replyMs - 100,
      eventsStuck: blackHoled.eventsDelivered === 0 && blackHoled.eventsQueued >= calls * 3,
      underrunsUnchanged: blackHoled.underrunMs <= baseline.underrunMs + 20 * calls,
    };
    // Lateness is judged only when the callers kept time (at most one skipped tick per call in
    // either run): a starved generator's lateness is its own (the load average says why).
    const callersKeptTime = Math.max(baseline.callerTicksSkipped, blackHoled.callerTicksSkipped) <= calls;
    const lateness = callersKeptTime ? blackHoled.latenessP99.max <= baseline.latenessP99.max + 20 : 'not judged: the callers were starved';
    console.log(
      JSON.stringify({
        bench: 'webhook-blackhole',
        calls,
        replyMs,
        loadAverage: { before: loadBefore.map((x) => Math.round(x * 100) / 100), after: loadavg().map((x) => Math.round(x * 100) / 100) },
        baseline,
        blackHoled,
        checks: { ...checks, latenessUnchanged: lateness },
        ok: Object.values(checks).every(Boolean) && lateness !== false,
      }),
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hole.close(() => r()));
  }
}
