// `parley serve` as a real process: it refuses a bad configuration with a message naming the
// key, serves, and on SIGTERM turns /readyz to 503 and exits 0 — and the same acceptance of
// health, readiness and /metrics (a call counted while it is up, the media thread's saturation)
// with `--workers 2`, whichever worker each request lands on.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { simCall } from '../../src/tools/sim/caller/index.js';
import { get, metricValue, scrape, serveWorkers, waitFor } from './workersProcess.js';

const CLI = 'dist/src/cli/main.js';

function serve(env: Record<string, string>) {
  const cwd = process.cwd();
  const child = spawn(process.execPath, [`${cwd}/${CLI}`, 'serve'], {
    cwd: mkdtempSync(`${tmpdir()}/parley-serve-`), // no parley.config.* here
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('parley serve process', () => {
  it('dist is built (npm test builds it)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  it('exits 2 naming the key when the configuration is invalid', async () => {
    const p = serve({ PORT: 'eighty', PARLEY_LOOKAHEAD_MS: '5' });
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('PORT (port) = "eighty": expected an integer');
  });

  it('serves health and metrics, and on SIGTERM drains and exits 0', async () => {
    const p = serve({ PORT: '0', PARLEY_HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'info' });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /"port":(\d+),"host":"127\.0\.0\.1","msg":"listening"/.exec(p.out());
          if (m) {
            clearInterval(timer);
            resolve(Number(m[1]));
          }
        }, 20);
        setTimeout(() => {
          clearInterval(timer);
          reject(new Error(`no listening line: ${p.out()} ${p.err()}`));
        }, 15_000);
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('parley_calls_active');
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('shutdown complete');
  });
});

describe('parley serve --workers 2 process', () => {
  it('serves health, readiness and the aggregate /metrics from either worker, counts a live call, and on SIGTERM drains and exits 0', async () => {
    const p = serveWorkers(2, {});
    try {
      const port = await p.port;
      await p.serving(2);
      // Fresh connections: the cluster hands them to the workers in turn, so both answer.
      for (let k = 0; k < 4; k++) {
        expect((await get(port, '/healthz')).status).toBe(200);
        expect((await get(port, '/readyz')).status).toBe(200);
        const text = await scrape(port);
        expect(metricValue(text, 'parley_workers')).toBe(2);
        expect(text).toContain('parley_calls_active');
      }
      const seen: number[] = [];
      const report = await simCall({
        url: `ws://127.0.0.1:${port}/twilio`,
        script: [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }],
        onTimeline: (e) => {
          if (e.kind === 'agent_audio_start') void scrape(port).then((t) => seen.push(metricValue(t, 'parley_calls_active')));
        },
      });
      expect(report.ok, report.failure).toBe(true);
      await waitFor(() => (seen.length > 0 ? true : undefined), 5000, () => 'no scrape during the call');
      expect(seen[0]).toBe(1);
      const after = await waitFor(async () => {
        const t = await scrape(port);
        return metricValue(t, 'parley_calls_active') === 0 && metricValue(t, 'parley_calls_total') === 1 ? t : undefined;
      }, 5000, () => 'the call was not counted as ended');
      const sat = metricValue(after, 'parley_media_saturation');
      expect(sat).toBeGreaterThan(0); // the worker's media thread did real work for the call
      expect(sat).toBeLessThanOrEqual(1);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
    expect(p.lines().filter((l) => l.msg === 'shutdown complete')).toHaveLength(2);
    expect(p.lines().some((l) => l.msg === 'cluster shutdown complete' && l.failed === false)).toBe(true);
  }, 30_000);
});
