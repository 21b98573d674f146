import type { Percentiles } from './types.js';

/** Nearest-rank percentiles of `xs` (p50, p99, max); zeros when empty. */
export function percentiles(xs: readonly number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { count: s.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(s[s.length - 1]!) };
}
