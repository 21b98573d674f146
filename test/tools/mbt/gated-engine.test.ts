// The MBT harness's view of the media core's trace mode: the runtime takes the core's records on
// every wake-up (session/in/media.ts writes them into the call trace), and the harness must still
// see every record from the call's first tick — a record taken by the runtime and lost to the
// harness would make the checked trace start mid-behaviour (TracePlayoutCore rejects it for PL1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeMediaEngine, type CallMediaConfig } from '../../../src/media/index.js';
import { GatedEngine } from '../../../src/tools/mbt/sut/gatedEngine.js';
import { taggedMulaw, untilTick } from '../../media/engine-helpers.js';

const MULAW: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } };
const FRAME = 160;

let engine: GatedEngine;
beforeAll(() => {
  engine = new GatedEngine(new NativeMediaEngine({ tickMs: 2, maxCalls: 2 }));
});
afterAll(async () => {
  await engine.close();
});

describe('GatedEngine core traces', () => {
  it('keeps the records the runtime took: the trace starts at the first tick with nothing read', async () => {
    engine.open(MULAW);
    const call = engine.calls.at(-1)!;
    expect(call.tracing).toBe(true);
    call.writePlayout(taggedMulaw(1, 6 * FRAME), { epoch: 0, item: 1 });
    call.setState('playing');
    // JS late to its first wake-up, as under CI load: the media thread (2 ms ticks) has emitted
    // frames before any drain handed JS the records of those ticks.
    for (const until = Date.now() + 20; Date.now() < until; );
    const takenByRuntime: unknown[] = [];
    let frames = 0;
    // What session/in/media.ts does on each wake-up: read the frames, take the core's records.
    // (untilTick also asks once before any wake-up, when no drain has delivered records yet: go
    // on until the runtime has taken some, as it would at its next wake-up.)
    await untilTick(engine, () => {
      frames += call.readPlayout().length;
      takenByRuntime.push(...call.takeTrace());
      return frames >= 3 && takenByRuntime.length > 0;
    });
    call.setState('closed');
    await call.close();
    const seen = call.coreTrace();
    expect(takenByRuntime.length).toBeGreaterThan(0);
    // The runtime still gets its records; the harness sees them too, in order, plus the rest.
    expect(seen.slice(0, takenByRuntime.length)).toEqual(takenByRuntime);
    const first = seen[0];
    expect(first?.k).toBe('tick');
    expect(first?.k === 'tick' ? first.r : -1).toBe(0);
    expect(seen.filter((r) => r.k === 'frame').length).toBeGreaterThanOrEqual(3);
  });
});
