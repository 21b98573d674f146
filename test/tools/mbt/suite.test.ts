// The model-based suite end to end, as `npm run mbt -- --json` runs it: every machine's paths
// against a real bridge (real media core, scripted agent, step-driven caller), coverage at 100 %,
// randomised runs, every recorded trace accepted by TLC and every corrupted one rejected for the
// property it breaks; the media core's trace-mode records of every path refine Playout.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/commands/mbt.js';
import { MODELS } from '../../../src/tools/mbt/models/index.js';
import { CORRUPTIONS } from '../../../src/tools/mbt/trace/corrupt.js';
import { CORE_CORRUPTIONS } from '../../../src/tools/mbt/trace/core-corrupt.js';

const CLI = 'dist/src/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'parley-mbt-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mbt(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'mbt', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

interface Report {
  machines: { name: string; paths: number; steps: number; states: [number, number]; transitions: [number, number] }[];
  traces: { checked: number; valid: number; rejectedCorrupted: number };
  coreTraces: { checked: number; valid: number; rejectedCorrupted: number };
  seconds: number;
}

describe('parley mbt --json', () => {
  it('covers every state and transition of every machine; traces validate; corrupted traces are rejected', { timeout: 600_000 }, async () => {
    const reportFile = join(dir, 'report.json');
    const r = await mbt(['--json', '--random', '8', '--report', reportFile]);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Report;
    const detail = JSON.parse(readFileSync(reportFile, 'utf8')) as { problems: string[]; corrupted: { name: string; ok: boolean; rejectedBy: string[] }[] };
    expect(detail.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.machines.map((m) => m.name).sort()).toEqual(Object.keys(MODELS).sort());
    for (const m of report.machines) {
      expect(m.paths, m.name).toBeGreaterThan(0);
      expect(m.steps, m.name).toBeGreaterThanOrEqual(m.paths);
      expect(m.states[0], `${m.name} states`).toBe(m.states[1]);
      expect(m.transitions[0], `${m.name} transitions`).toBe(m.transitions[1]);
    }
    const paths = report.machines.reduce((n, m) => n + m.paths, 0);
    // One trace per path and per randomised run, all accepted.
    expect(report.traces.checked).toBe(paths + 8);
    expect(report.traces.valid).toBe(report.traces.checked);
    // The media core's own records (trace mode, from each call's first tick) refine Playout on every
    // path that opened media; each corrupted core trace is rejected for its property.
    expect(report.coreTraces.checked).toBeGreaterThan(paths / 2); // paths that never open media have none
    expect(report.coreTraces.valid).toBe(report.coreTraces.checked);
    expect(report.coreTraces.rejectedCorrupted).toBe(CORE_CORRUPTIONS.length);
    // Each corruption rejected, and for the property it breaks (not by accident).
    expect(report.traces.rejectedCorrupted).toBe(CORRUPTIONS.length);
    for (const c of CORRUPTIONS) {
      const got = detail.corrupted.find((x) => x.name === c.name);
      expect(got?.ok, c.name).toBe(true);
      expect(got?.rejectedBy.some((why) => why.includes(`${c.property}:`)), `${c.name}: ${got?.rejectedBy.join('; ')}`).toBe(true);
    }
  });

  it('refuses bad options with exit 2 and names the accepted values', async () => {
    expect(() => parseArgs(['--only', 'sesion'])).toThrow(`unknown machine 'sesion' (known: ${Object.keys(MODELS).join(', ')})`);
    expect(() => parseArgs(['--random', '-1'])).toThrow(/--random needs an integer >= 0/);
    expect(parseArgs([]).coreTraces).toBeUndefined(); // the suite's default: checked
    expect(parseArgs(['--no-core-traces']).coreTraces).toBe(false);
    const r = await mbt(['--depth', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--depth needs an integer >= 1/);
    expect(r.out).toBe('');
  });
});
