// `parley serve --workers 2` as real processes on loopback: calls land on both workers and the
// /metrics aggregate (answered by whichever worker the scrape lands on) counts every one; SIGTERM
// to the primary drains every worker (readyz 503 from each, live calls closed 1001 at the drain
// deadline, exit 0); a worker killed with SIGKILL is replaced and the calls it held are counted
// as ended `error`.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SimCall, parseScript, type CallReport } from '../../src/tools/sim/caller/index.js';
import { get, metricValue, scrape, serveWorkers, upgradeStatus, waitFor, waitLiveCalls } from './workersProcess.js';

const LONG = parseScript('say:400,silence:60000,hangup');

function call(port: number, i: number, script = LONG): Promise<CallReport> {
  const protocol = i % 2 === 0 ? 'twilio' : 'audio-stream';
  return new SimCall({ url: `ws://127.0.0.1:${port}/${protocol}`, script, seed: i, callId: `w-${i}`, maxCallMs: 70_000 }).start().done;
}

const closeCode = (r: CallReport): number | undefined => {
  const e = r.timeline.find((x) => x.kind === 'closed');
  return e ? Number(String(e.detail).split(' ')[0]) : undefined;
};

describe('parley serve --workers 2', () => {
  it('calls land on both workers and /metrics aggregates them all', async () => {
    const p = serveWorkers(2, {});
    try {
      const port = await p.port;
      await p.serving(2);
      const script = parseScript('say:400,listen:300:4000,hangup');
      const reports = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => call(port, i, script)));
      for (const r of reports) expect(r.ok, r.failure).toBe(true);
      await waitFor(() => (p.lines().filter((l) => l.msg === 'call ended').length === 6 ? true : undefined), 10_000, p.out);
      const byWorker = new Map<number, number>();
      for (const l of p.lines().filter((x) => x.msg === 'call ended')) byWorker.set(l.worker!, (byWorker.get(l.worker!) ?? 0) + 1);
      expect([...byWorker.keys()].sort()).toEqual([1, 2]);
      // Scrapes land on either worker; each answers the same aggregate.
      for (let k = 0; k < 4; k++) {
        const text = await scrape(port);
        expect(metricValue(text, 'parley_calls_total')).toBe(6);
        expect(metricValue(text, 'parley_calls_total', { protocol: 'twilio' })).toBe(3);
        expect(metricValue(text, 'parley_calls_ended_total', { reason: 'hangup' })).toBe(6);
        expect(metricValue(text, 'parley_calls_active')).toBe(0);
        expect(metricValue(text, 'parley_workers')).toBe(2);
        expect(metricValue(text, 'parley_frames_out_total')).toBeGreaterThan(0);
        // The media threads' figures take the worst worker, not the sum of two.
        expect(metricValue(text, 'parley_media_saturation')).toBeLessThanOrEqual(1);
      }
    } finally {
      p.child.kill('SIGTERM');
    }
    const { code } = await p.exited;
    expect(code).toBe(0);
  }, 60_000);

  it('SIGTERM drains every worker: readyz 503 from each, live calls closed 1001 at the deadline, exit 0', async () => {
    const DRAIN_MS = 2000;
    const CALLS = 12;
    const p = serveWorkers(2, { PARLEY_DRAIN_MS: String(DRAIN_MS) });
    try {
      const port = await p.port;
      await p.serving(2);
      const reports = Array.from({ length: CALLS }, (_, i) => call(port, i));
      await waitLiveCalls(port, CALLS);
      const started = await waitFor(() => {
        const s = p.lines().filter((l) => l.msg === 'call started');
        return s.length === CALLS ? s : undefined;
      }, 10_000, p.out);
      expect(new Set(started.map((l) => l.worker))).toEqual(new Set([1, 2]));

      const sigterm = Date.now();
      p.child.kill('SIGTERM');
      // Probes on fresh connections reach both workers; once one says 503, every later one does.
      const probes: { status: number; body: string }[] = [];
      await waitFor(async () => (probes.push(await get(port, '/readyz')), probes.at(-1)!.status === 503 ? true : undefined), 2000, () => JSON.stringify(probes));
      expect(Date.now() - sigterm).toBeLessThan(1000);
      for (let k = 0; k < 6; k++) expect((await get(port, '/readyz')).status).toBe(503);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/twilio`)).toBe(503);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/audio-stream`)).toBe(503);

      const done = await Promise.all(reports);
      for (const r of done) expect(closeCode(r), r.callId).toBe(1001);
      const { code, signal, at } = await p.exited;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(at - sigterm).toBeGreaterThanOrEqual(DRAIN_MS - 100);
      expect(at - sigterm).toBeLessThan(DRAIN_MS + 2000 + 3000);
      const lines = p.lines();
      expect(lines.filter((l) => l.msg === 'shutdown complete').map((l) => l.worker).sort()).toEqual([1, 2]);
      expect(lines.filter((l) => l.msg === 'call ended' && l.reason === 'shutdown')).toHaveLength(CALLS);
      expect(lines.some((l) => l.msg === 'cluster shutdown complete' && l.failed === false)).toBe(true);
      expect(lines.filter((l) => l.msg?.startsWith('worker died'))).toEqual([]);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('a worker killed with SIGKILL is replaced, and the calls it held count as ended error', async () => {
    const p = serveWorkers(2, { PARLEY_DRAIN_MS: '500' });
    try {
      const port = await p.port;
      await p.serving(2);
      const reports = Array.from({ length: 6 }, (_, i) => call(port, i));
      await waitLiveCalls(port, 6);
      // The log lines come over a pipe, the live count over IPC: wait for all six lines, or the
      // victim's share is undercounted.
      const started = await waitFor(() => {
        const s = p.lines().filter((l) => l.msg === 'call started');
        return s.length === 6 ? s : undefined;
      }, 10_000, p.out);
      const victim = started[0]!;
      const held = started.filter((l) => l.worker === victim.worker).length;
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(6);
      const before = await scrape(port);
      expect(metricValue(before, 'parley_calls_total')).toBe(6);
      process.kill(victim.pid!, 'SIGKILL');

      // A third worker starts in its place; the aggregate counts the lost calls.
      await p.serving(3);
      const died = await waitFor(() => p.lines().find((l) => l.msg?.startsWith('worker died')), 5000, p.out);
      expect(died.worker).toBe(victim.worker);
      const text = await scrape(port);
      expect(metricValue(text, 'parley_calls_ended_total', { reason: 'error' })).toBe(held);
      expect(metricValue(text, 'parley_worker_deaths_total')).toBe(1);
      expect(metricValue(text, 'parley_workers')).toBe(2);
      expect(metricValue(text, 'parley_calls_active')).toBe(6 - held);
      // What the dead worker had counted stays in the sums: no counter of the aggregate goes down.
      expect(metricValue(text, 'parley_calls_total')).toBe(6);
      expect(metricValue(text, 'parley_frames_in_total')).toBeGreaterThanOrEqual(metricValue(before, 'parley_frames_in_total'));

      // The callers of the dead worker lost their calls; the others go on until the drain.
      p.child.kill('SIGTERM');
      const done = await Promise.all(reports);
      const codes = done.map(closeCode);
      expect(codes.filter((c) => c === 1001)).toHaveLength(6 - held);
      expect(codes.filter((c) => c !== 1001)).toHaveLength(held);
      expect((await p.exited).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('workers that cannot start (port taken) stop the cluster with exit 1, no respawn loop', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const p = serveWorkers(2, { PORT: String(port) });
    p.port.catch(() => {}); // it never serves
    try {
      const { code } = await p.exited;
      expect(code).toBe(1);
      const lines = p.lines();
      expect(lines.some((l) => l.msg === 'worker failed to start; stopping the cluster')).toBe(true);
      expect(lines.filter((l) => l.msg === 'cannot start').length).toBeLessThanOrEqual(2);
      expect(lines.some((l) => l.msg === 'cluster shutdown complete' && l.failed === true)).toBe(true);
    } finally {
      taken.close();
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 30_000);
});
