// The autoscaling gauges: parley_calls_active (calls per pod, the HPA's metric) and
// parley_media_saturation (media-thread load 0–1), computed and exposed on a real server.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { metricSum } from '../../src/tools/fleet/promText.js';
import { Metrics } from '../../src/obs/index.js';
import { mediaSaturation, SATURATION_ALERT, SATURATION_SCALE_OUT, type MediaLoadStats } from '../../src/obs/saturation.js';
import { startParley } from '../../src/app.js';
import { simCall } from '../../src/tools/sim/caller/index.js';

const summary = (p99Ns: number, samples = 100) => ({ p50Ns: p99Ns / 2, p99Ns, maxNs: p99Ns, samples });
const load = (workNs: number, lateNs = 0, ticks = 1000, missedTicks = 0, samples = 100): MediaLoadStats => ({
  ticks,
  missedTicks,
  tickWork: summary(workNs, samples),
  lateness: summary(lateNs, samples),
});
const start = { ticks: 0, missedTicks: 0 };

describe('media saturation', () => {
  it('is (p99 lateness + p99 work) over the tick period, clamped to 0–1', () => {
    expect(mediaSaturation(load(5e6), 20, start)).toBeCloseTo(0.25);
    expect(mediaSaturation(load(2e6, 8e6), 20, start)).toBeCloseTo(0.5); // a late start leaves less of the period
    expect(mediaSaturation(load(20e6), 20, start)).toBe(1);
    expect(mediaSaturation(load(60e6), 20, start)).toBe(1);
    expect(mediaSaturation(load(0, 0, 0, 0, 0), 20, start)).toBe(0);
    expect(mediaSaturation(load(1e6), 10, start)).toBeCloseTo(0.1);
  });

  it('reads missed ticks since the previous reading: 1 % of them saturates', () => {
    expect(mediaSaturation(load(1e6, 0, 2000, 13), 20, { ticks: 1000, missedTicks: 3 })).toBe(1); // 10 of 1000
    expect(mediaSaturation(load(1e6, 0, 2000, 5), 20, { ticks: 1000, missedTicks: 3 })).toBeCloseTo(0.2); // 2 of 1000
    expect(mediaSaturation(load(1e6, 0, 2000, 3), 20, { ticks: 1000, missedTicks: 3 })).toBeCloseTo(0.05); // none: time only
  });

  it('documents thresholds in order', () => {
    expect(SATURATION_SCALE_OUT).toBeGreaterThan(0);
    expect(SATURATION_SCALE_OUT).toBeLessThan(SATURATION_ALERT);
    expect(SATURATION_ALERT).toBeLessThan(1);
  });

  it('is exported at each scrape from the watched source, and keeps its last value once unwatched', async () => {
    const m = new Metrics({ processMetrics: false });
    let stats = load(4e6, 0, 100);
    const stop = m.watchMedia({ stats: () => stats });
    expect(metricSum(await m.text(), 'parley_media_saturation')).toBeCloseTo(0.2);
    stats = load(4e6, 0, 200, 1); // 1 missed in 100 ticks
    expect(metricSum(await m.text(), 'parley_media_saturation')).toBe(1);
    stats = load(4e6, 0, 300, 1);
    expect(metricSum(await m.text(), 'parley_media_saturation')).toBeCloseTo(0.2); // the miss was judged once
    stop();
    stats = load(18e6, 0, 400, 1);
    expect(metricSum(await m.text(), 'parley_media_saturation')).toBeCloseTo(0.2); // no longer read
  });
});

describe('gauges on a running server', () => {
  it('/metrics carries calls_active during a call and a saturation in 0–1 from the real engine', async () => {
    const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', ai: { mode: 'local' } } });
    const app = await startParley({ config });
    try {
      const scrape = async () => (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      const seen: number[] = [];
      const call = simCall({
        url: `ws://127.0.0.1:${app.port}/twilio`,
        script: [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }],
        onTimeline: (e) => {
          if (e.kind === 'agent_audio_start') void scrape().then((t) => seen.push(metricSum(t, 'parley_calls_active') ?? -1));
        },
      });
      expect((await call).ok).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]).toBe(1);
      // The caller has hung up; the server ends its side a moment later.
      let after = await scrape();
      for (const until = Date.now() + 5000; metricSum(after, 'parley_calls_active') !== 0 && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 50));
        after = await scrape();
      }
      expect(metricSum(after, 'parley_calls_active')).toBe(0);
      const sat = metricSum(after, 'parley_media_saturation');
      expect(sat).toBeDefined();
      expect(sat!).toBeGreaterThan(0); // the media thread did real work for the call
      expect(sat!).toBeLessThanOrEqual(1);
    } finally {
      await app.shutdown();
    }
  }, 30_000);
});
