// TT2 at the converter: each chunk is resampled from the rate it was produced at, through the
// media engine's resampler (native DspResampler or the TypeScript reference, identical output),
// so a 440 Hz tone from a 16 kHz provider and from a 24 kHz provider both play at 440 Hz.
import { describe, expect, it } from 'vitest';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { createResampler } from '../../src/ai/cascade/resample.js';
import { ULAW_TABLE } from '../../src/media/reference/g711.js';
import type { AudioFormat } from '../../src/media/types.js';
import { frequency } from './signal.js';

function tone(hz: number, rate: number, ms: number): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return Buffer.from(pcm.buffer);
}

function samples(bytes: Buffer, f: AudioFormat): Int16Array {
  if (f.codec === 'pcm16') return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Int16Array.from(bytes, (c) => ULAW_TABLE[c]!);
}

const TARGETS: AudioFormat[] = [
  { codec: 'pcm16', rate: 24000 },
  { codec: 'mulaw', rate: 8000 },
];

describe.each(['native', 'js'] as const)('TtsAudioOut (%s resampler)', (kind) => {
  it.each(TARGETS)('keeps pitch and duration for every provider rate → %o', (target) => {
    for (const rate of [8000, 16000, 24000, 48000]) {
      const out = new TtsAudioOut(target, kind);
      const parts: Buffer[] = [];
      // In 20 ms chunks, as a provider streams them.
      const src = tone(440, rate, 1000);
      const chunk = (rate / 50) * 2;
      for (let i = 0; i < src.length; i += chunk) parts.push(out.convert(src.subarray(i, i + chunk), rate));
      parts.push(out.end());
      const pcm = samples(Buffer.concat(parts), target);
      expect(Math.abs(pcm.length - target.rate)).toBeLessThanOrEqual(target.rate / 100 + 64); // 1 s of audio
      expect(frequency(pcm, target.rate)).toBeCloseTo(440, -1);
    }
  });

  it('a change of provider mid-stream resamples each chunk from its own rate (failover, TT2)', () => {
    const target: AudioFormat = { codec: 'pcm16', rate: 24000 };
    const out = new TtsAudioOut(target, kind);
    const a = samples(Buffer.concat([out.convert(tone(440, 16000, 500), 16000)]), target);
    const b = samples(Buffer.concat([out.convert(tone(440, 24000, 500), 24000), out.end()]), target);
    expect(frequency(a, 24000)).toBeCloseTo(440, -1);
    expect(frequency(b, 24000)).toBeCloseTo(440, -1);
    // The 16 kHz filter's tail came out before the 24 kHz audio: nothing lost.
    expect(a.length + b.length).toBeGreaterThanOrEqual(24000 - 2);
    expect(out.sourceRate).toBeUndefined();
  });

  it('reset drops the filter state (barge-in): nothing of the old audio comes out after it', () => {
    const out = new TtsAudioOut({ codec: 'pcm16', rate: 24000 }, kind);
    out.convert(tone(440, 16000, 200), 16000);
    out.reset();
    expect(out.end().length).toBe(0);
  });
});

describe('resampler choice', () => {
  it('native and reference resamplers produce the same samples', () => {
    const src = new Int16Array(tone(300, 16000, 300).buffer.slice(0));
    const n = createResampler(16000, 24000, 'native');
    const j = createResampler(16000, 24000, 'js');
    expect(n.kind).toBe('native'); // the addon is built in CI (npm ci) and here
    const a = [...n.process(src), ...n.drain()];
    const b = [...j.process(src), ...j.drain()];
    expect(a).toEqual(b);
  });
});
