// The media-thread saturation gauge (0–1) for autoscaling: how much of each 20 ms tick the media
// thread spends working, at the 99th percentile of the engine's recent ticks. A thread at 1 is
// late on every tick; any tick missed outright since the last scrape reads as 1.
import type { EngineStats } from '../media/types.js';

/** What the gauge reads from the engine (MediaEngine.stats()). */
export type MediaLoadStats = Pick<EngineStats, 'tickWork' | 'missedTicks'>;

export interface MediaLoadSource {
  stats(): MediaLoadStats;
}

/** Saturation from one stats() reading; `missedBefore` is missedTicks at the previous reading. */
export function mediaSaturation(s: MediaLoadStats, tickMs: number, missedBefore: number): number {
  if (s.missedTicks > missedBefore) return 1;
  if (s.tickWork.samples === 0 || !(tickMs > 0)) return 0;
  return Math.min(1, Math.max(0, s.tickWork.p99Ns / (tickMs * 1e6)));
}

/** Documented autoscaling thresholds (README "Running in production"). */
export const SATURATION_SCALE_OUT = 0.5;
export const SATURATION_ALERT = 0.8;
