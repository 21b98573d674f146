// Speech-like synthesis for the simulators: syllables of a glottal pulse train shaped by three
// formant resonators (vowels), with a pitch contour and an amplitude envelope, separated by short
// gaps. It is not speech, but it has speech's level, rhythm and spectrum, which is what energy
// VADs, codecs and listeners of the recorded WAVs care about. Deterministic for a given seed.

/** Small deterministic PRNG (mulberry32). */
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

/** F1, F2, F3 (Hz) of a few vowels. */
const VOWELS: readonly (readonly [number, number, number])[] = [
  [730, 1090, 2440], // a
  [530, 1840, 2480], // e
  [270, 2290, 3010], // i
  [570, 840, 2410], // o
  [300, 870, 2240], // u
  [660, 1720, 2410], // æ
];

export interface VoiceOptions {
  readonly sampleRate: number;
  /** Mean pitch in Hz (caller 190, agent 120 by default). */
  readonly pitchHz?: number;
  /** RMS level of each syllable in dBFS (default −20). */
  readonly levelDbfs?: number;
  readonly seed?: number;
  /** Sing a melody (agent) instead of a falling speech contour (caller). */
  readonly melodic?: boolean;
}

/** A continuous voice: `render(n)` returns the next n samples, syllable after syllable. */
export class Voice {
  private readonly rate: number;
  private readonly pitch: number;
  private readonly targetRms: number;
  private readonly melodic: boolean;
  private readonly rnd: () => number;
  private buf: Int16Array = new Int16Array(0);
  private pos = 0;
  private note = 0;

  constructor(options: VoiceOptions) {
    this.rate = options.sampleRate;
    this.pitch = options.pitchHz ?? (options.melodic ? 120 : 190);
    this.targetRms = 32768 * 10 ** ((options.levelDbfs ?? -20) / 20);
    this.melodic = options.melodic ?? false;
    this.rnd = prng(options.seed ?? 1);
  }

  render(n: number): Int16Array {
    const out = new Int16Array(n);
    let i = 0;
    while (i < n) {
      if (this.pos >= this.buf.length) {
        this.buf = this.syllable();
        this.pos = 0;
      }
      const take = Math.min(n - i, this.buf.length - this.pos);
      out.set(this.buf.subarray(this.pos, this.pos + take), i);
      this.pos += take;
      i += take;
    }
    return out;
  }

  /** One syllable (voiced part normalised to the target RMS) followed by its gap. */
  private syllable(): Int16Array {
    const r = this.rnd;
    const len = Math.round(this.rate * (0.12 + r() * 0.16));
    const gap = Math.round(this.rate * (0.03 + r() * 0.06));
    let f0: number;
    let f0End: number;
    if (this.melodic) {
      const scale = [0, 2, 4, 5, 7, 9, 7, 4];
      f0 = this.pitch * 2 ** (scale[this.note++ % scale.length]! / 12);
      f0End = f0;
    } else {
      f0 = this.pitch * (0.9 + r() * 0.25);
      f0End = f0 * (0.8 + r() * 0.1);
    }
    const vowel = VOWELS[Math.floor(r() * VOWELS.length)]!;
    const res = vowel.map((f, k) => {
      const rr = Math.exp((-Math.PI * (60 + 40 * k)) / this.rate);
      return { b1: 2 * rr * Math.cos((2 * Math.PI * Math.min(f, this.rate * 0.45)) / this.rate), b2: -rr * rr, y1: 0, y2: 0 };
    });
    const x = new Float64Array(len + gap);
    let phase = 0;
    for (let t = 0; t < x.length; t++) {
      let v = 0;
      if (t < len) {
        const frac = t / len;
        phase += (f0 + (f0End - f0) * frac) / this.rate;
        if (phase >= 1) {
          phase -= 1;
          v = Math.min(1, frac * 8) * Math.min(1, (1 - frac) * 5);
        }
      }
      for (const q of res) {
        const y = v + q.b1 * q.y1 + q.b2 * q.y2;
        q.y2 = q.y1;
        q.y1 = y;
        v = y;
      }
      x[t] = v;
    }
    let sum = 0;
    for (let t = 0; t < len; t++) sum += x[t]! * x[t]!;
    const gain = sum > 0 ? this.targetRms / Math.sqrt(sum / len) : 0;
    const out = new Int16Array(x.length);
    for (let t = 0; t < x.length; t++) out[t] = Math.max(-32767, Math.min(32767, Math.round(x[t]! * gain)));
    return out;
  }
}

/** `ms` of speech-like audio at `sampleRate`. */
export function speech(ms: number, options: VoiceOptions): Int16Array {
  return new Voice(options).render(Math.round((ms * options.sampleRate) / 1000));
}
