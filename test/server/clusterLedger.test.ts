// The primary's ledger of cumulative metrics: a dead worker's counters stay in the sums, and no
// counter or histogram series of the aggregate ever goes down.
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Registry } from 'prom-client';
import { CumulativeLedger } from '../../src/server/cluster/ledger.js';

async function snapshot(calls: number, active: number) {
  const registry = new Registry();
  new Counter({ name: 'calls_total', help: 'h', labelNames: ['protocol'], registers: [registry] }).inc({ protocol: 'twilio' }, calls);
  new Gauge({ name: 'calls_active', help: 'h', registers: [registry] }).set(active);
  return registry.getMetricsAsJSON();
}

const value = (s: Awaited<ReturnType<typeof snapshot>>, name: string) => s.filter((m) => m.name === name).flatMap((m) => m.values).reduce((a, v) => a + v.value, 0);

describe('CumulativeLedger', () => {
  it("keeps a retired worker's counters, not its gauges", async () => {
    const ledger = new CumulativeLedger();
    expect(ledger.collected(1, await snapshot(4, 2))).toBe(true);
    expect(ledger.collected(2, await snapshot(3, 1))).toBe(true);
    ledger.retire(1);
    expect(value(ledger.retired, 'calls_total')).toBe(4);
    expect(value(ledger.retired, 'calls_active')).toBe(0);
    ledger.retire(2);
    expect(value(ledger.retired, 'calls_total')).toBe(7);
    // A snapshot that arrives after its worker was retired is not used (it would count twice).
    expect(ledger.collected(1, await snapshot(5, 0))).toBe(false);
    expect(value(ledger.retired, 'calls_total')).toBe(7);
  });

  it('answers every cumulative series at least as high as last time; gauges as they are', async () => {
    const ledger = new CumulativeLedger();
    expect(value(ledger.monotonic(await snapshot(10, 5)), 'calls_total')).toBe(10);
    const lower = ledger.monotonic(await snapshot(8, 1));
    expect(value(lower, 'calls_total')).toBe(10);
    expect(value(lower, 'calls_active')).toBe(1);
    expect(value(ledger.monotonic(await snapshot(12, 0)), 'calls_total')).toBe(12);
    // A series whose every worker died is still answered (at its last value).
    expect(value(ledger.monotonic((await snapshot(1, 0)).filter((m) => m.name !== 'calls_total')), 'calls_total')).toBe(12);
  });
});
