// Runs one JVM command with a wall-clock limit, collecting its combined output.
import { spawn } from 'node:child_process';

export interface JavaRun {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly out: string;
  readonly seconds: number;
}

export function runJava(java: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<JavaRun> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(java, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const finish = (code: number | null, extra = ''): void => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, timedOut, out: Buffer.concat(chunks).toString('utf8') + extra, seconds });
    };
    child.on('error', (err) => finish(null, `\n${err.message}`));
    child.on('close', (code) => finish(code));
  });
}
