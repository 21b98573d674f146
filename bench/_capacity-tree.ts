// The capacity bench's view of `parley serve` as a process tree: the serve process and, with
// `--workers N`, the cluster workers it forked (found from /proc by parent pid, so a worker that
// replaces a dead one is picked up at the next sample). CPU is summed over every process ever
// seen (a dead worker keeps what it had used up to its last sample); RSS is summed over the
// processes alive now. With one worker the tree is the serve process alone.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;
const PAGE_KIB = 4;

interface ProcStat {
  readonly ppid: number;
  readonly cpuS: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields start after the last ') '.
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(') ') + 2).split(' ');
    return { ppid: Number(f[1]), cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK };
  } catch {
    return undefined; // exited between the listing and the read
  }
}

function rss(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KIB;
  } catch {
    return 0;
  }
}

/** The pid and every descendant of it alive now (root first). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const s = stat(pid);
    if (!s) continue;
    const xs = children.get(s.ppid) ?? [];
    xs.push(pid);
    children.set(s.ppid, xs);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export interface TreeSample {
  /** CPU seconds used since the baseline, over every process seen (dead ones included). */
  readonly cpuS: number;
  /** RSS summed over the processes alive now. */
  readonly rssKiB: number;
  readonly alive: number;
}

export class ServeTree {
  /** Per pid: CPU at the baseline (0 for processes born after it) and at the latest sample. */
  private readonly cpu = new Map<number, { first: number; last: number }>();
  private baselineTaken = false;

  constructor(private readonly root: number) {}

  /** Reads every process of the tree now; the first call is the baseline. */
  sample(): TreeSample {
    let rssKiB = 0;
    const pids = descendants(this.root);
    let alive = 0;
    for (const pid of pids) {
      const s = stat(pid);
      if (!s) continue;
      alive++;
      rssKiB += rss(pid);
      const c = this.cpu.get(pid);
      if (c) c.last = s.cpuS;
      else this.cpu.set(pid, { first: this.baselineTaken ? 0 : s.cpuS, last: s.cpuS });
    }
    this.baselineTaken = true;
    return { cpuS: this.cpuS(), rssKiB, alive };
  }

  private cpuS(): number {
    let sum = 0;
    for (const c of this.cpu.values()) sum += c.last - c.first;
    return sum;
  }

  /** CPU seconds since the baseline per process: the root first ('serve', or 'primary' when it has workers). */
  perProcess(): { pid: number; role: 'serve' | 'primary' | 'worker'; cpuS: number }[] {
    const hasWorkers = this.cpu.size > 1;
    return [...this.cpu].map(([pid, c]) => ({ pid, role: pid === this.root ? (hasWorkers ? 'primary' : 'serve') : 'worker', cpuS: c.last - c.first }));
  }
}

/** Cores each party used over `wallS` (1 = one core busy the whole time), rounded to 0.01. */
export function coresOf(cpuS: number, wallS: number): number {
  return wallS > 0 ? Math.round((cpuS / wallS) * 100) / 100 : 0;
}
