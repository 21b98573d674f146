// The media-thread saturation gauge (0–1) for autoscaling: how close the media thread runs to
// its 20 ms deadlines. It is the later of two readings:
// - time: p99 tick start lateness + p99 tick work, over the tick period (a tick that starts
//   late, because the OS gave the thread no core, has less of its period left to work in);
// - misses: the fraction of ticks since the previous reading that were missed outright, ×100,
//   so that 1 % missed (the p99 tick) reads as fully saturated.
import type { EngineStats } from '../media/types.js';

/** What the gauge reads from the engine (MediaEngine.stats()). */
export type MediaLoadStats = Pick<EngineStats, 'ticks' | 'missedTicks' | 'tickWork' | 'lateness'>;

export interface MediaLoadSource {
  stats(): MediaLoadStats;
}

/** The counters of the previous reading (misses are judged over the interval since). */
export interface MediaLoadMark {
  readonly ticks: number;
  readonly missedTicks: number;
}

export function mediaSaturation(s: MediaLoadStats, tickMs: number, before: MediaLoadMark): number {
  if (!(tickMs > 0)) return 0;
  const periodNs = tickMs * 1e6;
  const time = s.tickWork.samples === 0 ? 0 : (s.lateness.p99Ns + s.tickWork.p99Ns) / periodNs;
  const ticks = s.ticks - before.ticks;
  const missed = s.missedTicks - before.missedTicks;
  const misses = ticks > 0 && missed > 0 ? (missed / ticks) * 100 : 0;
  return Math.min(1, Math.max(0, time, misses));
}

/** Documented autoscaling thresholds (README "Running in production"). */
export const SATURATION_SCALE_OUT = 0.5;
export const SATURATION_ALERT = 0.8;
