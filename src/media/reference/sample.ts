// Sample conversion shared by every block (twin of native/src/core/dsp/sample.h).

/** Rounds half up and saturates to int16; NaN maps to -32768. */
export function saturateRound(v: number): number {
  const r = Math.floor(v + 0.5);
  if (r >= 32767) return 32767;
  if (r > -32768) return r;
  return -32768;
}

/** Samples in `ms` milliseconds at `rate` Hz, rounded, at least 1. */
export function msToSamples(ms: number, rate: number): number {
  const n = Math.floor((ms * rate) / 1000 + 0.5);
  return n < 1 ? 1 : n;
}
