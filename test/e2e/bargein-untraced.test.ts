// The barge-in of bargein.test.ts with tracing off, as production runs: echoed marks are then
// coalesced into the turn machine (src/session/markEchoes.ts) and the truncate must still land
// within the bound of what the caller heard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BARGE_SCRIPT, receivedTypes, startBridge, type Bridge } from './harness.js';

/** As in bargein.test.ts: one 20 ms mark interval plus one echo in flight on a busy machine. */
const TRUNCATION_BOUND_MS = 40;

describe('barge-in with tracing off (coalesced mark echoes), twilio × openai', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode: 'openai', agent: { replyMs: 1600 }, config: { traceDir: undefined } });
  });
  afterAll(async () => {
    await bridge.close();
  });

  it('truncates at what was heard', async () => {
    const report = await bridge.call('twilio', { script: BARGE_SCRIPT });
    expect(report.failure).toBeUndefined();
    expect(report.bargeIns).toHaveLength(1);
    const b = report.bargeIns[0]!;
    expect(b.staleFramesAfterClear).toBe(0);
    expect(receivedTypes(bridge.agent, 'response.cancel')).toEqual([]);
    const truncates = bridge.agent.stats().truncates;
    expect(truncates).toHaveLength(1);
    const t = truncates[0]!;
    expect(t.accepted).toBe(true);
    expect(Math.abs(t.audioEndMs - (b.heardMs - b.carriedOverMs))).toBeLessThanOrEqual(TRUNCATION_BOUND_MS);
    await bridge.idle();
    // Nothing was traced: this run took the coalescing path.
    expect(bridge.traces().size).toBe(0);
  });
});
