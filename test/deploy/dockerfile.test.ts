// The container image, checked without a Docker daemon (this machine cannot pull base images):
// the Dockerfile's stages, user, port, signal, health check and start command, the build
// context allowlist, and that the runtime stage copies exactly what `parley serve` loads —
// traced from a real run, then proven sufficient by starting the copied tree alone.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { freePorts } from '../../src/tools/fleet/ports.js';
import { simCall } from '../../src/tools/sim/caller/index.js';
import { copiesFrom, execForm, parseDockerfile, type Stage } from './dockerfile.js';

const ROOT = process.cwd();
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(text);
const build = stages.find((s) => s.name === 'build');
const runtime = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const defaults = loadConfig({ env: {}, cwd: mkdtempSync(join(tmpdir(), 'parley-docker-')) });
const args = (s: Stage, kw: string) => s.instructions.filter((i) => i.keyword === kw).map((i) => i.args);
const WORKDIR = args(runtime, 'WORKDIR')[0]!;
const copies = copiesFrom(runtime, WORKDIR);

/** Entrypoint + command of the runtime stage, e.g. ['node', 'bin/parley.js', 'serve']. */
const startCommand = () => [...execForm(args(runtime, 'ENTRYPOINT')[0]!)!, ...execForm(args(runtime, 'CMD')[0]!)!];
const healthcheck = () => execForm(args(runtime, 'HEALTHCHECK')[0]!.replace(/^(--\S+\s+)*CMD\s+/, ''))!;

describe('Dockerfile structure', () => {
  it('has a build stage and a slim runtime stage on the Node major of package.json engines', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    expect(text).toMatch(new RegExp(`^ARG NODE_VERSION=${major}$`, 'm'));
    expect(build!.from).toBe('node:${NODE_VERSION}-bookworm');
    expect(runtime.from).toBe('node:${NODE_VERSION}-bookworm-slim');
  });

  it('compiles the addon and the TypeScript in the build stage, then drops dev dependencies', () => {
    const run = args(build!, 'RUN').join(' && ');
    expect(run).toMatch(/npm ci\b/);
    expect(run).toMatch(/npm prune --omit=dev/);
    expect(run).not.toMatch(/--ignore-scripts/); // the install script builds the addon, prepare the TypeScript
  });

  it('runs as a non-root user, exposes the default port, stops with SIGTERM, checks /healthz', () => {
    const user = args(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(args(runtime, 'EXPOSE')).toEqual([String(defaults.port)]);
    expect(args(runtime, 'ENV').join(' ')).toMatch(new RegExp(`\\bPORT=${defaults.port}\\b`));
    expect(args(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(healthcheck().join(' ')).toContain('/healthz');
    expect(startCommand()).toEqual(['node', pkg.bin['parley'], 'serve']);
  });

  it('copies into the runtime stage only from the build stage, to the same paths, no sources', () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.from).toBe('build');
      expect(c.dest).toBe(c.source);
      expect(c.dest).not.toMatch(/^(src|native|test|bench|scripts|specs|dist\/bench|dist\/test)(\/|$)/);
    }
    expect(args(runtime, 'COPY').filter((a) => !a.startsWith('--from='))).toEqual([]);
  });
});

/** .dockerignore as Docker reads this file: the last matching pattern wins, `!` re-includes. */
function contextIncludes(path: string): boolean {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let included = true;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    const pat = (neg ? p.slice(1) : p).replace(/\/$/, '');
    if (pat === '*' || path === pat || path.startsWith(`${pat}/`)) included = neg;
  }
  return included;
}

describe('.dockerignore', () => {
  it('lets in every build-stage COPY source, and keeps host builds, git and tests out', () => {
    const sources = build!.instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), s).toBe(true);
      expect(contextIncludes(s), s).toBe(true);
    }
    for (const out of ['node_modules/ws/package.json', 'dist/src/cli/main.js', 'build/Release/parley_core.node', '.git/HEAD', 'test/deploy/dockerfile.test.ts', 'native/test/ring_test.cc', '.build/x']) {
      expect(contextIncludes(out), out).toBe(false);
    }
  });
});

interface Proc {
  readonly exited: Promise<number | null>;
  readonly done: () => boolean;
  readonly lines: string[];
  kill(signal: NodeJS.Signals): void;
}

function start(cmd: readonly string[], cwd: string, env: Record<string, string>): Proc {
  const child = spawn(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  let done = false;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => ((done = true), r(code))));
  return { exited, done: () => done, lines, kill: (s) => child.kill(s) };
}

async function waitReady(port: number, p: Proc): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until && !p.done(); await new Promise((r) => setTimeout(r, 50))) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
  }
  throw new Error(`not ready:\n${p.lines.join('\n')}`);
}

