// The speaker never leaves the process's breaker waiting on a probe that can no longer report,
// and never holds a response forever on a sentence that threw (TT4 extended, issue 20 part 2):
// a throw on our side is counted (internal_error), reported to the breaker as an abort, and the
// response still ends.
import { describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { CascadeMetrics } from '../../src/ai/cascade/metrics.js';
import { Speaker } from '../../src/ai/cascade/speaker.js';
import type { TtsProvider, TtsRequest } from '../../src/ai/cascade/tts/types.js';

function provider(name: 'elevenlabs' | 'openai', synth: (r: TtsRequest) => Promise<import('../../src/ai/cascade/tts/types.js').TtsOutcome>): TtsProvider {
  return { name, voice: 'v', model: 'm', rate: 16000, synthesize: synth, endTurn: () => {}, close: () => {} };
}

describe('speaker safety', () => {
  it('a probe that throws frees the breaker (halfOpen, not probing), counts the sentence and ends the response', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const breaker = new TtsBreaker({ threshold: 1, cooldownMs: 10 });
    breaker.report({ kind: 'failed', code: 'x', message: '', bytes: 0 }, false);
    await new Promise((r) => setTimeout(r, 30));
    expect(breaker.state).toBe('halfOpen');
    const registry = new Registry();
    const metrics = new CascadeMetrics(registry);
    const spoken: string[] = [];
    const speaker = new Speaker({
      primary: provider('elevenlabs', () => Promise.reject(new Error('boom'))),
      fallback: provider('openai', async (r) => {
        r.onChunk({ pcm: Buffer.alloc(320), rate: 16000 });
        return { kind: 'ok', bytes: 320 };
      }),
      breaker,
      cache: new TtsCache({ maxBytes: 1 << 20, maxCallBytes: 1 << 20, ttlMs: 60_000 }),
      owner: 'c',
      out: new TtsAudioOut({ codec: 'pcm16', rate: 16000 }, 'js'),
      metrics,
      onAudio: () => {},
      onResponseSpoken: (id) => spoken.push(id),
    });
    speaker.open('r1');
    speaker.enqueue({ responseId: 'r1', text: 'Probe sentence.', seq: 0 });
    speaker.enqueue({ responseId: 'r1', text: 'Next sentence.', seq: 1 });
    speaker.end('r1');
    for (let i = 0; i < 50 && spoken.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(spoken).toEqual(['r1']);
    // The probe threw → reported as an aborted probe → halfOpen; the next sentence probed again
    // (and threw again): the breaker is never left in 'probing' with no probe in flight.
    expect(breaker.state).toBe('halfOpen');
    const lost = (await registry.getSingleMetric('parley_tts_sentences_lost_total')!.get()).values.find((v) => v.labels['reason'] === 'internal_error')?.value;
    expect(lost).toBe(2);
    breaker.stop();
    speaker.stop();
  });
});
