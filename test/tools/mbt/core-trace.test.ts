// The media core's trace mode held to specs/Playout.tla (specs/trace/TracePlayoutCore.tla): a
// real call through the addon — two items sharing frames, a barge-in with a flush, the new
// epoch's audio, a padded tail — is accepted; each corrupted copy is rejected for its property.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreTraceRecord } from '../../../src/media/core-trace.js';
import { NativeMediaEngine, type CallMediaConfig, type MediaEngine } from '../../../src/media/index.js';
import type { TraceRecord } from '../../../src/obs/trace.js';
import { checkCoreTraces, coreRecordsOf } from '../../../src/tools/mbt/trace/core.js';
import { CORE_CORRUPTIONS } from '../../../src/tools/mbt/trace/core-corrupt.js';
import { requireJava } from '../../../src/tools/verify/prereq.js';
import { ensureTlcJar } from '../../../src/tools/verify/tlcJar.js';
import { Collector, taggedMulaw, ticks, untilTick } from '../../media/engine-helpers.js';

const MULAW: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } };
const FRAME = 160;

let engine: MediaEngine;
let recorded: CoreTraceRecord[] = [];

beforeAll(async () => {
  engine = new NativeMediaEngine({ tickMs: 2, maxCalls: 4 });
  const call = engine.open(MULAW);
  expect(call.setTrace?.(true)).toBe(true);
  const out = new Collector(engine, call);
  // Item 1 ends mid-frame and item 2 starts in the same frame.
  call.writePlayout(taggedMulaw(1, 2 * FRAME + 70), { epoch: 0, item: 1 });
  call.writePlayout(taggedMulaw(2, 40 * FRAME), { epoch: 0, item: 2 });
  call.setState('playing');
  await untilTick(engine, () => out.frames.length >= 4);
  // Barge-in: epoch 1, flush to the write index, the new response's audio, then its end.
  call.requestFlush(1);
  call.setState('flushing');
  call.writePlayout(taggedMulaw(3, 3 * FRAME + 50), { epoch: 1, item: 3 });
  await untilTick(engine, () => out.has('flushed'));
  // The response is still live: its short last 50 samples are read and wait for the rest (PL6)…
  call.setState('playing');
  await untilTick(engine, () => out.frames.filter((f) => f.item === 3).length >= 3);
  await ticks(engine, 3);
  // …until its end is known: then padded and sent.
  call.setState('finishing');
  await untilTick(engine, () => out.frames.some((f) => f.item === 3 && f.samples < FRAME));
  await ticks(engine, 3);
  call.setState('closed');
  await ticks(engine, 3);
  out.stop();
  await call.close(); // resolves once the media thread let go: every record has been drained
  recorded = call.takeTrace?.() ?? [];
}, 30_000);

afterAll(async () => {
  await engine.close();
});

describe('media-core trace mode', () => {
  it('records ticks, the flush, frames with their segments and delivered counts', () => {
    const kinds = new Set(recorded.map((r) => r.k));
    // 'read': item 3's last 50 samples read while the response was live, emitted (padded) once it ended.
    expect([...kinds].sort()).toEqual(['flush', 'frame', 'read', 'segment', 'tick']);
    const flush = recorded.find((r) => r.k === 'flush');
    expect(flush?.k === 'flush' && flush.epoch === 1 && flush.r === flush.requested).toBe(true);
    const frames = recorded.filter((r) => r.k === 'frame');
    expect(frames.some((f) => f.k === 'frame' && f.segments === 2)).toBe(true); // items 1 and 2 share a frame
    expect(frames.some((f) => f.k === 'frame' && f.pad > 0)).toBe(true); // item 3's padded tail
  });

  it('is accepted by TracePlayoutCore; each corrupted copy is rejected for its property', { timeout: 120_000 }, async () => {
    const corrupted = CORE_CORRUPTIONS.map((c) => ({ c, records: c.apply(recorded) }));
    for (const { c, records } of corrupted) expect(records, `${c.name} has a place in the trace`).toBeDefined();
    const res = await checkCoreTraces(
      [{ id: 'real', records: recorded }, ...corrupted.map(({ c, records }) => ({ id: c.name, records: records ?? [] }))],
      { root: process.cwd(), java: requireJava().java, jar: ensureTlcJar() },
    );
    expect(res.rejected.get('real')).toBeUndefined();
    for (const { c } of corrupted) {
      const why = res.rejected.get(c.name)?.why ?? 'accepted';
      expect(why.startsWith(`${c.property}:`), `${c.name}: ${why}`).toBe(true);
    }
  });
});

describe("a call trace's core records (media.coreTrace)", () => {
  const tick: CoreTraceRecord = { k: 'tick', tick: 1, epoch: 0, state: 'playing', r: 0, w: 176, pending: false };
  const frame: CoreTraceRecord = { k: 'frame', tick: 1, epoch: 0, samples: 160, pad: 0, r: 176, segments: 2 };
  const seg: CoreTraceRecord = { k: 'segment', tick: 1, epoch: 0, item: 1, samples: 80, delivered: 80 };
  const ndjson = (recs: CoreTraceRecord[], seqs?: number[]): TraceRecord[] => [
    { seq: 0, t: 0, src: 'runtime', event: 'trace.start' },
    ...recs.map((r, i): TraceRecord => ({ seq: seqs?.[i] ?? i + 1, t: i, src: 'media', event: `core.${r.k}`, data: r })),
    { seq: seqs ? Math.max(...seqs) + 1 : recs.length + 1, t: 99, src: 'media', event: 'frames', data: { epoch: 0, items: [] } },
  ];

  it('are the media core.* lines, a frame cut short by the end of the call left out', () => {
    expect(coreRecordsOf(ndjson([tick, frame, seg, { ...seg, item: 2, delivered: 80 }]))).toHaveLength(4);
    expect(coreRecordsOf(ndjson([tick, frame, seg]))).toEqual([tick]);
  });

  it('are not checked when the trace lost lines (a gap would look like a step)', () => {
    expect(coreRecordsOf(ndjson([tick, frame, seg], [1, 2, 4]))).toBeUndefined();
  });
});
