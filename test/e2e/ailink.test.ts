// The AI side misbehaving, end to end: a barge-in while the response is still streaming (deltas
// keep arriving after speech_started), a dropped connection mid-response with reconnect and
// replay, a fatal error, and a link that cannot come back.
import { describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { BARGE_SCRIPT, providerErrors, receivedTypes, startBridge, type Bridge } from './harness.js';

/** Runs `body` against a fresh bridge and always closes it. */
async function withBridge(opts: Parameters<typeof startBridge>[0], body: (b: Bridge) => Promise<void>): Promise<void> {
  const b = await startBridge(opts);
  try {
    await body(b);
  } finally {
    await b.close();
  }
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.concurrent('AI link, end to end', () => {
  it('barge-in while the response streams: one cancel, late deltas dropped, nothing stale heard', async () => {
    // Real-time streaming plus 250 ms of network delay on every agent event: when
    // speech_started reaches Parley the response is still active and more deltas are already
    // on their way behind it.
    await withBridge({ mode: 'openai', agent: { replyMs: 2000, speed: 1, faults: [{ kind: 'delay', ms: 250 }] } }, async (b) => {
      const report = await b.call('twilio', { script: BARGE_SCRIPT });
      expect(report.failure).toBeUndefined();
      const barge = report.bargeIns[0]!;
      expect(barge.clearAtMs).toBeDefined();
      expect(barge.staleFramesAfterClear).toBe(0);
      // Exactly one cancel, for the response that was active (BI2).
      expect(receivedTypes(b.agent, 'response.cancel')).toHaveLength(1);
      expect(b.agent.stats().responsesCancelled).toBe(1);
      await b.idle();
      // Deltas of the cancelled response arrived after the barge-in and were dropped (BI1).
      expect(await b.metric('parley_drops_total', { reason: 'cancelled_response' })).toBeGreaterThan(0);
      const [trace] = [...b.traces().values()];
      const step = trace!.find((r) => r.machine === 'turn' && r.event === 'SPEECH_STARTED' && r.from === 'agentSpeaking');
      expect(step?.actions).toEqual(expect.arrayContaining(['requestFlush', 'sendClear', 'sendCancel', 'sendTruncate']));
      const stale = trace!.filter((r) => r.machine === 'turn' && r.event === 'AUDIO_DELTA' && r.seq > step!.seq);
      expect(stale.some((r) => r.actions?.includes('dropStaleAudio'))).toBe(true);
      expect(stale.some((r) => r.actions?.includes('enqueueAudio') && (r.data as { responseId: string }).responseId === (step!.ctx as { cancelledResponse: string }).cancelledResponse)).toBe(false);
      // No fault but network delay: the cancel and truncate were accepted, nothing refused.
      expect(await providerErrors(b)).toEqual({ sent: 0, counted: 0, codes: [] });
    });
  });

  it('reconnects after the AI drops mid-response, replays the session, and the call goes on', async () => {
    await withBridge({ mode: 'openai', config: { reconnect: { delaysMs: [100], jitter: 0 } }, agent: { replyMs: 1600 } }, async (b) => {
      const script: ScriptStep[] = [
        { kind: 'say', ms: 700 },
        { kind: 'listen', quietMs: 500 },
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 300 },
        { kind: 'hangup' },
      ];
      const done = b.call('twilio', { script });
      await until(() => b.agent.connections().length === 1);
      b.agent.inject({ kind: 'drop', afterDeltas: 3 }, b.agent.connections()[0]!.id);
      const report = await done;
      expect(report.failure).toBeUndefined();
      // The first reply was cut by the drop; the second, on the new connection, was heard.
      expect(report.turns[1]?.firstAgentAudioMs).toBeDefined();
      expect(b.agent.stats().connections).toBe(2);
      const updates = b.agent.received().filter((e) => e.type === 'session.update');
      expect(new Set(updates.map((e) => e.connId)).size).toBe(2);
      // Caller audio flowed on the new connection.
      const second = b.agent.received().filter((e) => e.connId === updates[1]!.connId);
      expect(second.some((e) => e.type === 'input_audio_buffer.append')).toBe(true);
      await b.idle();
      expect(await b.metric('parley_reconnects_total', { outcome: 'attempt' })).toBe(1);
      expect(await b.metric('parley_reconnects_total', { outcome: 'success' })).toBe(1);
      expect(await b.metric('parley_calls_ended_total', { reason: 'hangup' })).toBe(1);
      const [trace] = [...b.traces().values()];
      const link = trace!.filter((r) => r.machine === 'aiLink' && r.from !== undefined && r.from !== r.to).map((r) => r.to);
      expect(link).toEqual(['connecting', 'open', 'backoff', 'connecting', 'open', 'stopped']);
    });
  });

  it('a fatal AI error: no reconnect, the caller hears the notice, the call ends cleanly', async () => {
    await withBridge({ mode: 'local', agent: { replyMs: 1600 } }, async (b) => {
      const done = b.call('twilio', {
        script: [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 300 }, { kind: 'silence', ms: 5000 }, { kind: 'hangup' }],
    });
    await until(() => b.agent.connections().length === 1);
    b.agent.inject({ kind: 'error', code: 'invalid_api_key', close: true }, b.agent.connections()[0]!.id);
    const report = await done;
    // Parley ended the call (the script never reached its hangup).
    expect(report.failure).toMatch(/server closed the call \(1000\)/);
    // The give-up notice (three beeps, about 1 s) was heard before the close.
    expect(report.heardMs).toBeGreaterThanOrEqual(900);
    await b.idle();
    expect(b.agent.stats().connections).toBe(1);
    expect(await b.metric('parley_reconnects_total', { outcome: 'attempt' })).toBe(0);
    expect(await b.metric('parley_reconnects_total', { outcome: 'gave_up' })).toBe(1);
    expect(await b.metric('parley_calls_ended_total', { reason: 'ai_gave_up' })).toBe(1);
    expect(await b.metric('parley_ai_errors_total', { kind: 'fatal' })).toBeGreaterThanOrEqual(1);
    });
  });

  it('gives up after the configured attempts when the AI cannot be reached again', async () => {
    await withBridge({ mode: 'openai', config: { reconnect: { attempts: 2, delaysMs: [50, 100], jitter: 0 } } }, async (b) => {
      const done = b.call('twilio', { script: [{ kind: 'silence', ms: 8000 }, { kind: 'hangup' }] });
      await until(() => b.agent.connections().length === 1);
      await b.agent.close(); // the AI is gone for good: reconnects are refused
      const report = await done;
      expect(report.failure).toMatch(/server closed the call \(1000\)/);
      await b.idle();
      expect(await b.metric('parley_reconnects_total', { outcome: 'attempt' })).toBe(2);
      expect(await b.metric('parley_reconnects_total', { outcome: 'success' })).toBe(0);
      expect(await b.metric('parley_calls_ended_total', { reason: 'ai_gave_up' })).toBe(1);
      // Caller audio of the gap was dropped and counted, never sent out of order.
      expect(await b.metric('parley_drops_total', { reason: 'reconnect_gap' })).toBeGreaterThan(0);
    });
  });
});
