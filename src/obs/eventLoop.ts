// Event-loop delay sampled by perf_hooks and published as a gauge every interval.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Metrics } from './metrics.js';

/** Starts sampling; returns a stop function. The timer never keeps the process alive. */
export function watchEventLoop(metrics: Metrics, intervalMs = 1000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    if (h.count > 0) {
      metrics.eventLoopLag.set({ quantile: '0.5' }, h.percentile(50) / 1e9);
      metrics.eventLoopLag.set({ quantile: '0.99' }, h.percentile(99) / 1e9);
      metrics.eventLoopLag.set({ quantile: '1' }, h.max / 1e9);
    }
    h.reset();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
