// Design of the polyphase Kaiser windowed-sinc filter: the twin of
// native/src/core/dsp/resampler_design.cc (same operations, same integer coefficients).
import { PI, besselI0, exp2, log2, sin } from './detmath.js';

/** 'voice': stopband from 0.55 x the lower rate (alias-free passband); 'strict': from 0.50 x. */
export type ResamplerQuality = 'voice' | 'strict';

export const COEF_SCALE = 1073741824; // 2^30

export interface ResamplerDesign {
  readonly inRate: number;
  readonly outRate: number;
  readonly up: number; // L
  readonly down: number; // M
  readonly taps: number; // per phase, multiple of 8
  readonly delayUp: number; // D, at rate L*in
  readonly passEdgeHz: number;
  readonly stopEdgeHz: number;
  readonly designAttenDb: number;
  readonly beta: number;
  /** coefs[p * taps + k], each phase reversed; integers scaled by 2^30. */
  readonly coefs: Float64Array;
  /** Per phase: index of the single 2^30 tap if the phase is a pure delay, else -1. */
  readonly identityTap: Int32Array;
}

const TARGET_ATTEN_DB = 88;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);
const kaiserOrder = (atten: number, dw: number): number => (atten - 7.95) / (2.285 * 2 * PI * dw);
const kaiserAtten = (order: number, dw: number): number => 2.285 * 2 * PI * dw * order + 7.95;

function kaiserBeta(atten: number): number {
  if (atten > 50) return 0.1102 * (atten - 8.7);
  if (atten >= 21) {
    const a = atten - 21;
    return 0.5842 * exp2(0.4 * log2(a)) + 0.07886 * a;
  }
  return 0;
}

export function designResampler(inRate: number, outRate: number, quality: ResamplerQuality = 'voice'): ResamplerDesign {
  if (!(inRate > 0 && outRate > 0 && Number.isInteger(inRate) && Number.isInteger(outRate)))
    throw new RangeError(`resampler: rates must be positive integers (got ${inRate} -> ${outRate})`);
  const g = gcd(inRate, outRate);
  const up = outRate / g;
  const down = inRate / g;
  if (up > 48 || down > 48) throw new RangeError(`resampler: ratio ${inRate}:${outRate} too complex (L or M > 48)`);
  const fLow = Math.min(inRate, outRate);
  const passEdgeHz = 0.45 * fLow;
  const stopEdgeHz = (quality === 'voice' ? 0.55 : 0.5) * fLow;
  if (up === 1 && down === 1) {
    const coefs = new Float64Array(8);
    coefs[7] = COEF_SCALE;
    return { inRate, outRate, up, down, taps: 8, delayUp: 0, passEdgeHz, stopEdgeHz, designAttenDb: Infinity, beta: 0, coefs, identityTap: Int32Array.of(7) };
  }
  const L = up;
  const LM = up * down;
  const rate = L * inRate;
  const dw = (stopEdgeHz - passEdgeHz) / rate;
  const twoFc = passEdgeHz + stopEdgeHz;

  const half = kaiserOrder(TARGET_ATTEN_DB, dw) / 2;
  const delay = Math.ceil(half / LM) * LM;
  let taps = ceilDiv(2 * delay + 1, L);
  taps = ceilDiv(taps, 8) * 8; // storage rounding only: zero taps are skipped by the native kernel
  const n = 2 * delay + 1;
  const designAttenDb = kaiserAtten(n - 1, dw);
  const beta = kaiserBeta(designAttenDb);

  const h = new Float64Array(n);
  const i0Beta = besselI0(beta);
  for (let i = 0; i < n; i++) {
    const t = i - delay;
    const x = (t * twoFc) / rate;
    const s = i === delay ? 1 : sin(PI * x) / (PI * x);
    const r = t / delay;
    const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
    h[i] = s * w;
  }

  const coefs = new Float64Array(L * taps);
  const identityTap = new Int32Array(L).fill(-1);
  const q = new Float64Array(taps);
  for (let p = 0; p < L; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const i = p + k * L;
      if (i < n) sum = sum + h[i]!;
    }
    const scale = COEF_SCALE / sum;
    let qsum = 0;
    let peak = 0;
    for (let k = 0; k < taps; k++) {
      const i = p + k * L;
      const v = i < n ? Math.floor(h[i]! * scale + 0.5) : 0;
      q[k] = v;
      qsum = qsum + v;
      if (Math.abs(v) > Math.abs(q[peak]!)) peak = k;
    }
    q[peak] = q[peak]! + (COEF_SCALE - qsum);
    let nonzero = 0;
    for (let k = 0; k < taps; k++) {
      const v = q[k]!;
      coefs[p * taps + (taps - 1 - k)] = v;
      if (v !== 0) nonzero++;
    }
    if (nonzero === 1 && q[peak] === COEF_SCALE) identityTap[p] = taps - 1 - peak;
  }
  return { inRate, outRate, up, down, taps, delayUp: delay, passEdgeHz, stopEdgeHz, designAttenDb, beta, coefs, identityTap };
}
