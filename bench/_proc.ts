// Child processes of the benches (parley serve, agents): spawned with node from the repository
// root, stdout read line by line (JSON lines kept, waiters for a matching line), the tail of
// stderr kept for error messages, and the /proc figures of the process (CPU, RSS, descriptors).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)); // dist/bench → repo root

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout line that parsed as a JSON object, in order. */
  readonly json: Record<string, unknown>[];
  /** Resolves with the first stdout line (past or future) matching `re`. */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Called for every stdout line from now on. */
  onLine(fn: (line: string) => void): void;
  stderrTail(): string;
}

/** Children still running when this process exits (a bench that threw) are killed with it. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export function startNode(args: readonly string[], env: Record<string, string> = {}, opts: { cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, [...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const json: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const listeners: ((l: string) => void)[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += String(d);
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (lines.length < 2000) lines.push(l);
      if (l.startsWith('{')) {
        try {
          json.push(JSON.parse(l) as Record<string, unknown>);
          if (json.length > 5000) json.splice(0, json.length - 5000); // a long run's logs: keep the latest
        } catch {
          // a log line cut by a crash: kept as text only
        }
      }
      for (const fn of listeners) fn(l);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + String(d)).slice(-8000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    pid: child.pid ?? 0,
    exited,
    json,
    onLine: (fn) => listeners.push(fn),
    stderrTail: () => err,
    line(re, timeoutMs = 20_000) {
      const seen = lines.map((l) => re.exec(l)).find((m) => m);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} (stderr: ${err.slice(-2000)})`)), timeoutMs);
        timer.unref();
        listeners.push((l) => {
          const m = re.exec(l);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        });
        void exited.then(({ code }) => reject(new Error(`process exited (${code}) before ${re}: ${err.slice(-2000)}`)));
      });
    },
  };
}

const CLK_TCK = 100;
const PAGE_KIB = 4;

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

export function rssKiB(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KIB;
}

/** Open file descriptors (sockets, files, pipes, epoll, eventfds) of the process. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What each open descriptor of the process points at (socket:[…], anon_inode:[eventfd], a path). */
export function fdTargets(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\[\d+\]$/, '[…]')];
    } catch {
      return []; // closed meanwhile
    }
  });
}

/** Threads of the process. */
export function threads(pid: number): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** A port nothing listens on now (the OS picks it; a tiny race until the child binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `parley serve` as a child process; resolves once /healthz answers (any log level), with its port. nodeArgs go before the script (e.g. --cpu-prof). */
export async function startServe(env: Record<string, string>, cwd?: string, nodeArgs: readonly string[] = []): Promise<{ proc: Proc; port: number; base: string }> {
  const port = await freePort();
  // cwd only changes where parley.config.* is looked for.
  const proc = startNode([...nodeArgs, `${repoRoot}dist/src/cli/main.js`, 'serve'], { PARLEY_HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'info', ...env, PORT: String(port) }, cwd ? { cwd } : {});
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { proc, port, base };
    } catch {
      // not listening yet
    }
    if (exited || Date.now() > deadline) {
      proc.child.kill('SIGKILL');
      throw new Error(`parley serve did not start (stderr: ${proc.stderrTail().slice(-2000)})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
