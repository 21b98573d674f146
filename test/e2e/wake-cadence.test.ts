// media.wakeEveryTicks = 2 over a real `parley serve` with the real media engine: JS is woken every
// second tick, so each wake-up sends the frames of two ticks, with one mark after them. Every frame
// Parley sends must reach the far side (each write's mark echoed, none unknown), no item may come back
// after the next began, and no send underrun may be attributed to Parley.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { startBridge, type Bridge } from './harness.js';

const SCRIPT: readonly ScriptStep[] = [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 400 }, { kind: 'hangup' }];
const PARLEY_CAUSES = ['js_late', 'media_late', 'unattributed', 'socket_backpressure'] as const;

interface FramesData {
  readonly items: readonly string[];
}

describe('media.wakeEveryTicks = 2 (twilio, native engine)', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode: 'local', config: { media: { engine: 'native', wakeEveryTicks: 2 } } });
  });
  afterAll(() => bridge.close());

  it('every frame reaches the far side in order, two ticks per wake-up, no send underrun on Parley', async () => {
    expect(bridge.app.mediaKind).toBe('native');
    const report = await bridge.call('twilio', { script: SCRIPT });
    await bridge.idle();
    expect(report.failure).toBeUndefined();
    expect(report.framesReceived).toBeGreaterThan(20);

    // Every frame Parley sent arrived, and every write's mark came back as played: none lost, none unknown.
    expect(await bridge.metric('parley_frames_out_total', { protocol: 'twilio' })).toBe(report.framesReceived);
    expect(report.marksEchoed).toBe(report.marksSent);
    const records = [...bridge.traces().values()].flat();
    expect(records.filter((r) => r.event === 'mark.unknown')).toEqual([]);

    // The frames as Parley sent them, one trace line per wake-up: items in order, two ticks' worth per wake-up.
    const sends = records.filter((r) => r.src === 'media' && r.event === 'frames').map((r) => (r.data as unknown as FramesData).items);
    const order = sends.flat();
    expect(order).toHaveLength(report.framesReceived);
    const left = new Set<string>();
    order.forEach((item, i) => {
      if (i > 0 && order[i - 1] !== item) left.add(order[i - 1]!);
      expect(left.has(item), `item ${item} came back after the next one began (frame ${i})`).toBe(false);
    });
    expect(report.marksSent).toBe(sends.length); // one mark per write, not per frame
    const pairs = sends.filter((s) => s.length === 2).length;
    expect(pairs, `frames per wake-up: ${sends.map((s) => s.length).join(' ')}`).toBeGreaterThan(sends.length / 2);

    for (const cause of PARLEY_CAUSES) expect(await bridge.metric('parley_send_underruns_total', { cause }), cause).toBe(0);
    expect(await bridge.metric('parley_underruns_total', { cause: 'parley' })).toBe(0);
    expect(report.underruns).toBe(0);
  });
});
