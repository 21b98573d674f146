// ttsBreaker machine (model-based, like test/machines) and its runtime wrapper. TT3: an abort
// never counts; the breaker opens only after `threshold` consecutive real failures, probes once
// after the cooldown, and closes on the probe's success.
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import { ttsBreakerMachine, type TtsBreakerEvent } from '../../machines/ttsBreaker.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { boundedSimplePaths, CoverageMeter, edgePaths, formatCoverage, runPath, type Invariant } from '../machines/modelHarness.js';

type Snap = ReturnType<typeof ttsBreakerMachine.getInitialSnapshot>;
const INPUT = { threshold: 3 };

const EVENTS: TtsBreakerEvent[] = [
  { type: 'PRIMARY_OK' },
  { type: 'PRIMARY_FAILED' },
  { type: 'PRIMARY_ABORTED', probe: false },
  { type: 'PRIMARY_ABORTED', probe: true },
  { type: 'PROBE_STARTED' },
  { type: 'TIMER_FIRED', timer: 'cooldown' },
];

/** Exactly one routing tag in every state. */
const oneRoute: Invariant<Snap> = ({ snapshot }) => {
  const tags = ['tts.primary', 'tts.probe', 'tts.fallback'].filter((t) => snapshot.hasTag(t as never));
  expect(tags).toHaveLength(1);
};

/** TT3: an abort changes no count and opens nothing. */
const abortsNeverCount: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event?.event.type !== 'PRIMARY_ABORTED') return;
  expect(snapshot.context.failures).toBe(event.before.context.failures);
  expect(effects.map((e) => e.type)).not.toContain('reportOpened');
  expect(effects.map((e) => e.type)).not.toContain('startCooldown');
};

/** It opens only after `threshold` PRIMARY_FAILED with no PRIMARY_OK between (or a failed probe). */
const opensOnlyOnFailures: Invariant<Snap> = ({ trace }) => {
  let run = 0;
  let state = 'closed';
  for (const r of trace) {
    if (r.kind === 'event') {
      state = String(r.before.value);
      if (r.event.type === 'PRIMARY_OK') run = 0;
      if (r.event.type === 'PRIMARY_FAILED') run += 1;
    } else if (r.type === 'startCooldown' && state === 'closed') {
      expect(run).toBeGreaterThanOrEqual(INPUT.threshold);
    }
  }
};

/** Failures saturate at the threshold and reset on success. */
const boundedCount: Invariant<Snap> = ({ snapshot }) => {
  expect(snapshot.context.failures).toBeGreaterThanOrEqual(0);
  expect(snapshot.context.failures).toBeLessThanOrEqual(snapshot.context.threshold);
  if (snapshot.matches('closed')) expect(snapshot.context.failures).toBeLessThan(snapshot.context.threshold);
};

const INVARIANTS = [oneRoute, abortsNeverCount, opensOnlyOnFailures, boundedCount];

describe('ttsBreaker machine (model-based)', () => {
  const model = createTestModel(ttsBreakerMachine, { events: EVENTS });
  const coverage = new CoverageMeter(ttsBreakerMachine);

  it('holds its invariants on every edge and on bounded simple paths, covering every state and transition', async () => {
    const edges = model.getPaths(edgePaths<Snap, TtsBreakerEvent>(), { input: INPUT, limit: 50_000 });
    for (const p of edges) await runPath(ttsBreakerMachine, p, { input: INPUT, invariants: INVARIANTS, coverage });
    const simple = model.getPaths(boundedSimplePaths<Snap, TtsBreakerEvent>({ maxDepth: 10, maxPaths: 2_000 }), { input: INPUT, limit: 50_000 });
    expect(simple.length).toBeGreaterThanOrEqual(8);
    for (const p of simple) await runPath(ttsBreakerMachine, p, { input: INPUT, invariants: INVARIANTS, coverage });
    const report = coverage.report();
    console.log(formatCoverage('ttsBreaker', edges.length + simple.length, report));
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });
});

describe('TtsBreaker (runtime wrapper)', () => {
  const fail = { kind: 'failed', code: 'x', message: '', bytes: 0 } as const;

  it('fails over after threshold real failures, probes after the cooldown, returns on success', async () => {
    let opened = 0;
    let closed = 0;
    const b = new TtsBreaker({ threshold: 3, cooldownMs: 60, onOpened: () => opened++, onClosed: () => closed++ });
    try {
      for (let i = 0; i < 10; i++) b.report({ kind: 'aborted' }, false); // barge-ins: never failures (TT3)
      expect(b.route()).toBe('primary');
      b.report(fail, false);
      b.report(fail, false);
      expect(b.route()).toBe('primary');
      b.report(fail, false);
      expect(opened).toBe(1);
      expect(b.route()).toBe('fallback');
      await new Promise((r) => setTimeout(r, 90));
      expect(b.route()).toBe('probe');
      expect(b.route()).toBe('fallback'); // one probe at a time
      b.report({ kind: 'aborted' }, true); // the probe was cut by a barge-in: probe again
      expect(b.route()).toBe('probe');
      b.report({ kind: 'ok', bytes: 10 }, true);
      expect(closed).toBe(1);
      expect(b.route()).toBe('primary');
      expect(b.failures).toBe(0);
    } finally {
      b.stop();
    }
  });

  it('a failed probe opens it for another cooldown', async () => {
    const b = new TtsBreaker({ threshold: 1, cooldownMs: 40 });
    try {
      b.report(fail, false);
      expect(b.route()).toBe('fallback');
      await new Promise((r) => setTimeout(r, 60));
      expect(b.route()).toBe('probe');
      b.report(fail, true);
      expect(b.state).toBe('open');
      expect(b.route()).toBe('fallback');
      await new Promise((r) => setTimeout(r, 60));
      expect(b.route()).toBe('probe');
    } finally {
      b.stop();
    }
  });
});

describe('the breaker seam (issue 14)', () => {
  it('CascadeService takes the breaker from the factory the runtime passes, with the configured policy', async () => {
    const { Registry } = await import('prom-client');
    const { loadConfig } = await import('../../src/config/index.js');
    const { CascadeService, createTtsBreaker } = await import('../../src/ai/cascade/index.js');
    const config = loadConfig({
      env: {},
      cwd: process.cwd(),
      overrides: { ai: { mode: 'cascade', openaiApiKey: 'sk', elevenlabsApiKey: 'el' }, tts: { failoverThreshold: 2, cooldownMs: 1234 } },
    });
    const seen: { threshold: number; cooldownMs: number }[] = [];
    let built: TtsBreaker | undefined;
    const service = new CascadeService({
      config,
      registry: new Registry(),
      resampler: 'js',
      createBreaker: (o) => {
        seen.push({ threshold: o.threshold, cooldownMs: o.cooldownMs });
        return (built = createTtsBreaker(o));
      },
    });
    try {
      expect(seen).toEqual([{ threshold: 2, cooldownMs: 1234 }]);
      expect(service.breaker).toBe(built);
      // The policy is the machine's: two genuine failures open it.
      service.breaker.report({ kind: 'failed', code: 'x', message: '', bytes: 0 }, false);
      service.breaker.report({ kind: 'failed', code: 'x', message: '', bytes: 0 }, false);
      expect(service.breaker.state).toBe('open');
    } finally {
      service.close();
    }
  });
});
