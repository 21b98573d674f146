// Trace batches for TLC are bounded in lines (SANY's memory grows fast with the module's size):
// every trace lands in exactly one batch, in order, and no batch of several traces exceeds the bound.
import { describe, expect, it } from 'vitest';
import { chunkByLines } from '../../../src/tools/mbt/trace/check.js';

const t = (id: string, n: number) => ({ id, trace: { lines: Array.from({ length: n }, (_, i) => i) } });

describe('chunkByLines', () => {
  it('packs traces in order up to the bound; an oversized trace gets a batch of its own', () => {
    const traces = [t('a', 4), t('b', 5), t('c', 2), t('d', 30), t('e', 1), t('f', 9)];
    const chunks = chunkByLines(traces, 10);
    expect(chunks.map((c) => c.map((x) => x.id))).toEqual([['a', 'b'], ['c'], ['d'], ['e', 'f']]);
    for (const c of chunks) if (c.length > 1) expect(c.reduce((n, x) => n + x.trace.lines.length, 0)).toBeLessThanOrEqual(10);
  });

  it('returns no batch for no traces', () => {
    expect(chunkByLines([], 10)).toEqual([]);
  });
});
