// CPU of serve split by thread, from /proc/<pid>/task/<tid>/stat over serve's process tree (the
// primary and every worker): the main JS threads (tid = pid), the media core's threads (named
// "parley-media" by the native core) and the rest (V8's GC and compiler helpers, libuv's pool).
// A thread that started after the first reading counts from zero; one that ended before the
// second is lost (the tree's process totals still have it).
import { readdirSync, readFileSync } from 'node:fs';
import { descendants } from './_capacity-tree.js';

const CLK_TCK = 100;
const MEDIA_THREAD = 'parley-media';

interface Thread {
  readonly comm: string;
  readonly s: number;
  /** Of `s`, the time in the kernel (stime): syscalls, and on loopback the peer's TCP work too. */
  readonly sysS: number;
  readonly main: boolean;
}

/** CPU seconds so far of every thread of the tree under `root`, keyed "pid/tid". */
export type ThreadCpu = ReadonlyMap<string, Thread>;

export function threadCpu(root: number): ThreadCpu {
  const out = new Map<string, Thread>();
  for (const pid of descendants(root)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process ended
    }
    for (const t of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const f = stat.slice(close + 2).split(' ');
        out.set(`${pid}/${t}`, { comm: stat.slice(stat.indexOf('(') + 1, close), s: (Number(f[11]) + Number(f[12])) / CLK_TCK, sysS: Number(f[12]) / CLK_TCK, main: Number(t) === pid });
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return out;
}

export interface ThreadSplit {
  readonly mainJsS: number;
  readonly mediaS: number;
  readonly otherS: number;
  /** Kernel time of all of them, and of the main JS threads alone. */
  readonly kernelS: number;
  readonly mainJsKernelS: number;
  readonly mediaThreads: number;
}

/** CPU seconds between two readings, by kind of thread. */
export function threadSplit(before: ThreadCpu, after: ThreadCpu): ThreadSplit {
  let mainJsS = 0;
  let mediaS = 0;
  let otherS = 0;
  let kernelS = 0;
  let mainJsKernelS = 0;
  let mediaThreads = 0;
  for (const [key, a] of after) {
    const d = a.s - (before.get(key)?.s ?? 0);
    const k = a.sysS - (before.get(key)?.sysS ?? 0);
    kernelS += k;
    if (a.main) {
      mainJsS += d;
      mainJsKernelS += k;
    } else if (a.comm === MEDIA_THREAD) {
      mediaS += d;
      mediaThreads += 1;
    } else otherS += d;
  }
  return { mainJsS, mediaS, otherS, kernelS, mainJsKernelS, mediaThreads };
}

/** The split as the bench reports it: % of one core over `wallS`, and ms per call-second. */
export function threadReport(s: ThreadSplit, wallS: number, callSeconds: number): Record<string, unknown> {
  const pct = (x: number) => Math.round((x / wallS) * 1000) / 10;
  const perCallS = (x: number) => (callSeconds > 0 ? Math.round((x * 1000 * 100) / callSeconds) / 100 : null);
  return {
    mainJs: { pct: pct(s.mainJsS), msPerCallSecond: perCallS(s.mainJsS) },
    media: { pct: pct(s.mediaS), msPerCallSecond: perCallS(s.mediaS), threads: s.mediaThreads },
    other: { pct: pct(s.otherS), msPerCallSecond: perCallS(s.otherS) },
    kernel: { pct: pct(s.kernelS), msPerCallSecond: perCallS(s.kernelS), mainJsMsPerCallSecond: perCallS(s.mainJsKernelS) },
    note: "serve's CPU by thread over the whole run, summed over its processes (main JS threads = tid pid, the primary's included; media = the cores' 'parley-media' threads; other = GC/compiler/libuv helpers); kernel = the part of all of them spent in the kernel (stime: syscalls, and on loopback much of the peer's TCP receive work)",
  };
}

/** One part of the split (the main JS threads, or the kernel's share) of a run against its baseline run, in ms per call-second. */
export function threadsVsBaseline(now: Record<string, unknown>, base: Record<string, unknown>, part: 'mainJs' | 'kernel'): { new: number | null; baseline: number | null; ratio: number | null } {
  const ms = (r: Record<string, unknown>) => (r['parleyThreads'] as Record<string, { msPerCallSecond: number | null } | undefined> | undefined)?.[part]?.msPerCallSecond ?? null;
  const a = ms(now);
  const b = ms(base);
  return { new: a, baseline: b, ratio: a !== null && b ? Math.round((a / b) * 1000) / 1000 : null };
}
