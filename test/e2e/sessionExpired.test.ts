// The provider's session cap (issue 19, timeouts): the sim-agent expires the session mid-call
// (`session_expired`, then close 1001, as the 60-minute cap does); Parley reconnects with the
// conversation replayed and the call goes on — the caller's next turn is answered, the call
// ends by the caller's hang-up, and the reconnect is counted as a success.
import { describe, expect, it } from 'vitest';
import { startBridge } from './harness.js';

describe('session_expired mid-call', () => {
  it('reconnects with replay; the caller is answered after it and hangs up normally', async () => {
    const b = await startBridge({ mode: 'openai', agent: { replyMs: 500, sessionMaxMs: 1800 } });
    try {
      const report = await b.call('twilio', {
        script: [
          { kind: 'say', ms: 500 },
          { kind: 'listen', quietMs: 400 },
          { kind: 'silence', ms: 1500 },
          { kind: 'say', ms: 500 },
          { kind: 'listen', quietMs: 500 },
          { kind: 'hangup' },
        ],
      });
      await b.idle();
      expect(report.failure).toBeUndefined();
      // Both caller turns answered: the second after the reconnect.
      expect(report.turns.filter((t) => t.firstAgentAudioMs !== undefined).length).toBe(2);
      expect(await b.metric('parley_reconnects_total', { outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'hangup' })).toBe(1);
      // The new session got the conversation so far.
      const replayed = b.agent.received().filter((e) => e.type === 'conversation.item.create');
      expect(replayed.length).toBeGreaterThanOrEqual(1);
    } finally {
      await b.close();
    }
  });
});