/** Serves two calls (both protocols) and the ops endpoints, then SIGTERM; returns the exit code. */
async function exercise(port: number, p: Proc): Promise<number | null> {
  await waitReady(port, p);
  const script = [{ kind: 'say', ms: 500 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }] as const;
  for (const path of ['twilio', 'audio-stream']) {
    const r = await simCall({ url: `ws://127.0.0.1:${port}/${path}`, script });
    expect(r.ok, `${path}: ${r.failure}`).toBe(true);
  }
  for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
  p.kill('SIGTERM');
  return p.exited;
}

/** Runtime-relative paths of the files a traced `parley serve` loaded from this checkout. */
async function tracedLoads(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
  const trace = join(dir, 'loads.txt');
  const [port] = await freePorts(1);
  const tracer = fileURLToPath(new URL('./fixtures/trace-loads.mjs', import.meta.url));
  const [node, ...rest] = startCommand();
  const p = start([node!, '--import', tracer, ...rest], ROOT, { PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_AI: 'local', PARLEY_LOAD_TRACE: trace });
  expect(await exercise(port!, p)).toBe(0);
  const files = new Set(
    readFileSync(trace, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((u) => relative(ROOT, fileURLToPath(u)))
      .filter((f) => !f.startsWith('..') && !f.startsWith('test/')),
  );
  return [...files].sort();
}

const under = (file: string, dest: string) => file === dest || file.startsWith(`${dest}/`);

describe('runtime file list', () => {
  it('covers every file `parley serve` loads, and each copied path is used', async () => {
    const loaded = await tracedLoads();
    expect(loaded).toContain(pkg.bin['parley']);
    expect(loaded.some((f) => f.endsWith('.node'))).toBe(true); // the native media core, not the JS fallback
    const dests = copies.map((c) => c.dest);
    const uncovered = loaded.filter((f) => !dests.some((d) => under(f, d)));
    expect(uncovered).toEqual([]);
    // package.json is read for "type": "module"; every other copied path holds loaded files.
    for (const d of dests.filter((d) => d !== 'package.json')) expect(loaded.some((f) => under(f, d)), d).toBe(true);
    // Modules come only from production dependencies (the build stage prunes dev ones).
    const packages = new Set(loaded.flatMap((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));
    const prod = productionPackages();
    for (const name of packages) expect(prod.has(name), name).toBe(true);
    for (const dev of Object.keys(pkg.devDependencies)) expect(packages.has(dev), dev).toBe(false);
  }, 60_000);

  it('is sufficient on its own: the copied tree starts, serves calls natively, is healthy and drains on SIGTERM', async () => {
    const app = mkdtempSync(join(tmpdir(), 'parley-image-'));
    for (const c of copies) {
      if (c.dest === 'node_modules') {
        for (const name of productionPackages()) cpSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), { recursive: true });
        continue;
      }
      mkdirSync(dirname(join(app, c.dest)), { recursive: true });
      cpSync(join(ROOT, c.source), join(app, c.dest), { recursive: true });
    }
    const [port] = await freePorts(1);
    const env = { PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_AI: 'local', NODE_ENV: 'production' };
    const p = start(startCommand(), app, env);
    await waitReady(port!, p);
    const hc = healthcheck();
    const health = spawnSync(hc[0] === 'node' ? process.execPath : hc[0]!, hc.slice(1), { env: { ...env }, encoding: 'utf8', timeout: 5000 });
    expect(health.status, health.stderr).toBe(0);
    expect(await exercise(port!, p)).toBe(0);
    const serving = p.lines.map(parseLogLine).find((l) => l.msg === 'parley serving');
    expect(serving?.media).toBe('native');
    // Down, the health check fails.
    const down = spawnSync(hc[0] === 'node' ? process.execPath : hc[0]!, hc.slice(1), { env: { ...env }, encoding: 'utf8', timeout: 5000 });
    expect(down.status).toBe(1);
  }, 60_000);
});

function parseLogLine(line: string): { msg?: string; media?: string } {
  try {
    return JSON.parse(line) as { msg?: string; media?: string };
  } catch {
    return {};
  }
}

/** Top-level production dependency package names, as `npm ls --omit=dev` resolves them. */
function productionPackages(): Set<string> {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const names = r.stdout
    .split('\n')
    .filter((l) => l.startsWith(join(ROOT, 'node_modules/')))
    .map((l) => relative(join(ROOT, 'node_modules'), l));
  if (names.length === 0) throw new Error(`npm ls found no production dependencies: ${r.stderr}`);
  // A nested one (a version its parent needs, e.g. @modelcontextprotocol/sdk/node_modules/…)
  // lives inside its parent's folder and is copied with it.
  return new Set(names.filter((n) => !n.includes('/node_modules/')));
}
