// TracePlayout follows the playout start rule as the code has it (machines/playout.ts): a WRITE
// in idle starts playing only with the lookahead queued and, beyond the chunk just written, the
// far side's cushion. A real call with a cushion (the chaos bench: chaos-1-30) went idle → prefill
// on a single chunk that reached the lookahead alone — the checker must accept that, and still
// reject the same step when the call had no cushion.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../../src/obs/trace.js';
import { checkTraces } from '../../../src/tools/mbt/trace/check.js';
import { convertTrace } from '../../../src/tools/mbt/trace/convert.js';
import { requireJava } from '../../../src/tools/verify/prereq.js';
import { ensureTlcJar } from '../../../src/tools/verify/tlcJar.js';

function firstChunk(cushionMs: number): TraceRecord[] {
  const rec = (seq: number, fields: Partial<TraceRecord>): TraceRecord => ({ t: seq, seq, src: 'machine', event: '', ...fields }) as TraceRecord;
  return [
    rec(0, { machine: 'playout', event: 'xstate.init', ctx: { lookaheadMs: 80, cushionMs } }),
    // One 100 ms chunk: the lookahead (80) is queued, but nothing beyond the chunk for the cushion.
    rec(1, { machine: 'playout', event: 'WRITE', data: { bufferedMs: 100, chunkMs: 100 }, from: 'idle', to: 'prefill', actions: [], ctx: {} }),
  ];
}

describe('TracePlayout: the start rule with the far side cushion', () => {
  it('accepts idle → prefill under a cushion and rejects it without one', { timeout: 120_000 }, async () => {
    const tlc = { root: process.cwd(), java: requireJava().java, jar: ensureTlcJar() };
    const withCushion = convertTrace(firstChunk(40));
    expect(withCushion.settings.cushionMs).toBe(40);
    const r = await checkTraces(
      [
        { id: 'cushion', trace: withCushion },
        { id: 'no-cushion', trace: convertTrace(firstChunk(0)) },
      ],
      { ...tlc, specs: ['TracePlayout'] },
    );
    expect(r.rejections.get('cushion')).toEqual([]);
    expect(r.rejections.get('no-cushion')?.map((x) => x.why)).toEqual(['machine: WRITE in idle leads to playing, not prefill']);
  });
});
