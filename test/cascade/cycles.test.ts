// Issue 20 part 2: four cascade calls in a row on one process — a normal turn, a barge-in, an
// ElevenLabs failure with recovery after the cooldown probe (once per telephony protocol), then
// a call with five barge-ins — and every answer of every call must be heard (the last one was
// once never spoken: no request reached either TTS provider).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { startCascadeBridge, type CascadeBridge } from './harness.js';

const answered = (r: { turns: readonly { firstAgentAudioMs?: number }[] }) => r.turns.filter((t) => t.firstAgentAudioMs !== undefined).length;

describe('cascade failover and recovery cycles', () => {
  let bridge: CascadeBridge;
  beforeAll(async () => {
    bridge = await startCascadeBridge({ config: { tts: { failoverThreshold: 1, cooldownMs: 800 } }, elevenlabs: { speed: 2 } });
  });
  afterAll(() => bridge.close());

  it('every answer is heard after normal, barge-in, failure→recovery and five-barge-in calls', async () => {
    const normal: ScriptStep[] = [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 400 }, { kind: 'say', ms: 500 }, { kind: 'listen', quietMs: 400 }, { kind: 'hangup' }];
    expect(answered(await bridge.call('twilio', { script: normal }))).toBe(2);

    const barge: ScriptStep[] = [{ kind: 'say', ms: 600 }, { kind: 'barge', afterMs: 300, sayMs: 600 }, { kind: 'listen', quietMs: 400 }, { kind: 'hangup' }];
    expect(answered(await bridge.call('twilio', { script: barge }))).toBe(2);

    for (const protocol of ['twilio', 'audio-stream'] as const) {
      bridge.fakes.elevenlabs.arm({ kind: 'error', code: 'internal_error', afterChunks: 1 }, 'always');
      const failRecover: ScriptStep[] = [
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'silence', ms: 1200 },
        { kind: 'say', ms: 500 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'hangup' },
      ];
      const r = await bridge.call(protocol, {
        script: failRecover,
        onTimeline: (e) => {
          if (e.kind === 'agent_audio_end') bridge.fakes.elevenlabs.heal();
        },
      });
      expect(answered(r), protocol).toBe(2);
    }
    // The breaker is never left waiting on a probe no request is making (TT4).
    expect(bridge.app.cascade!.breaker.state).not.toBe('probing');
    // No ElevenLabs socket ever held more contexts than the service allows (sim-tts enforces 5).
    expect(bridge.fakes.elevenlabs.stats().contextLimitHits).toBe(0);

    const five: ScriptStep[] = [{ kind: 'say', ms: 500 }];
    for (let i = 0; i < 5; i++) five.push({ kind: 'barge', afterMs: 250, sayMs: 500 });
    five.push({ kind: 'listen', quietMs: 500 }, { kind: 'hangup' });
    const before = bridge.fakes.elevenlabs.stats().requests + bridge.fakes.openai.stats().requests;
    const last = await bridge.call('twilio', { script: five });
    const after = bridge.fakes.elevenlabs.stats().requests + bridge.fakes.openai.stats().requests;
    expect(last.bargeIns).toHaveLength(5);
    // The answer after the fifth barge-in was heard (six answers in all).
    expect(answered(last)).toBe(6);
    expect(after).toBeGreaterThan(before);
    await bridge.idle();
    expect(await bridge.metric('parley_tts_sentences_lost_total', { reason: 'both_failed' })).toBe(0);
  }, 120_000);
});
