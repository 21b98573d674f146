// Deterministic test signals and measurements for the DSP tests and the media benchmark:
// a seeded PRNG, Gaussian noise, tones, chirps, speech-like bursts (voiced harmonic complex
// with a 4 Hz syllabic envelope), and a least-squares sine fit.

/** Mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a uniform source. */
export function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** RMS amplitude of a level in dBFS (0 dBFS = full-scale square wave, RMS 32768). */
export const dbfsRms = (db: number): number => 32768 * 10 ** (db / 20);

export function toPcm(x: Float64Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]!)));
  return out;
}

export function tone(rate: number, freq: number, amp: number, n: number, phase = 0): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate + phase));
  return out;
}

export function addNoise(buf: Float64Array, rms: number, rnd: () => number): void {
  const g = gaussian(rnd);
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! + rms * g();
}

/** Adds a speech-like burst of RMS `rms` at [start, start+len). */
export function addSpeech(buf: Float64Array, rate: number, start: number, len: number, rms: number, rnd: () => number): void {
  const f0 = 100 + 120 * rnd();
  const sylPhase = 0.3 * rnd();
  const s = new Float64Array(len);
  let ph = 0;
  let energy = 0;
  for (let i = 0; i < len; i++) {
    const t = i / rate;
    const f = f0 * (1 + 0.03 * Math.sin(2 * Math.PI * 5 * t));
    ph += (2 * Math.PI * f) / rate;
    let v = 0;
    for (let k = 1; k * f0 < 3400; k++) v += Math.sin(k * ph) / k;
    const attack = Math.min(1, t / 0.02);
    const syllable = 0.6 + 0.4 * Math.cos(2 * Math.PI * (4 * t + sylPhase));
    s[i] = v * attack * syllable;
    energy += s[i]! * s[i]!;
  }
  const g = rms / Math.sqrt(energy / len);
  for (let i = 0; i < len; i++) buf[start + i] = buf[start + i]! + g * s[i]!;
}

export interface Burst {
  readonly start: number;
  readonly len: number;
}

/** 2 s of noise, then `count` bursts of 0.4-1.5 s separated by 0.8-2 s of noise. */
export function speechScene(rate: number, count: number, noiseDbfs: number, snrDb: number, seed: number): { pcm: Int16Array; bursts: Burst[] } {
  const rnd = prng(seed);
  const bursts: Burst[] = [];
  let pos = 2 * rate;
  for (let i = 0; i < count; i++) {
    const len = Math.floor((0.4 + 1.1 * rnd()) * rate);
    bursts.push({ start: pos, len });
    pos += len + Math.floor((0.8 + 1.2 * rnd()) * rate);
  }
  const buf = new Float64Array(pos);
  for (const b of bursts) addSpeech(buf, rate, b.start, b.len, dbfsRms(noiseDbfs + snrDb), rnd);
  addNoise(buf, dbfsRms(noiseDbfs), rnd);
  return { pcm: toPcm(buf), bursts };
}

export interface VadScore {
  readonly bursts: number;
  readonly detected: number;
  readonly falseStarts: number;
  readonly meanLatencyMs: number;
  readonly maxLatencyMs: number;
}

/** Matches speech_start events to bursts: latency from burst start, false starts outside. */
export function scoreVad(starts: readonly number[], bursts: readonly Burst[], rate: number, hangoverMs: number): VadScore {
  const used = new Set<number>();
  let total = 0;
  let max = 0;
  let detected = 0;
  for (const b of bursts) {
    const i = starts.findIndex((at, j) => !used.has(j) && at >= b.start && at < b.start + b.len);
    if (i < 0) continue;
    used.add(i);
    const ms = ((starts[i]! - b.start) * 1000) / rate;
    total += ms;
    max = Math.max(max, ms);
    detected++;
  }
  const tail = ((hangoverMs + 100) * rate) / 1000;
  const falseStarts = starts.filter((at, j) => !used.has(j) && !bursts.some((b) => at >= b.start && at < b.start + b.len + tail)).length;
  return { bursts: bursts.length, detected, falseStarts, meanLatencyMs: detected ? total / detected : 0, maxLatencyMs: max };
}

export interface SineFit {
  readonly amplitude: number;
  readonly phase: number;
  readonly residualRms: number;
}

/** Least-squares fit of a*cos + b*sin + c at `freq` over y[first, first+count). */
export function fitSine(y: ArrayLike<number>, first: number, count: number, freq: number, rate: number): SineFit {
  const w = (2 * Math.PI * freq) / rate;
  let cc = 0, ss = 0, cs = 0, c1 = 0, s1 = 0, yc = 0, ys = 0, y1 = 0;
  for (let i = 0; i < count; i++) {
    const c = Math.cos(w * i), s = Math.sin(w * i), v = y[first + i]!;
    cc += c * c; ss += s * s; cs += c * s; c1 += c; s1 += s; yc += v * c; ys += v * s; y1 += v;
  }
  const n = count;
  const det = cc * (ss * n - s1 * s1) - cs * (cs * n - s1 * c1) + c1 * (cs * s1 - ss * c1);
  const a = (yc * (ss * n - s1 * s1) - cs * (ys * n - s1 * y1) + c1 * (ys * s1 - ss * y1)) / det;
  const b = (cc * (ys * n - s1 * y1) - yc * (cs * n - s1 * c1) + c1 * (cs * y1 - ys * c1)) / det;
  const d = (cc * (ss * y1 - ys * s1) - cs * (cs * y1 - ys * c1) + yc * (cs * s1 - ss * c1)) / det;
  let err = 0;
  for (let i = 0; i < count; i++) {
    const e = y[first + i]! - (a * Math.cos(w * i) + b * Math.sin(w * i) + d);
    err += e * e;
  }
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(-b, a), residualRms: Math.sqrt(err / n) };
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);
