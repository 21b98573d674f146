// Deliberately corrupted media-core traces: one record changed so that the trace shows a bug
// Playout rules out. TracePlayoutCore must reject each for the property named.
import type { CoreTraceRecord } from '../../../media/core-trace.js';

export interface CoreCorruption {
  readonly name: string;
  readonly property: string;
  readonly describe: string;
  /** The corrupted trace, or undefined when this trace has no place for the bug. */
  apply(records: readonly CoreTraceRecord[]): CoreTraceRecord[] | undefined;
}

const replaceAt = (rs: readonly CoreTraceRecord[], i: number, x: CoreTraceRecord): CoreTraceRecord[] => rs.map((r, j) => (j === i ? x : r));

export const CORE_CORRUPTIONS: readonly CoreCorruption[] = [
  {
    name: 'core-flushed-epoch-emitted',
    property: 'PL3',
    describe: 'a frame after a flush carries audio of the epoch the flush discarded',
    apply(rs) {
      const f = rs.findIndex((r) => r.k === 'flush' && r.epoch > 0);
      const s = rs.findIndex((r, i) => i > f && r.k === 'segment');
      const seg = rs[s];
      if (f < 0 || !seg || seg.k !== 'segment') return undefined;
      return replaceAt(rs, s, { ...seg, epoch: seg.epoch - 1 });
    },
  },
  {
    name: 'core-flush-past-index',
    property: 'PL2',
    describe: 'a flush moves the read index past the index its request named (to the head)',
    apply(rs) {
      const f = rs.findIndex((r) => r.k === 'flush');
      const x = rs[f];
      if (!x || x.k !== 'flush') return undefined;
      return replaceAt(rs, f, { ...x, r: x.r + 16 });
    },
  },
  {
    name: 'core-delivered-on-write',
    property: 'PL5',
    describe: "an item's delivered count includes audio written but not yet emitted",
    apply(rs) {
      const total = new Map<number, number>();
      for (const r of rs) if (r.k === 'segment') total.set(r.item, (total.get(r.item) ?? 0) + r.samples);
      const s = rs.findIndex((r) => r.k === 'segment' && (total.get(r.item) ?? 0) > r.delivered);
      const seg = rs[s];
      if (!seg || seg.k !== 'segment') return undefined;
      return replaceAt(rs, s, { ...seg, delivered: total.get(seg.item) ?? 0 });
    },
  },
  {
    name: 'core-read-index-moved-by-js',
    property: 'PL1',
    describe: 'the read index moved between two media-thread records (a producer dropping the oldest)',
    apply(rs) {
      const t = rs.findIndex((r, i) => i > 0 && r.k === 'tick' && r.w > r.r);
      const x = rs[t];
      if (!x || x.k !== 'tick') return undefined;
      return replaceAt(rs, t, { ...x, r: x.r + 16 });
    },
  },
];
