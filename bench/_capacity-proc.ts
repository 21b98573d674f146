// The capacity bench's child processes (serve, the agent, the TTS fakes): stdout read line by
// line, its JSON lines of interest kept, waiters for a matching future line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/bench → repo root
export interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching. */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Every JSON line seen on stdout so far. */
  readonly json: unknown[];
}

export function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const json: unknown[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += String(d);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (l.startsWith('{"url"') || l.startsWith('{"truncate"') || l.startsWith('{"stats"') || l.startsWith('{"tts')) json.push(JSON.parse(l));
      for (const w of [...waiters]) {
        const m = w.re.exec(l);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + String(d)).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return {
    child,
    exited,
    json,
    line: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        setTimeout(() => reject(new Error(`timed out waiting for ${re} (stderr: ${err})`)), timeoutMs).unref();
        void exited.then((c) => reject(new Error(`process exited (${c}) before ${re}: ${err}`)));
      }),
  };
}

