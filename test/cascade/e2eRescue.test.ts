// Issue 20 part 1 end to end: `parley serve` in cascade mode, ElevenLabs sending ~120 ms of each
// sentence then an internal error and close 1011, on Twilio and on audio-stream: the caller hears
// every sentence (≥ 95 % of the answer), OpenAI TTS is asked during the failure (not after the
// breaker opens), and no sentence is counted lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { heardRuns, startCascadeBridge, type CascadeBridge } from './harness.js';

const MS_PER_CHAR = 25;
const REPLY = ['Thanks for calling Parley, caller {n}.', 'This is the simulated agent speaking.', 'How can I help you today?'];

describe.concurrent.each(['twilio', 'audio-stream'] as const)('ElevenLabs failing mid-sentence (%s)', (protocol) => {
  let bridge: CascadeBridge;
  beforeAll(async () => {
    bridge = await startCascadeBridge({ config: { tts: { failoverThreshold: 3, cooldownMs: 600_000 } }, elevenlabs: { chunkMs: 40 } });
  });
  afterAll(() => bridge.close());

  it('every sentence is heard: the fallback re-says each at once', async () => {
    bridge.fakes.elevenlabs.arm({ kind: 'error', code: 'internal_error', afterChunks: 3 }, 'always');
    const script: ScriptStep[] = [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 600 }, { kind: 'hangup' }];
    const report = await bridge.call(protocol, { script, ...(protocol === 'audio-stream' ? { sampleRate: 16000 as const } : {}) });
    expect(report.ok).toBe(true);
    const expectedMs = REPLY.map((s) => [...s.replace('{n}', '1')].filter((c) => c.trim()).length * MS_PER_CHAR).reduce((a, x) => a + x, 0);
    const heardMs = heardRuns(report.wavPath!).reduce((a, r) => a + r.ms, 0);
    expect(heardMs).toBeGreaterThanOrEqual(expectedMs * 0.95);
    // Repeats stay within the stated bound: the primary's 120 ms per sentence (+ run-edge slack).
    expect(heardMs).toBeLessThanOrEqual(expectedMs + 3 * 120 + 150);
    await bridge.idle();
    expect(bridge.fakes.openai.stats().requests).toBe(3);
    expect(await bridge.metric('parley_tts_failovers_total')).toBe(3);
    expect(await bridge.metric('parley_tts_sentences_lost_total')).toBe(0);
    console.log(`${protocol}: heard ${heardMs.toFixed(0)} ms of a ${expectedMs} ms answer`);
  });
});
