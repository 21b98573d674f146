import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { addonMallocTrim, startMallocTrim } from '../../src/media/mallocTrim.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('periodic malloc_trim', () => {
  it('trims every period, one at a time, and stops', async () => {
    const clock = new ManualClock();
    const pending: ((released: boolean) => void)[] = [];
    const t = startMallocTrim(() => new Promise<boolean>((r) => pending.push(r)), 1000, clock);
    clock.advance(999);
    expect(t.stats.runs).toBe(0);
    clock.advance(1);
    expect(t.stats.runs).toBe(1);
    clock.advance(5000); // the first has not finished: no second one meanwhile
    expect(t.stats.runs).toBe(1);
    pending.shift()!(true);
    await flush();
    expect(t.stats.released).toBe(1);
    clock.advance(1000);
    expect(t.stats.runs).toBe(2);
    pending.shift()!(false);
    await flush();
    t.stop();
    clock.advance(10_000);
    expect(t.stats).toEqual({ runs: 2, released: 1 });
  });

  it('0 never trims', () => {
    const clock = new ManualClock();
    const t = startMallocTrim(() => Promise.resolve(true), 0, clock);
    clock.advance(1e6);
    expect(t.stats.runs).toBe(0);
  });

  it("the addon's trim runs off the JS thread and answers", async () => {
    const trim = addonMallocTrim();
    expect(trim, 'the addon is built in this tree').toBeDefined();
    expect(typeof (await trim!())).toBe('boolean');
  });
});
