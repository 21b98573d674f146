// CPU of one process split by thread, from /proc/<pid>/task/<tid>/stat: the main JS thread
// (tid = pid), the media core's thread (named "parley-media" by the native core) and the rest
// (V8's GC and compiler helpers, libuv's pool). A thread that started after the first reading
// counts from zero; one that ended before the second is lost (the process total still has it).
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;
const MEDIA_THREAD = 'parley-media';

export interface ThreadCpu {
  /** Seconds of CPU per thread id, with the thread's name. */
  readonly byTid: ReadonlyMap<number, { readonly comm: string; readonly s: number }>;
}

export function threadCpu(pid: number): ThreadCpu {
  const byTid = new Map<number, { comm: string; s: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { byTid };
  }
  for (const t of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      byTid.set(Number(t), { comm: stat.slice(open + 1, close), s: (Number(f[11]) + Number(f[12])) / CLK_TCK });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { byTid };
}

export interface ThreadSplit {
  readonly mainJsS: number;
  readonly mediaS: number;
  readonly otherS: number;
  readonly mediaThreads: number;
}

/** CPU seconds between two readings, by kind of thread. */
export function threadSplit(pid: number, before: ThreadCpu, after: ThreadCpu): ThreadSplit {
  let mainJsS = 0;
  let mediaS = 0;
  let otherS = 0;
  let mediaThreads = 0;
  for (const [tid, a] of after.byTid) {
    const d = a.s - (before.byTid.get(tid)?.s ?? 0);
    if (tid === pid) mainJsS += d;
    else if (a.comm === MEDIA_THREAD) {
      mediaS += d;
      mediaThreads += 1;
    } else otherS += d;
  }
  return { mainJsS, mediaS, otherS, mediaThreads };
}

/** The split as the bench reports it: % of one core over `wallS`, and ms per call-second. */
export function threadReport(s: ThreadSplit, wallS: number, callSeconds: number): Record<string, unknown> {
  const pct = (x: number) => Math.round((x / wallS) * 1000) / 10;
  const perCallS = (x: number) => (callSeconds > 0 ? Math.round((x * 1000 * 100) / callSeconds) / 100 : null);
  return {
    mainJs: { pct: pct(s.mainJsS), msPerCallSecond: perCallS(s.mainJsS) },
    media: { pct: pct(s.mediaS), msPerCallSecond: perCallS(s.mediaS), threads: s.mediaThreads },
    other: { pct: pct(s.otherS), msPerCallSecond: perCallS(s.otherS) },
    note: "serve's CPU by thread over the whole run (main JS thread = tid pid; media = the core's 'parley-media' thread; other = GC/compiler/libuv helpers)",
  };
}

/** The main JS thread's ms per call-second of a run against its baseline run. */
export function mainJsVsBaseline(now: Record<string, unknown>, base: Record<string, unknown>): { new: number | null; baseline: number | null; ratio: number | null } {
  const ms = (r: Record<string, unknown>) => (r['parleyThreads'] as { mainJs?: { msPerCallSecond: number | null } } | undefined)?.mainJs?.msPerCallSecond ?? null;
  const a = ms(now);
  const b = ms(base);
  return { new: a, baseline: b, ratio: a !== null && b ? Math.round((a / b) * 1000) / 1000 : null };
}
