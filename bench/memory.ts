// `npm run bench -- memory [--steps 100,200] [--protocol twilio|audio-stream] [--media native|js] [--hold-ms N] [--no-snapshot] [--serve-flags '<node flags>'] [--trim-probe]`
// Where a call's memory goes. One `parley serve` (the offline agent in its own process, the
// sim callers in this one); for each step N the calls are held concurrent in a silent stretch
// after a conversation with a barge-in, and at that plateau the bench reads serve's RSS (anon /
// file), V8 heap (used / committed), external and ArrayBuffer memory (/metrics and
// /proc), then writes a heap snapshot (SIGUSR2: --heapsnapshot-signal) whose live objects are
// grouped by constructor. Per call figures are differences between consecutive plateaus divided
// by the difference in calls (so the process's fixed cost and warm-up drop out), plus the
// capacity bench's definition (growth from start-up over the calls, which keeps both).
// The native core's rings are reported from their configured sizes (see ringBytes()).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/tools/sim/caller/index.js';
import { rssKiB, startNode, startServe } from './_proc.js';
import { diffPerCall, summariseSnapshot, totalBytes, type HeapGroup } from './_heap-summary.js';
// The capacity bench's conversation (a barge-in), then silence while the memory is measured.
import { LEAD_MS, script as conversation } from './_capacity-script.js';

interface Plateau {
  readonly calls: number;
  readonly rssKiB: number;
  readonly rssAnonKiB: number;
  readonly brkHeapKiB: number;
  readonly otherAnonKiB: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number | null;
  /** RSS released by malloc_trim(0) at the plateau (--trim-probe): free memory glibc kept. */
  trimmedKiB?: number;
  snapshot?: Map<string, HeapGroup>;
  snapshotFile?: string;
}

/** Resident KiB of the brk heap (glibc's main arena: the JS thread's mallocs, the rings among
 *  them) and of the other anonymous mappings (V8's heap pages, mmap'd malloc chunks, thread arenas). */
function smapsKiB(pid: number): { brkHeap: number; otherAnon: number } {
  let name = '';
  let brkHeap = 0;
  let otherAnon = 0;
  for (const l of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) name = l.split(/\s+/)[5] ?? '';
    else if (l.startsWith('Rss:')) {
      const kib = Number(l.split(/\s+/)[1]);
      if (name === '[heap]') brkHeap += kib;
      else if (name === '') otherAnon += kib;
    }
  }
  return { brkHeap, otherAnon };
}

