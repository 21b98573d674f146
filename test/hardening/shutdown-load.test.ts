// Graceful shutdown under load (issue 10 item 6, SE5): a real `parley serve` process with 200
// live calls of both protocols gets SIGTERM. /readyz must turn 503 at once, no new call may
// start, the live calls go on until the drain deadline and are then closed with the protocol's
// goodbye (WebSocket close 1001), and the process exits 0 by itself — nothing left running.
// The same with `--workers 2` (issue 17): SIGTERM to the primary drains both workers.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SimCall, type CallReport } from '../../src/tools/sim/caller/index.js';
import { get, killGroup, metricValue, upgradeStatus } from '../server/workersProcess.js';

const CALLS = Number(process.env.PARLEY_SHUTDOWN_CALLS ?? 200);
const DRAIN_MS = 3000;
const BACKSTOP_MS = 2000; // src/server/server.ts BACKSTOP_MS
const WORKERS = (process.env.PARLEY_SHUTDOWN_WORKERS ?? '1,2').split(',').map(Number);

function serve(workers: number) {
  const child = spawn(process.execPath, [`${process.cwd()}/dist/src/cli/main.js`, 'serve', '--workers', String(workers)], {
    cwd: mkdtempSync(`${tmpdir()}/parley-shutdown-`),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_AI: 'local',
      PARLEY_DRAIN_MS: String(DRAIN_MS),
      PARLEY_MAX_CALLS: String(CALLS + 50),
      PARLEY_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: no worker outlives a timed-out test
  });
  const pgid = child.pid ?? 0;
  onTestFinished(() => killGroup(pgid)); // a timed-out test's `finally` never runs
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    child.on('exit', (code, signal) => {
      killGroup(pgid); // a worker left behind by its primary
      r({ code, signal, at: Date.now() });
    }),
  );
  const port = new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"port":(\d+),"host":"127\.0\.0\.1","msg":"listening"/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 20);
    setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`serve did not start: ${out} ${err}`));
    }, 15_000);
  });
  return { child, exited, port, out: () => out, err: () => err };
}

/** On a fresh connection each time, so that with workers the probes reach each of them. */
async function readyz(port: number): Promise<{ status: number; calls: number }> {
  const r = await get(port, '/readyz');
  return { status: r.status, calls: (JSON.parse(r.body) as { calls: number }).calls };
}

/** Live calls over every worker (the aggregate /metrics). */
async function liveCalls(port: number): Promise<number> {
  return metricValue((await get(port, '/metrics')).body, 'parley_calls_active');
}

/** The close the caller saw: "1001 server shutting down" → 1001, and when (ms after connect). */
function closeOf(r: CallReport): { code: number; t: number } | undefined {
  const e = r.timeline.find((x) => x.kind === 'closed');
  return e ? { code: Number(String(e.detail).split(' ')[0]), t: e.t } : undefined;
}

describe.each(WORKERS)('SIGTERM with live calls, --workers %i', (workers) => {
  it(`${CALLS} live calls: readyz 503 at once, no new call, drain to the deadline, close 1001, exit 0`, async () => {
    const p = serve(workers);
    try {
      const port = await p.port;
      // Calls that would run for a minute: only the shutdown ends them.
      const script = [{ kind: 'say', ms: 800 }, { kind: 'silence', ms: 60_000 }, { kind: 'hangup' }] as const;
      const calls: SimCall[] = [];
      const reports: Promise<CallReport>[] = [];
      for (let i = 0; i < CALLS; i++) {
        const protocol = i % 2 === 0 ? 'twilio' : 'audio-stream';
        const c = new SimCall({ url: `ws://127.0.0.1:${await p.port}/${protocol}`, script, seed: i, callId: `sd-${i}`, maxCallMs: 90_000 });
        calls.push(c);
        reports.push(c.start().done);
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 50));
      }
      const end = Date.now() + 20_000;
      while ((await liveCalls(port)) < CALLS) {
        if (Date.now() > end) {
          // Which calls ended, and why (a refusal says "unexpected response 503" here).
          const settled = await Promise.all(reports.map((r) => Promise.race([r, new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 10))])));
          const why = settled.flatMap((r) => (r ? [r.failure ?? 'ok'] : []));
          throw new Error(`only ${await liveCalls(port)} calls live; ${why.length} ended: ${[...new Set(why)].slice(0, 3).join(' | ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await liveCalls(port)).toBe(CALLS);
      if (workers === 1) expect(await readyz(port)).toEqual({ status: 200, calls: CALLS });

      const sigterm = Date.now();
      p.child.kill('SIGTERM');
      // Probes as a load balancer sends them; the last one answered 200 must have been sent
      // right after the signal (the process must first receive it), every later one gets 503.
      const probes: { sent: number; got: number; status: number }[] = [];
      while (!probes.some((x) => x.status === 503) && Date.now() - sigterm < 2000) {
        const sent = Date.now();
        const { status } = await readyz(port);
        probes.push({ sent: sent - sigterm, got: Date.now() - sigterm, status });
      }
      console.log('readyz probes after SIGTERM (ms sent, ms answered, status):', JSON.stringify(probes));
      const first503 = probes.find((x) => x.status === 503);
      expect(first503, 'readyz turned 503').toBeDefined();
      expect(Math.max(-1, ...probes.filter((x) => x.status === 200).map((x) => x.sent))).toBeLessThan(100);
      // No new call during the drain, and every worker answers 503 (fresh connections go to each
      // in turn); at once, since the drain deadline is short.
      const [later, twilio, audioStream] = await Promise.all([
        Promise.all(Array.from({ length: 2 * workers }, () => readyz(port))),
        upgradeStatus(`ws://127.0.0.1:${port}/twilio`),
        upgradeStatus(`ws://127.0.0.1:${port}/audio-stream`),
      ]);
      expect(later.map((x) => x.status)).toEqual(later.map(() => 503));
      expect(twilio).toBe(503);
      expect(audioStream).toBe(503);

      const done = await Promise.all(reports);
      const closedAt = done.map((r, i) => ({ close: closeOf(r), i }));
      const { code, signal, at: exitAt } = await p.exited;
      // Every live call went on to the deadline and was then closed with the protocol's goodbye.
      for (const { close, i } of closedAt) {
        expect(close?.code, `call ${i}`).toBe(1001);
      }
      const lastClose = Math.max(...done.map((r) => r.durationMs));
      expect(lastClose).toBeGreaterThan(0);
      expect(exitAt - sigterm).toBeGreaterThanOrEqual(DRAIN_MS - 100);
      expect(exitAt - sigterm).toBeLessThan(DRAIN_MS + BACKSTOP_MS + 3000);
      expect(signal).toBeNull();
      expect(code).toBe(0);
      // The process ended by itself (the CLI never calls process.exit): no handle was left open.
      expect(p.out().match(/"msg":"shutdown complete"/g) ?? []).toHaveLength(workers);
      if (workers > 1) expect(p.out()).toMatch(/"failed":false,"msg":"cluster shutdown complete"/);
      expect(p.out()).not.toMatch(/still alive after the drain deadline/);
      const ended = p.out().match(/"reason":"shutdown"[^\n]*"msg":"call ended"/g) ?? [];
      expect(ended.length).toBe(CALLS);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 90_000);
});
