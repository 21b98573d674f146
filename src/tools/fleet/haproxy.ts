// A real HAProxy from Debian's packages, run in the foreground on loopback: installed with apt
// when missing, its per-upgrade log lines parsed (which instance took which call, the status,
// how many retries), its stats page read (server UP/DOWN, sessions, retries, redispatches).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The haproxy executable on PATH (or in the sbin directories), or undefined. */
export function findHaproxy(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, 'haproxy');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The haproxy executable; installs Debian's package with apt-get first when it is missing. */
export function ensureHaproxy(say: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findHaproxy();
  if (found) return found;
  const root = process.getuid?.() === 0;
  const cmd = root ? [] : ['sudo', '-n'];
  say('fleet: haproxy not found; installing Debian package haproxy with apt-get');
  for (const args of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', 'haproxy'],
  ]) {
    const all = [...cmd, ...args];
    const r = spawnSync(all[0]!, all.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      throw new Error(`fleet: '${all.join(' ')}' failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr?.toString().trim() ?? ''}`);
    }
  }
  const after = findHaproxy();
  if (!after) throw new Error('fleet: haproxy is still missing after apt-get install haproxy');
  return after;
}

/** `haproxy -c`: null when the configuration is valid, else HAProxy's complaint. */
export function checkHaproxyConfig(bin: string, configPath: string): string | null {
  const r = spawnSync(bin, ['-c', '-f', configPath], { encoding: 'utf8' });
  return r.status === 0 ? null : `${r.stdout}${r.stderr}`.trim() || `exit ${r.status}`;
}

/** One `parley-lb` log line: an upgrade as HAProxy forwarded it (see the template's log-format). */
export interface LbLogLine {
  /** performance.now() when the line was read. */
  readonly at: number;
  readonly client: string;
  readonly method: string;
  readonly uri: string;
  readonly backend: string;
  /** Server name, or `<NOSRV>` when no instance took it. */
  readonly server: string;
  readonly status: number;
  /** Connection attempts HAProxy retried (on 503 or a refused connection) before this answer. */
  readonly retries: number;
}

const LINE = /^parley-lb (\S+) (\S+) (\S+) ([^/\s]+)\/(\S+) (-?\d+) \+?(-?\d+) /;

export function parseLbLine(text: string, at: number): LbLogLine | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  return { at, client: m[1]!, method: m[2]!, uri: m[3]!, backend: m[4]!, server: m[5]!, status: Number(m[6]), retries: Number(m[7]) };
}

/** A row of the stats CSV (one per frontend, backend and server). */
export interface LbServerStats {
  readonly proxy: string;
  readonly name: string;
  /** UP, DOWN, MAINT, `UP 1/2` while rising … */
  readonly status: string;
  readonly currentSessions: number;
  readonly totalSessions: number;
  readonly retries: number;
  readonly redispatches: number;
  readonly responses5xx: number;
}

export function parseStatsCsv(csv: string): LbServerStats[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',');
  if (!header) throw new Error('haproxy stats: empty CSV');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`haproxy stats: no column ${name}`);
    return i;
  };
  const c = { px: col('pxname'), sv: col('svname'), status: col('status'), scur: col('scur'), stot: col('stot'), wretr: col('wretr'), wredis: col('wredis'), h5: col('hrsp_5xx') };
  const num = (s: string | undefined) => (s === undefined || s === '' ? 0 : Number(s));
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return {
      proxy: f[c.px] ?? '',
      name: f[c.sv] ?? '',
      status: f[c.status] ?? '',
      currentSessions: num(f[c.scur]),
      totalSessions: num(f[c.stot]),
      retries: num(f[c.wretr]),
      redispatches: num(f[c.wredis]),
      responses5xx: num(f[c.h5]),
    };
  });
}

export interface HaproxyStartOptions {
  readonly bin: string;
  /** The rendered configuration. */
  readonly config: string;
  /** Where to write it. */
  readonly configPath: string;
  /** http://host:port of the stats frontend (matches the config's stats_bind). */
  readonly statsUrl: string;
}

export class Haproxy {
  readonly lines: LbLogLine[] = [];
  /** Lines HAProxy printed that are not upgrade logs (warnings, alerts), the last 50. */
  readonly other: string[] = [];
  private exited = false;
  private readonly exit: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly statsUrl: string,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', (code) => ((this.exited = true), resolve(code))));
    const onLine = (text: string) => {
      const l = parseLbLine(text, performance.now());
      if (l) this.lines.push(l);
      else if (text.trim()) {
        this.other.push(text);
        if (this.other.length > 50) this.other.shift();
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  /** Starts HAProxy in the foreground and waits until its stats page answers. */
  static async start(opts: HaproxyStartOptions): Promise<Haproxy> {
    writeFileSync(opts.configPath, opts.config);
    const problem = checkHaproxyConfig(opts.bin, opts.configPath);
    if (problem) throw new Error(`haproxy rejected ${opts.configPath}: ${problem}`);
    const child = spawn(opts.bin, ['-db', '-f', opts.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lb = new Haproxy(child, opts.statsUrl);
    const deadline = performance.now() + 10_000;
    for (;;) {
      if (lb.exited) throw new Error(`haproxy exited at start: ${lb.other.join('\n')}`);
      try {
        await lb.stats();
        return lb;
      } catch (err) {
        if (performance.now() > deadline) {
          await lb.stop();
          throw new Error(`haproxy stats page did not answer within 10 s: ${String(err)}; ${lb.other.join('\n')}`);
        }
        await sleep(50);
      }
    }
  }

  async stats(): Promise<LbServerStats[]> {
    const res = await fetch(`${this.statsUrl}/stats;csv`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`haproxy stats: HTTP ${res.status}`);
    return parseStatsCsv(await res.text());
  }

  /** The named server's row in `backend`. */
  async server(backend: string, name: string): Promise<LbServerStats> {
    const row = (await this.stats()).find((r) => r.proxy === backend && r.name === name);
    if (!row) throw new Error(`haproxy stats: no server ${backend}/${name}`);
    return row;
  }

  /** Waits until the server's health status is exactly `status` (e.g. UP after a restart). */
  async waitStatus(backend: string, name: string, status: 'UP' | 'DOWN', timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const row = await this.server(backend, name);
      if (row.status === status) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs) throw new Error(`haproxy: ${backend}/${name} is ${row.status}, not ${status}, after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) this.child.kill('SIGTERM');
    await this.exit;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
