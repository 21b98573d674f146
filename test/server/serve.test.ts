// `parley serve` as a real process: it refuses a bad configuration with a message naming the
// key, serves, and on SIGTERM turns /readyz to 503 and exits 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

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
