// The capacity bench's measuring pieces: serve's process tree (a parent and the child it forked,
// CPU summed over both, a child that exits keeps the CPU it had used), the calls up summed over
// protocols, the script that keeps every call up (in conversation) for ramp + hold, and the
// truncation error that pairs a truncate with a barge-in only when the call had no other.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, ServeTree } from '../../bench/_capacity-tree.js';
import { threadCpu, threadSplit } from '../../bench/_proc-threads.js';
import { audioSocketLeadMs } from '../../bench/_capacity-audiosocket.js';
import { callsActive } from '../../bench/_capacity-serve.js';
import { script } from '../../bench/_capacity-script.js';
import { truncationErrors } from '../../bench/_capacity-truncation.js';
import type { LoadResult } from '../../src/tools/sim/caller/index.js';

/** Node code: `cpu()`, the process's CPU so far in µs (user + system). */
const CPU = `const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };`;
/** Node code: `burn()` burns 300 ms of CPU (not of wall time: the machine may be busy), then prints "burnt". */
const BURN = `${CPU} const burn = () => { const end = cpu() + 300_000; while (cpu() < end); console.log('burnt'); };`;

/** Collects a child's stdout; `until(re)` waits (10 s at most) for it to match. */
function output(child: ReturnType<typeof spawn>) {
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  return {
    get text() {
      return out;
    },
    async until(re: RegExp): Promise<void> {
      for (const end = Date.now() + 10_000; !re.test(out); ) {
        if (Date.now() > end) throw new Error(`no ${re}: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('ServeTree', () => {
  it('sums CPU over the parent and its child, keeps an exited child’s CPU, and RSS over the living', async () => {
    // The child burns 300 ms when signalled; then the parent burns 300 ms when it hears so.
    const childSrc = `${BURN} process.on('SIGUSR2', burn); console.log('ready'); setInterval(() => {}, 1000);`;
    const parentSrc = `${BURN}
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', ${JSON.stringify(childSrc)}], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d) => (String(d).includes('ready') ? console.log('child ' + c.pid) : burn()));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const out = output(parent);
      await out.until(/child (\d+)/);
      const child = Number(/child (\d+)/.exec(out.text)![1]);
      const tree = new ServeTree(parent.pid!);
      const base = tree.sample();
      expect(descendants(parent.pid!)).toEqual([parent.pid, child]);
      expect(base.alive).toBe(2);
      expect(base.cpuS).toBe(0);
      process.kill(child, 'SIGUSR2');
      await out.until(/burnt/);
      const both = tree.sample();
      // The child's 300 ms and the parent's 300 ms, both after the baseline.
      expect(both.cpuS).toBeGreaterThanOrEqual(0.5);
      expect(both.rssKiB).toBeGreaterThan(base.rssKiB / 2);
      process.kill(child, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      const after = tree.sample();
      expect(after.alive).toBe(1);
      expect(after.cpuS).toBeGreaterThanOrEqual(both.cpuS);
      expect(after.rssKiB).toBeLessThan(both.rssKiB);
      const roles = tree.perProcess().map((p) => p.role);
      expect(roles).toEqual(['primary', 'worker']);
      expect(tree.perProcess().find((p) => p.pid === child)!.cpuS).toBeGreaterThan(0);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 15_000);
});

describe('threadSplit', () => {
  it('tells kernel time from user time: a busy loop has almost none, a run of syscalls a large share', async () => {
    // 400 ms of CPU in a loop, then 400 ms of one-byte writes to /dev/null, each phase on a signal.
    const src = `${CPU} const fs = require('node:fs'); const fd = fs.openSync('/dev/null', 'w'); const b = Buffer.alloc(1);
      process.on('SIGUSR1', () => { const end = cpu() + 400_000; while (cpu() < end) for (let i = 0; i < 1e5; i++); console.log('loop'); });
      process.on('SIGUSR2', () => { const end = cpu() + 400_000; while (cpu() < end) for (let i = 0; i < 100; i++) fs.writeSync(fd, b); console.log('syscalls'); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const out = output(child);
      await out.until(/ready/);
      const t0 = threadCpu(child.pid!);
      process.kill(child.pid!, 'SIGUSR1');
      await out.until(/loop/);
      const t1 = threadCpu(child.pid!);
      process.kill(child.pid!, 'SIGUSR2');
      await out.until(/syscalls/);
      const loop = threadSplit(t0, t1);
      const calls = threadSplit(t1, threadCpu(child.pid!));
      expect(loop.mainJsS).toBeGreaterThanOrEqual(0.3);
      expect(loop.mainJsKernelS).toBeLessThan(0.1 * loop.mainJsS);
      expect(calls.mainJsS).toBeGreaterThanOrEqual(0.3);
      expect(calls.mainJsKernelS).toBeGreaterThan(0.1 * calls.mainJsS);
      expect(calls.kernelS).toBeGreaterThanOrEqual(calls.mainJsKernelS);
    } finally {
      child.kill('SIGKILL');
    }
  }, 15_000);
});

describe('audioSocketLeadMs', () => {
  it("is the runtime's lead for serve's environment: N frames a wake-up plus the jitter margin", () => {
    expect(audioSocketLeadMs({})).toBe(40); // one frame + the default 20 ms margin
    expect(audioSocketLeadMs({ PARLEY_MEDIA_WAKE_TICKS: '2' })).toBe(60);
    expect(audioSocketLeadMs({ PARLEY_MEDIA_WAKE_TICKS: '2', PARLEY_UNFLUSHABLE_JITTER_MS: '40' })).toBe(80);
  });
});

describe('callsActive', () => {
  it('sums the calls up over every protocol series', () => {
    const text = ['# TYPE parley_calls_active gauge', 'parley_calls_active{protocol="audio-stream"} 4', 'parley_calls_active{protocol="twilio"} 7', 'parley_calls_active_other 100'].join('\n');
    expect(callsActive(text)).toBe(11);
    expect(callsActive('parley_calls_active 3')).toBe(3);
  });
});

describe('capacity script', () => {
  it('keeps every call in conversation for ramp + hold after its barge-in', () => {
    for (const [rampMs, holdMs] of [
      [10_000, 5000],
      [1000, 0],
      [0, 30_000],
    ] as const) {
      const s = script({ rampMs, holdMs });
      expect(s.filter((x) => x.kind === 'barge')).toHaveLength(1);
      const bargeAt = s.findIndex((x) => x.kind === 'barge');
      // After the barge-in: say + listen turns, each at least 800 ms said + a 2400 ms reply + 500 ms quiet.
      const turns = s.slice(bargeAt + 2).filter((x) => x.kind === 'say').length;
      expect(turns * (800 + 2400 + 500)).toBeGreaterThanOrEqual(rampMs + holdMs);
      expect(s.at(-1)!.kind).toBe('hangup');
      // Silent hold: one silence covering ramp + hold after the conversation.
      const silent = script({ rampMs, holdMs, hold: 'silence' });
      expect(silent.filter((x) => x.kind === 'barge')).toHaveLength(1);
      expect(Math.max(...silent.map((x) => (x.kind === 'silence' ? x.ms : 0)))).toBeGreaterThanOrEqual(rampMs + holdMs);
    }
  });
});

describe('truncationErrors', () => {
  const report = (callId: string, heardMs: number | undefined) =>
    ({ callId, bargeIns: heardMs === undefined ? [] : [{ heardMs, carriedOverMs: 20 }] }) as unknown as LoadResult['reports'][number];
  const trunc = (callId: string, audioEndMs: number) => ({ truncate: { eventId: `${callId}.truncate.1`, audioEndMs } });

  it('pairs a call’s only truncate with its barge-in, and counts calls it cannot pair', () => {
    const reports = [report('a', 1000), report('b', 500), report('c', 700), report('d', undefined)];
    // a: one truncate (Twilio dresses the id with CA), 30 ms off; b: two truncates; c: none; d: no barge-in.
    const r = truncationErrors(reports, [trunc('CAa', 1010), trunc('b', 480), trunc('b', 2000), trunc('d', 100)]);
    expect(r.count).toBe(1);
    expect(r.max).toBe(30); // |1010 − (1000 − 20)|
    expect(r.callsWithExtraTruncates).toBe(1);
    expect(r.callsWithoutTruncate).toBe(1);
    expect(r.truncates).toBe(4);
  });
});
