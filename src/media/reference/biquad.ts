// RBJ cookbook biquads, direct form I (twin of native biquad.h/.cc).
import { PI, cos, pow10, sin } from './detmath.js';

export interface BiquadCoefs {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

const IDENTITY: BiquadCoefs = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };

export function rbjLowpass(rate: number, f0: number, q: number): BiquadCoefs {
  if (!(f0 < 0.49 * rate) || !(f0 > 0)) return IDENTITY;
  const w0 = (2 * PI * f0) / rate;
  const cw = cos(w0);
  const alpha = sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  return { b0: (1 - cw) / 2 / a0, b1: (1 - cw) / a0, b2: (1 - cw) / 2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

export function rbjHighShelf(rate: number, f0: number, gainDb: number, q: number): BiquadCoefs {
  if (!(f0 < 0.49 * rate) || !(f0 > 0)) return IDENTITY;
  const A = pow10(gainDb / 40);
  const w0 = (2 * PI * f0) / rate;
  const cw = cos(w0);
  const alpha = sin(w0) / (2 * q);
  const sa = 2 * Math.sqrt(A) * alpha;
  const a0 = A + 1 - (A - 1) * cw + sa;
  return {
    b0: (A * (A + 1 + (A - 1) * cw + sa)) / a0,
    b1: (-2 * A * (A - 1 + (A + 1) * cw)) / a0,
    b2: (A * (A + 1 + (A - 1) * cw - sa)) / a0,
    a1: (2 * (A - 1 - (A + 1) * cw)) / a0,
    a2: (A + 1 - (A - 1) * cw - sa) / a0,
  };
}

export class Biquad {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  constructor(readonly c: BiquadCoefs = IDENTITY) {}
  step(x: number): number {
    const c = this.c;
    const y = c.b0 * x + c.b1 * this.x1 + c.b2 * this.x2 - c.a1 * this.y1 - c.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
  reset(): void {
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }
}
