// Publishes the media engine's own timing (tick lateness and work, missed ticks) as gauges.
import type { MediaEngine } from '../media/types.js';
import type { Metrics } from './metrics.js';

/** Samples engine.stats() every interval; returns a stop function. Never keeps the process alive. */
export function watchMediaEngine(metrics: Metrics, engine: MediaEngine, intervalMs = 1000): () => void {
  const sample = () => {
    const s = engine.stats();
    metrics.mediaTickLateness.set({ quantile: '0.5' }, s.lateness.p50Ns / 1e9);
    metrics.mediaTickLateness.set({ quantile: '0.99' }, s.lateness.p99Ns / 1e9);
    metrics.mediaTickLateness.set({ quantile: '1' }, s.lateness.maxNs / 1e9);
    metrics.mediaTickWork.set({ quantile: '0.5' }, s.tickWork.p50Ns / 1e9);
    metrics.mediaTickWork.set({ quantile: '0.99' }, s.tickWork.p99Ns / 1e9);
    metrics.mediaTickWork.set({ quantile: '1' }, s.tickWork.maxNs / 1e9);
    metrics.mediaMissedTicks.set(s.missedTicks);
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      // the engine closed under us: nothing to publish
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
