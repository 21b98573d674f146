// The caller's ear for marked speech (../audio/marks.ts): it decodes each whole frame it hears
// into a symbol, splits what it heard into answers at its own turns (an answer is everything heard
// between the end of one caller turn and the end of the next), and compares each answer with what
// the agent meant to say — the replies' texts, nothing of Parley's model. Per answer, the reply
// that matches best (longest common subsequence) is taken as the one meant; then
// - duplicates: 4-symbol stretches of the reply heard more often than it says them (audio heard twice);
// - reorderings: symbols heard outside the reply's order that are not duplicates;
// - missing: symbols of the reply skipped inside what was heard (and, for an answer not cut by a
//   barge-in, its unheard end).
import { frameSymbol, markSequence } from '../audio/marks.js';

export interface MarkReport {
  readonly answers: number;
  /** Answers in which nothing marked was heard. */
  readonly silent: number;
  readonly duplicates: number;
  readonly reorderings: number;
  readonly missing: number;
  /** Per answer with a problem: what was heard against the reply (symbol strings), at most 5. */
  readonly examples: readonly string[];
}

const GRAM = 4;
const EXAMPLES = 5;
/** Frames a symbol must hold in a row to count (a frame across two characters holds neither). */
const HOLD = 2;

interface Answer {
  heard: number[];
  barged: boolean;
}

export class MarkListener {
  private readonly replies: readonly number[][];
  private readonly answers: Answer[] = [];
  private cur: Answer | undefined;
  private sym: number | undefined;
  private held = 0;
  private committed = false;

  constructor(replies: readonly (readonly string[])[]) {
    this.replies = replies.map((r) => markSequence(r.join(' ')));
  }

  /** One far-side tick: `frame` holds `played` samples of agent audio (the rest padding). */
  frame(frame: Int16Array | undefined, played: number): void {
    if (!this.cur || !frame || played < frame.length) return;
    const s = frameSymbol(frame);
    if (s === undefined) return;
    if (s !== this.sym) {
      this.sym = s;
      this.held = 0;
      this.committed = false;
    }
    if (++this.held >= HOLD && !this.committed) {
      this.committed = true;
      this.cur.heard.push(s);
    }
  }

  /** The caller started speaking over agent audio: the answer being heard may stop short. */
  barged(): void {
    if (this.cur) this.cur.barged = true;
  }

  /** The caller finished a turn: what is heard from now on is the next answer. */
  turnEnded(): void {
    this.cur = { heard: [], barged: false };
    this.answers.push(this.cur);
    this.sym = undefined;
    this.held = 0;
  }

  report(): MarkReport {
    let silent = 0;
    let duplicates = 0;
    let reorderings = 0;
    let missing = 0;
    const examples: string[] = [];
    for (const a of this.answers) {
      if (a.heard.length === 0) {
        silent++;
        continue;
      }
      // The reply meant: the one that explains what was heard with the fewest symbols heard
      // outside its order plus skipped (a short cut answer is a subsequence of many replies).
      const best = this.replies
        .map((r) => {
          const m = lcs(a.heard, r);
          // Skipped inside the heard part; an answer nobody cut must be heard to its end.
          const skipped = (a.barged ? m.lastIndex + 1 : r.length) - m.length;
          return { r, lcs: m, skipped, cost: a.heard.length - m.length + skipped };
        })
        .reduce((x, y) => (y.cost < x.cost ? y : x));
      const extra = a.heard.length - best.lcs.length;
      const dup = excessGrams(a.heard, best.r);
      duplicates += dup;
      if (extra > 0 && dup === 0) reorderings += extra;
      const skipped = best.skipped;
      missing += skipped;
      if ((extra > 0 || skipped > 0) && examples.length < EXAMPLES) examples.push(`heard ${code(a.heard)} meant ${code(best.r)}${a.barged ? ' (barged)' : ''}`);
    }
    return { answers: this.answers.length, silent, duplicates, reorderings, missing, examples };
  }
}

const code = (xs: readonly number[]) => xs.map((x) => x.toString(16)).join('');

/** Longest common subsequence length of a and b, and the last index of b it used. */
function lcs(a: readonly number[], b: readonly number[]): { length: number; lastIndex: number } {
  const m = b.length;
  let prev = new Int32Array(m + 1);
  let row = new Int32Array(m + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= m; j++) row[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    [prev, row] = [row, prev];
  }
  const length = prev[m]!;
  let lastIndex = -1;
  for (let j = 1; j <= m; j++) {
    if (prev[j] === length) {
      lastIndex = j - 1;
      break;
    }
  }
  return { length, lastIndex };
}

/** How many GRAM-symbol stretches of `meant` occur in `heard` more often than in `meant`. */
function excessGrams(heard: readonly number[], meant: readonly number[]): number {
  const count = (xs: readonly number[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + GRAM <= xs.length; i++) {
      const k = xs.slice(i, i + GRAM).join(',');
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const want = count(meant);
  let excess = 0;
  // A stretch the reply never says is a junction (audio skipped or swapped there), not a repeat.
  for (const [k, n] of count(heard)) {
    const w = want.get(k);
    if (w !== undefined) excess += Math.max(0, n - w);
  }
  return excess;
}
