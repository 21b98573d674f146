// The primary's /metrics aggregate (src/server/cluster/metrics.ts) with workers replaced by
// stand-ins that answer `collect` from real prom-client registries, or never answer (a hung
// worker): the aggregate sums the workers, and a worker that does not answer in time is counted
// from its last answer and reported in parley_workers_unresponsive, instead of failing /metrics.
import type { Worker } from 'node:cluster';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COLLECT_TIMEOUT_MS, ClusterMetrics } from '../../src/server/cluster/metrics.js';
import type { PrimaryMessage } from '../../src/server/cluster/messages.js';
import { metricValue } from './workersProcess.js';

afterEach(() => void vi.useRealTimers());

function workerRegistry(calls: number, active: number) {
  const registry = new Registry();
  new Counter({ name: 'parley_calls_total', help: 'calls', registers: [registry] }).inc(calls);
  const gauge = new Gauge({ name: 'parley_calls_active', help: 'live', registers: [registry] });
  gauge.set(active);
  return { registry, gauge };
}

/** A worker stand-in: answers `collect` from its registry while `answering`. */
function standIn(metrics: ClusterMetrics, id: number, registry: Registry) {
  const w = {
    id,
    answering: true,
    isConnected: () => true,
    send: (m: PrimaryMessage) => {
      if (m.t === 'parley:collect' && w.answering) void registry.getMetricsAsJSON().then((s) => metrics.snapshot(id, m.id, s));
      return true;
    },
  };
  return w;
}

describe('ClusterMetrics (the primary)', () => {
  it('sums every worker; a worker that stops answering is counted from its last answer and reported', async () => {
    vi.useFakeTimers();
    const metrics = new ClusterMetrics();
    const a = workerRegistry(5, 2);
    const b = workerRegistry(7, 3);
    const wa = standIn(metrics, 1, a.registry);
    const wb = standIn(metrics, 2, b.registry);
    const workers = [wa, wb] as unknown as Worker[];

    const first = await metrics.aggregate(workers);
    expect(metricValue(first, 'parley_calls_total')).toBe(12);
    expect(metricValue(first, 'parley_calls_active')).toBe(5);
    expect(metricValue(first, 'parley_workers_unresponsive')).toBe(0);

    // Worker 2 hangs; worker 1 goes on counting.
    wb.answering = false;
    a.gauge.set(4);
    const pending = metrics.aggregate(workers);
    await vi.advanceTimersByTimeAsync(COLLECT_TIMEOUT_MS);
    const second = await pending;
    expect(metricValue(second, 'parley_workers_unresponsive')).toBe(1);
    expect(metricValue(second, 'parley_calls_active')).toBe(4 + 3); // worker 2 as last answered
    expect(metricValue(second, 'parley_calls_total')).toBe(12);

    // It answers again: fresh figures, nothing reported.
    wb.answering = true;
    b.gauge.set(1);
    const third = await metrics.aggregate(workers);
    expect(metricValue(third, 'parley_workers_unresponsive')).toBe(0);
    expect(metricValue(third, 'parley_calls_active')).toBe(5);
  });

  it('a worker that never answered is left out, not waited for forever', async () => {
    vi.useFakeTimers();
    const metrics = new ClusterMetrics();
    const a = workerRegistry(1, 1);
    const silent = standIn(metrics, 2, new Registry());
    silent.answering = false;
    const pending = metrics.aggregate([standIn(metrics, 1, a.registry), silent] as unknown as Worker[]);
    await vi.advanceTimersByTimeAsync(COLLECT_TIMEOUT_MS);
    const text = await pending;
    expect(metricValue(text, 'parley_calls_active')).toBe(1);
    expect(metricValue(text, 'parley_workers_unresponsive')).toBe(1);
  });
});
