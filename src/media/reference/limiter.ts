// Peak limiter (instant attack, exponential release) and the C1 soft clipper (twins of
// native limiter.h).
import { dbToGain, exp } from './detmath.js';
import { saturateRound } from './sample.js';

export class PeakLimiter {
  readonly ceiling: number;
  private readonly release: number;
  private env = 0;
  constructor(rate: number, ceilingDbfs: number, releaseMs: number) {
    this.ceiling = 32768 * dbToGain(ceilingDbfs);
    this.release = exp(-1 / ((releaseMs * rate) / 1000));
  }
  process(x: Int16Array): void {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const a = v < 0 ? -v : v;
      const decayed = this.env * this.release;
      this.env = a > decayed ? a : decayed;
      if (this.env > this.ceiling) x[i] = saturateRound(v * (this.ceiling / this.env));
    }
  }
  reset(): void {
    this.env = 0;
  }
}

export const SOFT_CLIP_CAP = 0.999;

export class SoftClipper {
  private readonly thr: number;
  private readonly knee: number;
  constructor(threshold = 0.85) {
    this.thr = threshold > 1 ? 1 : threshold < 0.01 ? 0.01 : threshold;
    this.knee = 3 * (1 - this.thr);
  }
  /** v normalised to full scale 1.0. */
  clip(v: number): number {
    const a = v < 0 ? -v : v;
    if (a <= this.thr) return v;
    let y = SOFT_CLIP_CAP;
    if (this.knee > 0) {
      const o = (a - this.thr) / this.knee;
      if (o < 1) {
        const r = 1 - o;
        y = this.thr + (1 - this.thr) * (1 - r * r * r);
      } else {
        y = 1;
      }
    }
    if (y > SOFT_CLIP_CAP) y = SOFT_CLIP_CAP;
    return v < 0 ? -y : y;
  }
  process(x: Int16Array): void {
    for (let i = 0; i < x.length; i++) x[i] = saturateRound(this.clip(x[i]! / 32768) * 32768);
  }
}
