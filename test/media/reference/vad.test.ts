// The reference VAD on synthetic speech-like bursts in noise: detection latency and false
// triggers (the same measurements the benchmark reports).
import { describe, expect, it } from 'vitest';
import { VAD_DEFAULTS, Vad, type VadEvent } from '../../../src/media/reference/vad.js';
import { addNoise, dbfsRms, prng, scoreVad, speechScene, toPcm } from '../../../src/media/reference/testSignals.js';

function starts(pcm: Int16Array, rate: number, chunk = 160): number[] {
  const vad = new Vad(rate, VAD_DEFAULTS);
  const ev: VadEvent[] = [];
  for (let o = 0; o < pcm.length; o += chunk) vad.process(pcm.subarray(o, o + chunk), ev);
  return ev.filter((e) => e.kind === 'speech_start').map((e) => e.at);
}

describe('reference VAD', () => {
  it.each([
    [8000, 20],
    [8000, 10],
    [16000, 10],
  ])('at %i Hz, SNR %i dB: every burst found, bounded latency, no false start', (rate, snr) => {
    const { pcm, bursts } = speechScene(rate, 20, -45, snr, rate + snr);
    const s = scoreVad(starts(pcm, rate), bursts, rate, VAD_DEFAULTS.hangoverMs);
    expect(s.detected).toBe(s.bursts);
    expect(s.falseStarts).toBe(0);
    expect(s.meanLatencyMs).toBeLessThanOrEqual(VAD_DEFAULTS.onsetMs + (snr >= 20 ? 20 : 60));
    expect(s.maxLatencyMs).toBeLessThanOrEqual(VAD_DEFAULTS.onsetMs + 250);
  });

  it('stays quiet on 60 s of stationary noise', () => {
    const buf = new Float64Array(60 * 8000);
    addNoise(buf, dbfsRms(-45), prng(1));
    expect(starts(toPcm(buf), 8000)).toEqual([]);
  });
});
