// The provider's recoverable errors, end to end: the Realtime API keeps the session open after
// most `error` events ("most errors are recoverable and the session will stay open"), so an
// error on a socket that stays open must not cost the call its connection and its conversation.
import { describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { startBridge } from './harness.js';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const TWO_TURNS: readonly ScriptStep[] = [
  { kind: 'say', ms: 700 },
  { kind: 'listen', quietMs: 400 },
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 400 },
  { kind: 'hangup' },
];

describe.concurrent('a recoverable provider error on an open socket', () => {
  for (const code of ['server_error', 'rate_limit_exceeded']) {
    it(`${code} mid-call: no reconnect, the next reply plays on the same connection`, async () => {
      const b = await startBridge({ mode: 'openai', config: { reconnect: { delaysMs: [50], jitter: 0 } }, agent: { replyMs: 800 } });
      try {
        const done = b.call('twilio', { script: TWO_TURNS });
        await until(() => b.agent.connections().length === 1);
        // After the first reply has started streaming: the error, and the socket stays open.
        const errorType = code === 'rate_limit_exceeded' ? 'rate_limit_error' : 'server_error';
        b.agent.inject({ kind: 'error', code, errorType, close: false, afterDeltas: 3 }, b.agent.connections()[0]!.id);
        const report = await done;
        expect(report.failure).toBeUndefined();
        expect(report.turns[1]?.firstAgentAudioMs).toBeDefined();
        await b.idle();
        expect(b.agent.stats().connections).toBe(1);
        expect(b.agent.stats().errorsSent).toBeGreaterThanOrEqual(1);
        // Both replies were asked for and answered on the one connection.
        const connIds = new Set(b.agent.received().map((e) => e.connId));
        expect(connIds.size).toBe(1);
        expect(await b.metric('parley_reconnects_total', { outcome: 'attempt' })).toBe(0);
        expect(await b.metric('parley_ai_errors_total', { kind: 'retryable' })).toBe(1);
        expect(await b.metric('parley_calls_ended_total', { reason: 'hangup' })).toBe(1);
        const [trace] = [...b.traces().values()];
        const link = trace!.filter((r) => r.machine === 'aiLink' && r.from !== undefined && r.from !== r.to).map((r) => r.to);
        expect(link).toEqual(['connecting', 'open', 'stopped']);
      } finally {
        await b.close();
      }
    });
  }
});
