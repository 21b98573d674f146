// `parley viz` as a command: argument errors, --export, --diff against a bad ref, and the real
// CLI process serving the page until SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MACHINES } from '../../../machines/index.js';
import { parseVizArgs, run } from '../../../src/cli/commands/viz.js';

function captured() {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err, restore: () => (o.mockRestore(), e.mockRestore()) };
}

describe('parley viz arguments', () => {
  it('parses flags and rejects bad ones with a reason', () => {
    expect(parseVizArgs([])).toEqual({ port: 4600, host: '127.0.0.1' });
    expect(parseVizArgs(['--port=0', '--diff', 'HEAD~1', '--inspect', 'http://localhost:8080'])).toEqual({
      port: 0,
      host: '127.0.0.1',
      diff: 'HEAD~1',
      inspect: 'ws://localhost:8080/inspect',
    });
    expect(() => parseVizArgs(['--port', 'x'])).toThrow(/--port: 'x' is not a port/);
    expect(() => parseVizArgs(['--diff'])).toThrow(/--diff needs a value/);
    expect(() => parseVizArgs(['--bogus'])).toThrow(/unknown option '--bogus'/);
    expect(() => parseVizArgs(['--inspect', 'ftp://x'])).toThrow(/unsupported scheme/);
    expect(() => parseVizArgs(['--inspect', 'ws://h:1/inspect?token=abc'])).toThrow(/PARLEY_AUTH_TOKEN/);
  });

  it('exits 2 on bad arguments and 1 on an unknown git ref, saying why', async () => {
    const c = captured();
    try {
      expect(await run(['--nope'])).toBe(2);
      expect(await run(['--diff', 'no-such-ref-anywhere', '--export', mkdtempSync(join(tmpdir(), 'viz-'))])).toBe(1);
    } finally {
      c.restore();
    }
    expect(c.err.join('')).toMatch(/unknown option '--nope'/);
    expect(c.err.join('')).toMatch(/unknown git ref 'no-such-ref-anywhere'/);
  });

  it('--export writes one SVG per machine', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'viz-')), 'out');
    const c = captured();
    try {
      expect(await run(['--export', dir])).toBe(0);
    } finally {
      c.restore();
    }
    expect(readdirSync(dir).sort()).toEqual(MACHINES.map((m) => `${m.name}.svg`).sort());
    expect(c.out.join('')).toMatch(new RegExp(`wrote ${MACHINES.length} SVG`));
  });
});

describe('parley viz process', () => {
  it('serves the page and the model, and exits 0 on SIGTERM', async () => {
    const cli = 'dist/src/cli/main.js';
    expect(existsSync(cli), 'dist is built by npm test (or `npm run build:ts`)').toBe(true);
    const child = spawn(process.execPath, [cli, 'viz', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /parley viz: (http:\/\/\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.stderr.on('data', (d) => reject(new Error(String(d))));
        setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      });
      const page = await fetch(url);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain("default-src 'none'");
      const model = (await (await fetch(`${url}api/model`)).json()) as { machines: { name: string; svg: string }[] };
      expect(model.machines.map((m) => m.name)).toEqual(MACHINES.map((m) => m.name));
      expect((await fetch(`${url}client/../package.json`)).status).toBe(404);
      expect((await fetch(`${url}client/main.js`)).headers.get('content-type')).toMatch(/javascript/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
