// A whole call with a barge-in, for each telephony protocol × AI mode (openai against the
// sim-agent via PARLEY_OPENAI_URL, and the embedded local agent), over real loopback sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelephonyProtocol } from '../../src/telephony/types.js';
import { BARGE_SCRIPT, providerErrors, receivedTypes, startBridge, type AiMode, type Bridge } from './harness.js';


/**
 * Truncation error bound: docs/ARCHITECTURE.md#budgets: one 20 ms mark interval / module tick, plus
 * one more for a mark echo (or frame) still in flight when speech_started arrives on a busy CI
 * machine.
 */
const TRUNCATION_BOUND_MS = 40;

const CASES: [TelephonyProtocol, AiMode][] = [
  ['twilio', 'openai'],
  ['twilio', 'local'],
  ['audio-stream', 'openai'],
  ['audio-stream', 'local'],
];

describe.concurrent.each(CASES)('%s × %s', (protocol, mode) => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode, agent: { replyMs: 1600 } });
  });
  afterAll(async () => {
    await bridge.close();
  });

  it('cuts the agent off, clears the leg, truncates at what was heard, never cancels a finished response', async () => {
    const report = await bridge.call(protocol, { script: BARGE_SCRIPT });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    // Two replies were heard (the second one cut short).
    expect(report.turns.filter((t) => t.firstAgentAudioMs !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(report.bargeIns).toHaveLength(1);
    const b = report.bargeIns[0]!;
    expect(b.clearAtMs).toBeDefined();
    expect(b.staleFramesAfterClear).toBe(0);
    expect(b.heardMs).toBeLessThan(1600);

    // The sim-agent streams 4× faster than real time: the response had finished streaming when
    // the caller spoke, so barge-in happened from "audio queued" alone (BI6) and no cancel
    // was sent for a response that was no longer active (BI2).
    expect(receivedTypes(bridge.agent, 'response.cancel')).toEqual([]);
    // The caller's own audio was never discarded (BI5).
    expect(receivedTypes(bridge.agent, 'input_audio_buffer.clear')).toEqual([]);

    const truncates = bridge.agent.stats().truncates;
    expect(truncates).toHaveLength(1);
    const t = truncates[0]!;
    expect(t.accepted).toBe(true);
    expect(t.audioEndMs).toBeLessThanOrEqual(t.sentMs);
    // mod_audio_stream plays only while it holds 60 ms: the tail of the previous reply stays
    // stranded and plays at the start of this one; the caller measured it (carriedOverMs).
    if (protocol === 'twilio') expect(b.carriedOverMs).toBe(0);
    expect(Math.abs(t.audioEndMs - (b.heardMs - b.carriedOverMs))).toBeLessThanOrEqual(TRUNCATION_BOUND_MS);

    await bridge.idle();
    expect(await bridge.metric('parley_barge_ins_total', { protocol })).toBe(1);
    expect(await bridge.metric('parley_calls_ended_total', { protocol, reason: 'hangup' })).toBe(1);
    expect(await bridge.metric('parley_calls_active')).toBe(0);
    expect(await bridge.metric('parley_cutoff_latency_seconds')).toBe(1);

    // The trace shows the barge-in as the turn machine took it.
    const [trace] = [...bridge.traces().values()];
    const step = trace!.find((r) => r.machine === 'turn' && r.event === 'SPEECH_STARTED' && r.from === 'agentSpeaking');
    expect(step?.to).toBe('interrupted.speaking');
    expect(step?.actions).toEqual(expect.arrayContaining(['requestFlush', 'sendClear', 'sendTruncate']));
    expect(step?.actions).not.toContain('sendCancel');
    expect(trace!.at(-1)?.event).toBe('trace.end');

    // A normal call: the provider fake refused nothing Parley sent.
    expect(await providerErrors(bridge)).toEqual({ sent: 0, counted: 0, codes: [] });
  });
});
