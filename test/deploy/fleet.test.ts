// The short fleet run (npm test): two real `parley serve` processes behind Debian's HAProxy with
// the production template, calls of both protocols through it, and a rolling restart while they
// run. Then the same machinery with a drain deadline shorter than the calls, to show a cut is seen.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFleet } from '../../src/tools/fleet/fleet.js';
import { parseScript } from '../../src/tools/sim/caller/index.js';

const CLI = 'dist/src/cli/main.js';

describe('fleet behind HAProxy', () => {
  it('dist is built (the instances run bin/parley.js; npm test builds it)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  it('a rolling restart under load refuses and cuts no call', async () => {
    const drainMs = 20_000;
    const r = await runFleet({
      instances: 2,
      calls: 40,
      spreadMs: 10_000,
      rollAfterMs: 2_500,
      drainMs,
      protocols: ['twilio', 'audio-stream'],
      script: parseScript('say:800,listen:300:5000,hangup'),
      minLiveCallsAtSignal: 2,
    });
    expect(r.analysis.refusedReasons).toEqual({});
    expect(r.analysis.cutOther.concat(r.analysis.cutWithinDrainDeadline, r.analysis.cutAfterDrainDeadline)).toEqual([]);
    expect(r.callsCompleted).toBe(40);
    // Every call landed on an instance (HAProxy's log), and both instances took calls.
    expect(Object.values(r.callsPerInstance).reduce((a, b) => a + b, 0)).toBe(40);
    for (const name of ['p1', 'p2']) expect(r.callsPerInstance[name] ?? 0).toBeGreaterThan(0);
    // Each drain had calls in flight and all of them finished their script.
    for (const w of r.analysis.drainWindows) {
      expect(w.liveCalls).toBeGreaterThanOrEqual(1);
      expect(w.completed).toBe(w.liveCalls);
    }
    for (const p of r.perInstance) {
      expect(p.drain.exitCode).toBe(0);
      expect(p.drain.forceClosed).toBe(0);
      expect(p.drain.drainMs).toBeGreaterThan(0);
      expect(p.drain.drainMs).toBeLessThan(drainMs);
      expect(p.backInRotationMs).toBeGreaterThanOrEqual(p.restartMs);
      expect(p.endReasons['shutdown'] ?? 0).toBe(0);
      expect(p.peakCallsActive).toBeGreaterThan(0);
      expect(p.peakSaturation).not.toBeNull();
      expect(p.peakSaturation!).toBeGreaterThanOrEqual(0);
      expect(p.peakSaturation!).toBeLessThanOrEqual(1);
      expect(p.workers).toBeNull(); // one process, no cluster
    }
    expect(r.latenessDuringRollMs.count).toBeGreaterThan(0);
  }, 90_000);

  it('with PARLEY_WORKERS=2 per instance: a rolling restart under load refuses and cuts no call', async () => {
    const drainMs = 20_000;
    const r = await runFleet({
      instances: 2,
      calls: 20,
      spreadMs: 6_000,
      rollAfterMs: 2_000,
      drainMs,
      protocols: ['twilio', 'audio-stream'],
      script: parseScript('say:800,listen:300:5000,hangup'),
      env: { PARLEY_WORKERS: '2' },
    });
    expect(r.analysis.refusedReasons).toEqual({});
    expect(r.analysis.cutOther.concat(r.analysis.cutWithinDrainDeadline, r.analysis.cutAfterDrainDeadline)).toEqual([]);
    expect(r.callsCompleted).toBe(20);
    for (const name of ['p1', 'p2']) expect(r.callsPerInstance[name] ?? 0).toBeGreaterThan(0);
    for (const p of r.perInstance) {
      expect(p.drain.exitCode).toBe(0);
      expect(p.drain.forceClosed).toBe(0);
      expect(p.drain.drainMs).toBeLessThan(drainMs);
      expect(p.endReasons['shutdown'] ?? 0).toBe(0);
      expect(p.endReasons['error'] ?? 0).toBe(0);
      expect(p.peakCallsActive).toBeGreaterThan(0);
      // Each instance really ran as a cluster of two (its aggregate /metrics said so).
      expect(p.workers).toBe(2);
    }
  }, 90_000);

  it('calls longer than the drain deadline are closed at it, and counted as cut after the deadline', async () => {
    const drainMs = 1_000;
    const r = await runFleet({
      instances: 2,
      calls: 4,
      spreadMs: 300,
      rollAfterMs: 800,
      drainMs,
      protocols: ['twilio', 'audio-stream'],
      script: parseScript('say:400,silence:6000,hangup'),
    });
    expect(r.callsCutWithinDrainDeadline).toBe(0);
    expect(r.callsCutAfterDrainDeadline).toBeGreaterThan(0);
    expect(r.callsCutAfterDrainDeadline + r.callsCompleted + r.callsRefused + r.callsCutOther).toBe(4);
    for (const c of r.analysis.cutAfterDrainDeadline) {
      expect(c.failure).toMatch(/server closed the call \(1001\)/);
      expect(c.afterSignalMs!).toBeGreaterThan(drainMs);
    }
    const forced = r.perInstance.reduce((a, p) => a + (p.endReasons['shutdown'] ?? 0), 0);
    expect(forced).toBe(r.callsCutAfterDrainDeadline);
  }, 60_000);
});
