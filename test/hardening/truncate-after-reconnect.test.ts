// Found by the chaos bench: after the AI link was replaced (drop → reconnect), a barge-in over
// audio that the earlier connection had sent made Parley truncate that item on the new
// connection, which has never heard of it (the provider answers item_truncate_invalid_item_id).
// The truncate must only go to the connection that produced the item.
import { describe, expect, it } from 'vitest';
import { startBridge } from '../e2e/harness.js';

describe('truncate after a reconnect', () => {
  it('is not sent for an item of an earlier connection', async () => {
    const b = await startBridge({
      mode: 'openai',
      config: { reconnect: { delaysMs: [20] } },
      // Every connection drops after five deltas (0.5 s of audio, sent at 4x real time).
      agent: { replyMs: 2400, faults: [{ kind: 'drop', afterDeltas: 5 }] },
    });
    try {
      const report = await b.call('twilio', {
        script: [
          { kind: 'say', ms: 700 },
          { kind: 'barge', afterMs: 200, sayMs: 700, timeoutMs: 8000 },
          { kind: 'silence', ms: 800 },
          { kind: 'hangup' },
        ],
      });
      expect(report.bargeIns.length).toBe(1);
      const truncates = b.agent.stats().truncates;
      const crossed = truncates.filter((t) => !t.itemId.startsWith(`item_${t.connId}_`));
      expect(crossed).toEqual([]);
      expect(truncates.filter((t) => !t.accepted)).toEqual([]);
      // The barge-in happened on the second connection, over the first one's audio.
      expect(b.agent.stats().connections).toBeGreaterThanOrEqual(2);
    } finally {
      await b.close();
    }
  });
});
