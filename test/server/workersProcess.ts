// `parley serve --workers N` as a real process for the cluster tests: its log lines (from the
// primary and every worker, one pipe), the port, fresh-connection probes (so successive probes
// can land on different workers), and the aggregate /metrics read as numbers.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';

export interface LogLine {
  readonly msg?: string;
  readonly worker?: number;
  readonly pid?: number;
  readonly [k: string]: unknown;
}

/** SIGKILL to a cluster's whole process group: a test that timed out (its `finally` never ran) or a
 * primary killed first must not leave workers behind (a worker outlived its SIGKILLed primary once). */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function serveWorkers(workers: number, env: Record<string, string>) {
  const child = spawn(process.execPath, [`${process.cwd()}/dist/src/cli/main.js`, 'serve', '--workers', String(workers)], {
    cwd: mkdtempSync(`${tmpdir()}/parley-workers-`),
    env: { PATH: process.env.PATH ?? '', PORT: '0', PARLEY_HOST: '127.0.0.1', PARLEY_AI: 'local', PARLEY_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, with its workers
  });
  // After the test, pass or fail: a timed-out test's `finally` never runs, and vitest ends its
  // worker without an 'exit' event.
  const pgid = child.pid ?? 0;
  onTestFinished(() => killGroup(pgid));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    child.on('exit', (code, signal) => {
      // The primary is gone: whatever of its group is left (a worker) goes too.
      killGroup(pgid);
      r({ code, signal, at: Date.now() });
    }),
  );
  const lines = (): LogLine[] =>
    out.split('\n').flatMap((l) => {
      try {
        return l.startsWith('{') ? [JSON.parse(l) as LogLine] : [];
      } catch {
        return [];
      }
    });
  const port = waitFor(() => lines().find((l) => l.msg === 'parley serving (cluster)')?.port as number | undefined, 20_000, () => `no cluster start: ${out} ${err}`);
  /** The workers' "parley serving" lines (worker id, pid), once `n` of them are there. */
  const serving = (n: number) =>
    waitFor(() => {
      const s = lines().filter((l) => l.msg === 'parley serving');
      return s.length === n ? s : undefined;
    }, 20_000, () => out);
  return { child, exited, port, lines, serving, out: () => out, err: () => err };
}

/** Polls `probe` every 50 ms until it gives a value. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, why: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET on a new TCP connection (no keep-alive): the cluster hands each one to a worker in turn. */
export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A metric from Prometheus text: the sum over the series whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{[^}]*\})? ([-+0-9.eE]+|NaN)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

export async function scrape(port: number): Promise<string> {
  const r = await get(port, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics ${r.status}: ${r.body}`);
  return r.body;
}

/** The HTTP status of a WebSocket upgrade to `url` (101 when it opened; 0 when no answer). */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('error', () => resolve(0));
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
  });
}

/** Waits until the aggregate /metrics says `n` calls are live. */
export const waitLiveCalls = (port: number, n: number): Promise<number> =>
  waitFor(async () => ((await scrape(port).then((t) => metricValue(t, 'parley_calls_active'))) === n ? n : undefined), 20_000, () => `not ${n} live calls`);
