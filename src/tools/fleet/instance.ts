// One `parley serve` process of the fleet, as an operator runs it: started from bin/parley.js,
// ready when /readyz says so, stopped with SIGTERM. Its JSON log tells when the drain finished
// and why each call ended.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../gen/repoRoot.js';
import { sleep } from './haproxy.js';

export interface InstanceOptions {
  /** HAProxy server name, e.g. p1. */
  readonly name: string;
  readonly port: number;
  /** Extra environment (the names of docs/ARCHITECTURE.md#outside-contract), over a clean base: local agent, loopback, info logs. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory (default: a fresh one, so no stray parley.config.* is picked up). */
  readonly cwd?: string;
}

/** What one SIGTERM did. */
export interface DrainRecord {
  readonly instance: string;
  /** Calls /readyz reported just before the SIGTERM. */
  readonly callsAtSignal: number;
  /** performance.now() at the SIGTERM. */
  readonly signalAt: number;
  /** SIGTERM → the server's "shutdown complete" (every call ended, port closed). */
  readonly drainMs: number;
  /** SIGTERM → process exit. */
  readonly exitMs: number;
  readonly exitCode: number | null;
  /** Calls the drain deadline force-closed (call ended with reason shutdown). */
  readonly forceClosed: number;
}

interface Generation {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  shutdownCompleteAt?: number;
  exited: boolean;
}

/** Log lines kept for diagnostics when an instance misbehaves. */
const TAIL = 30;

export class ParleyInstance {
  /** Calls started over every generation ("call started" log lines). */
  callsStarted = 0;
  /** Why calls ended, over every generation (the log's `reason`). */
  readonly endReasons: Record<string, number> = {};
  readonly tail: string[] = [];
  private gen: Generation | undefined;
  private cwd: string | undefined;

  constructor(readonly opts: InstanceOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  get running(): boolean {
    return this.gen !== undefined && !this.gen.exited;
  }

  /** Spawns the process and waits until /readyz answers 200; returns the milliseconds that took. */
  async start(timeoutMs = 20_000): Promise<number> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const t0 = performance.now();
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      PORT: String(this.opts.port),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_AI: 'local',
      ...this.opts.env,
    };
    this.cwd ??= this.opts.cwd ?? mkdtempSync(join(tmpdir(), `parley-${this.name}-`));
    const child = spawn(process.execPath, [join(repoRoot(), 'bin/parley.js'), 'serve'], { cwd: this.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const gen: Generation = {
      child,
      exited: false,
      exit: new Promise((resolve) => child.once('exit', (code) => ((gen.exited = true), resolve(code)))),
    };
    this.gen = gen;
    createInterface({ input: child.stdout! }).on('line', (l) => this.onLog(gen, l));
    createInterface({ input: child.stderr! }).on('line', (l) => this.keep(l));
    for (;;) {
      if (gen.exited) throw new Error(`${this.name} exited during start:\n${this.tail.join('\n')}`);
      if ((await this.readyz())?.ready) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail.join('\n')}`);
      }
      await sleep(50);
    }
  }

  /** GET /readyz; undefined when nothing answers. */
  async readyz(): Promise<{ ready: boolean; calls: number } | undefined> {
    try {
      const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { calls?: number };
      return { ready: res.status === 200, calls: body.calls ?? 0 };
    } catch {
      return undefined;
    }
  }

  /** GET /metrics (Prometheus text); undefined when nothing answers. */
  async metrics(): Promise<string | undefined> {
    try {
      const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.text() : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then waits for the drain and the exit (SIGKILL after `killAfterMs`). */
  async stop(killAfterMs: number): Promise<DrainRecord> {
    const gen = this.gen;
    if (!gen || gen.exited) throw new Error(`${this.name} is not running`);
    const callsAtSignal = (await this.readyz())?.calls ?? 0;
    const forcedBefore = this.endReasons['shutdown'] ?? 0;
    const signalAt = performance.now();
    gen.child.kill('SIGTERM');
    const killer = setTimeout(() => gen.child.kill('SIGKILL'), killAfterMs);
    const exitCode = await gen.exit;
    clearTimeout(killer);
    const exitAt = performance.now();
    return {
      instance: this.name,
      callsAtSignal,
      signalAt,
      drainMs: Math.round((gen.shutdownCompleteAt ?? exitAt) - signalAt),
      exitMs: Math.round(exitAt - signalAt),
      exitCode,
      forceClosed: (this.endReasons['shutdown'] ?? 0) - forcedBefore,
    };
  }

  /** Ends the process at once (cleanup after a failure). */
  async kill(): Promise<void> {
    const gen = this.gen;
    if (!gen || gen.exited) return;
    gen.child.kill('SIGKILL');
    await gen.exit;
  }

  private onLog(gen: Generation, line: string): void {
    let rec: { msg?: unknown; reason?: unknown; level?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      return this.keep(line);
    }
    if (rec.msg === 'call started') this.callsStarted += 1;
    else if (rec.msg === 'call ended') {
      const reason = typeof rec.reason === 'string' ? rec.reason : 'unknown';
      this.endReasons[reason] = (this.endReasons[reason] ?? 0) + 1;
    } else if (rec.msg === 'shutdown complete' || rec.msg === 'cluster shutdown complete') {
      // With PARLEY_WORKERS > 1 each worker says it; the primary's line comes last.
      gen.shutdownCompleteAt = performance.now();
    }
    if (typeof rec.level === 'number' && rec.level >= 40) this.keep(line);
  }

  private keep(line: string): void {
    this.tail.push(`${this.name}: ${line}`);
    if (this.tail.length > TAIL) this.tail.shift();
  }
}
