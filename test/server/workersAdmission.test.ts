// PARLEY_MAX_CALLS is the whole server's limit with `--workers 2`, however unevenly the cluster
// hands out connections. Node's round-robin gives a connection to whichever worker is free, so a
// busy worker gets fewer; with a fixed share per worker the other one refused calls while the
// server was below its limit (CI saw 188 of 200 calls admitted under load). Here one worker is
// stopped (SIGSTOP), so every call lands on the other: it must admit up to the whole limit, and
// the limit must still hold across both workers once the stopped one runs again. Meanwhile
// /metrics answers without the stopped worker's fresh figures, and says so.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SimCall, parseScript } from '../../src/tools/sim/caller/index.js';
import { metricValue, scrape, serveWorkers, upgradeStatus, waitFor, waitLiveCalls } from './workersProcess.js';

const LONG = parseScript('say:300,silence:60000,hangup');
const MAX = 3;

describe('PARLEY_MAX_CALLS across workers', () => {
  it('one worker stopped: the other admits up to the whole limit, and the limit holds over both', async () => {
    const p = serveWorkers(2, { PARLEY_MAX_CALLS: String(MAX), PARLEY_DRAIN_MS: '300' });
    const stopped: number[] = [];
    try {
      const port = await p.port;
      const serving = await p.serving(2);
      const [a] = serving;
      process.kill(a!.pid!, 'SIGSTOP');
      stopped.push(a!.pid!);
      // Two idle connections, one after the other: one of them is handed to the stopped worker,
      // which never takes it, so the primary hands every later connection to the other worker.
      const idle = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
      for (const s of idle) s.on('error', () => {});
      await new Promise((r) => setTimeout(r, 300));

      const calls = Array.from({ length: MAX }, (_, i) =>
        new SimCall({ url: `ws://127.0.0.1:${port}/${i % 2 ? 'audio-stream' : 'twilio'}`, script: LONG, seed: i, callId: `adm-${i}`, maxCallMs: 60_000 }).start(),
      );
      const started = await waitFor(() => {
        const s = p.lines().filter((l) => l.msg === 'call started');
        return s.length === MAX ? s : undefined;
      }, 15_000, p.out);
      expect(new Set(started.map((l) => l.worker))).toEqual(new Set([serving[1]!.worker]));
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/twilio`)).toBe(503);
      // /metrics still answers, after the collect timeout, and says a worker did not.
      const whileStopped = await scrape(port);
      expect(metricValue(whileStopped, 'parley_workers_unresponsive')).toBe(1);
      expect(metricValue(whileStopped, 'parley_calls_active')).toBe(MAX);

      // The stopped worker runs again: it is below any per-worker share, but the server is full.
      process.kill(a!.pid!, 'SIGCONT');
      stopped.length = 0;
      const statuses = await Promise.all([0, 1, 2, 3].map(() => upgradeStatus(`ws://127.0.0.1:${port}/twilio`)));
      expect(statuses).toEqual([503, 503, 503, 503]);
      expect(metricValue(await scrape(port), 'parley_calls_active')).toBe(MAX);

      // A call ends: its place is free again, on either worker.
      calls[0]!.hangup();
      await waitLiveCalls(port, MAX - 1);
      const again = new SimCall({ url: `ws://127.0.0.1:${port}/twilio`, script: LONG, seed: 9, callId: 'adm-9', maxCallMs: 60_000 }).start();
      await waitLiveCalls(port, MAX);
      for (const c of [...calls, again]) c.hangup();
      for (const s of idle) s.destroy();
    } finally {
      for (const pid of stopped) process.kill(pid, 'SIGCONT');
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
  }, 60_000);
});