function statusKiB(pid: number, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** /metrics, retried: a keep-alive socket may be reset while serve was blocked writing a snapshot. */
async function metrics(base: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await (await fetch(`${base}/metrics`)).text();
    } catch (err) {
      if (i >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
const gauge = (t: string, name: string) => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(t);
  return m ? Number(m[1]) : null;
};

/**
 * The media core's four rings per call, from native/src/core/engine/call.cc (a ring is exactly
 * its byte bound, Call::ring_bytes(); a ring that has wrapped once is resident).
 */
export function ringBytes(ai: { rate: number; bps: number }, tel: { rate: number; bps: number }, playoutMs: number, captureMs: number): Record<string, number> {
  const exact = (n: number) => Math.max(64, n);
  const ms = (f: { rate: number; bps: number }, x: number) => Math.floor((f.rate * x) / 1000) * f.bps;
  const outFrame = (tel.rate / 50) * tel.bps;
  const capOutMax = (ai.rate / 50) * ai.bps + 2 * ai.bps; // a resampler may yield a sample or two more (an upper bound)
  return {
    playoutIn: exact(ms(ai, playoutMs) + 16 * (Math.floor(playoutMs / 20) + 1)),
    playoutOut: exact(25 * (16 + outFrame)),
    captureIn: exact(ms(tel, captureMs)),
    captureOut: exact(Math.max(ms(ai, 500), capOutMax * 9)),
  };
}


/** Waits until the newest .heapsnapshot in `dir` has stopped growing and serve answers again. */
async function takeSnapshot(pid: number, dir: string, base: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const f = readdirSync(dir).find((x) => x.endsWith('.heapsnapshot') && !before.has(x));
    if (!f) continue;
    const size = statSync(join(dir, f)).size;
    await metrics(base); // answers only once the snapshot (on the main thread) is written
    if (statSync(join(dir, f)).size === size) return join(dir, f);
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: 'string', default: '100,200' },
      protocol: { type: 'string', default: 'twilio' },
      media: { type: 'string', default: 'native' },
      'hold-ms': { type: 'string', default: '' },
      'no-snapshot': { type: 'boolean', default: false },
      // Extra node flags for serve, e.g. --serve-flags=--max-semi-space-size=2 (A/B of V8 settings).
      'serve-flags': { type: 'string', default: '' },
      // At each plateau, gdb calls malloc_trim(0) in serve: RSS that glibc held free (fragmentation).
      'trim-probe': { type: 'boolean', default: false },
    },
  });
  const steps = values.steps.split(',').map(Number);
  const snap = !values['no-snapshot'];
  const dir = mkdtempSync(join(tmpdir(), 'parley-memory-'));
  const agent = startNode(['dist/bench/_capacity-agent.js']);
  const agentUrl = (JSON.parse((await agent.line(/^\{"url".*$/))[0]) as { url: string }).url;
  const { proc: serve, base } = await startServe(
    {
      PARLEY_AI: 'openai',
      PARLEY_OPENAI_URL: agentUrl,
      PARLEY_MEDIA: values.media,
      PARLEY_MAX_CALLS: String(Math.max(...steps) + 100),
      PARLEY_TRACE_DIR: '',
    },
    undefined,
    ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, ...values['serve-flags'].split(' ').filter(Boolean)],
  );
  const pid = serve.pid;
  const plateaus: Plateau[] = [];
  const read = async (calls: number): Promise<Plateau> => {
    const t = await metrics(base);
    return {
      calls,
      rssKiB: rssKiB(pid),
      rssAnonKiB: statusKiB(pid, 'RssAnon'),
      ...(({ brkHeap, otherAnon }) => ({ brkHeapKiB: brkHeap, otherAnonKiB: otherAnon }))(smapsKiB(pid)),
      heapUsed: gauge(t, 'parley_nodejs_heap_size_used_bytes') ?? 0,
      heapTotal: gauge(t, 'parley_nodejs_heap_size_total_bytes') ?? 0,
      external: gauge(t, 'parley_nodejs_external_memory_bytes') ?? 0,
      arrayBuffers: null,
    };
  };
  try {
    const p0 = await read(0);
    if (snap) {
      p0.snapshotFile = await takeSnapshot(pid, dir, base);
      Object.assign(p0, { heapAfterGc: (await read(0)).heapUsed });
    }
    plateaus.push(p0);
    for (const n of steps) {
      const rampMs = Math.min(10_000, n * 40);
      const holdMs = Number(values['hold-ms'] || 0) || rampMs + 20_000;
      const load = runLoad({ url: `${base.replace('http', 'ws')}/${values.protocol}`, calls: n, rampMs, script: conversation({ rampMs: 0, holdMs, hold: 'silence' }), maxCallMs: rampMs + holdMs + 30_000, leadMs: LEAD_MS });
      // The plateau: every call started and past its conversation (ramp + ~8 s), none ended.
      const deadline = performance.now() + rampMs + 40_000;
      let active = 0;
      await new Promise((r) => setTimeout(r, rampMs + 9_000));
      while (performance.now() < deadline) {
        active = gauge(await metrics(base), 'parley_calls_active') ?? 0;
        if (active >= n) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const p = await read(active);
      if (values['trim-probe']) {
        execFileSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore', timeout: 60_000 });
        p.trimmedKiB = p.rssKiB - rssKiB(pid);
      }
      if (snap) p.snapshotFile = await takeSnapshot(pid, dir, base);
      plateaus.push(p);
      const res = await load;
      process.stderr.write(`step ${n}: ${active} active at the plateau, ${res.ok}/${res.calls} ok ${JSON.stringify(res.failures)}\n`);
      await new Promise((r) => setTimeout(r, 3000)); // teardown
    }
    const after = await read(0);
    for (const p of plateaus) if (p.snapshotFile) p.snapshot = summariseSnapshot(p.snapshotFile);
    const rows = plateaus.slice(1).map((p, i) => {
      const prev = plateaus[i]!;
      const dc = p.calls - prev.calls || 1;
      const per = (a: number, b: number) => Math.round((a - b) / dc);
      return {
        calls: p.calls,
        fromCalls: prev.calls,
        perCallBytes: {
          rss: per(p.rssKiB * 1024, prev.rssKiB * 1024),
          rssAnon: per(p.rssAnonKiB * 1024, prev.rssAnonKiB * 1024),
          mallocMainArena: per(p.brkHeapKiB * 1024, prev.brkHeapKiB * 1024),
          otherAnon: per(p.otherAnonKiB * 1024, prev.otherAnonKiB * 1024),
          v8HeapCommitted: per(p.heapTotal, prev.heapTotal),
          v8HeapUsed: per(p.heapUsed, prev.heapUsed),
          v8HeapLive: p.snapshot && prev.snapshot ? per(totalBytes(p.snapshot), totalBytes(prev.snapshot)) : null,
          external: per(p.external, prev.external),
        },
        topConstructorsPerCall: p.snapshot && prev.snapshot ? diffPerCall(prev.snapshot, p.snapshot, dc, 25) : null,
      };
    });
    const last = plateaus[plateaus.length - 1]!;
    const tw = { rate: 8000, bps: 1 };
    const pcm = { rate: 24000, bps: 2 };
    process.stdout.write(
      `${JSON.stringify({
        bench: 'memory',
        protocol: values.protocol,
        media: values.media,
        serveFlags: values['serve-flags'],
        mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
        capacityDefinitionKiBPerCall: Math.round((last.rssKiB - plateaus[0]!.rssKiB) / Math.max(1, last.calls)),
        plateaus: plateaus.map(({ snapshot: _s, snapshotFile: _f, ...p }) => p),
        afterKiB: { rss: after.rssKiB, rssAnon: after.rssAnonKiB },
        steps: rows,
        nativeRingsBytes: {
          g711Call: ringBytes(tw, tw, 2000, 1000),
          pcmCall: ringBytes(pcm, { rate: 16000, bps: 2 }, 2000, 1000),
        },
      })}\n`,
    );
  } finally {
    serve.child.kill('SIGTERM');
    agent.child.kill('SIGTERM');
    await Promise.all([serve.exited, agent.exited]);
    rmSync(dir, { recursive: true, force: true });
  }
}
