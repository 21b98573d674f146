// /inspect with `parley serve --workers 2`, as real processes on loopback: a client's socket lands
// on one worker, yet it sees the calls of both (the other worker's connection ids prefixed
// `w<id>/`); a client that connects while calls are up gets its own worker's in `hello` and the
// other worker's as `call.start` (and the clients already there get no repeat); when a worker
// dies, its calls end for the clients on the other.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { InspectMessage } from '../../src/obs/inspect/protocol.js';
import { SimCall, parseScript } from '../../src/tools/sim/caller/index.js';
import { metricValue, scrape, serveWorkers, waitFor } from './workersProcess.js';

function inspectClient(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/inspect`);
  const messages: InspectMessage[] = [];
  ws.on('message', (d) => messages.push(...(JSON.parse(String(d)) as InspectMessage[])));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, opened };
}

/** Connection ids of the live calls a client knows: from hello, call.start and call.end. */
function liveIds(messages: readonly InspectMessage[]): Set<string> {
  const live = new Set<string>();
  for (const m of messages) {
    if (m.type === 'hello') for (const c of m.calls) if (c.endedAt === null) live.add(c.connId);
    if (m.type === 'call.start') live.add(m.call.connId);
    if (m.type === 'call.end') live.delete(m.connId);
  }
  return live;
}

describe('parley serve --workers 2: /inspect', () => {
  it('a client on one worker sees the calls and steps of both; a late client is told of every live call', async () => {
    const p = serveWorkers(2, {});
    const clients: WebSocket[] = [];
    try {
      const port = await p.port;
      await p.serving(2);
      const first = inspectClient(port);
      clients.push(first.ws);
      await first.opened;
      const script = parseScript('say:400,silence:5000,hangup');
      const calls = [0, 1, 2, 3].map((i) =>
        new SimCall({ url: `ws://127.0.0.1:${port}/${i % 2 ? 'audio-stream' : 'twilio'}`, script, seed: i, callId: `wi-${i}`, maxCallMs: 30_000 }).start().done,
      );
      // No other connection until the calls are up: the primary hands connections to the workers
      // in turn, so the calls land on both (a scrape in between would take a turn).
      const started = await waitFor(() => {
        const s = p.lines().filter((l) => l.msg === 'call started');
        return s.length === 4 ? s : undefined;
      }, 20_000, p.out);
      expect(new Set(started.map((l) => l.worker))).toEqual(new Set([1, 2]));
      expect(metricValue(await scrape(port), 'parley_calls_active')).toBe(4);

      // Every call reaches the first client, the other worker's with its worker's prefix.
      await waitFor(() => (liveIds(first.messages).size === 4 ? true : undefined), 10_000, () => JSON.stringify([...liveIds(first.messages)]));
      const ids = [...liveIds(first.messages)];
      const remote = ids.filter((id) => /^w[12]\//.test(id));
      expect(remote.length).toBeGreaterThan(0);
      expect(remote.length).toBeLessThan(4);
      // Steps of remote calls come through too.
      await waitFor(() => (first.messages.some((m) => m.type === 'step' && remote.includes(m.connId)) ? true : undefined), 10_000, () => 'no remote step');

      // Clients that connect now (two, so one shares a worker with the first): their worker's
      // calls in hello, the other's announced — to the new client alone.
      const late = [inspectClient(port), inspectClient(port)];
      clients.push(...late.map((c) => c.ws));
      for (const c of late) await c.opened;
      for (const c of late) await waitFor(() => (liveIds(c.messages).size === 4 ? true : undefined), 10_000, () => JSON.stringify([...liveIds(c.messages)]));
      for (const c of [first, ...late]) {
        const starts = c.messages.flatMap((m) => (m.type === 'call.start' ? [m.call.connId] : []));
        expect(starts.length, JSON.stringify(starts)).toBe(new Set(starts).size);
      }

      for (const r of await Promise.all(calls)) expect(r.ok, r.failure).toBe(true);
      // Their ends reach the clients as well.
      await waitFor(() => (liveIds(first.messages).size === 0 ? true : undefined), 10_000, () => JSON.stringify([...liveIds(first.messages)]));
    } finally {
      for (const ws of clients) ws.terminate();
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
  }, 60_000);

  it('a worker that dies: its calls end for a client on the other worker', async () => {
    const p = serveWorkers(2, { PARLEY_DRAIN_MS: '300' });
    const clients: WebSocket[] = [];
    try {
      const port = await p.port;
      const serving = await p.serving(2);
      const client = inspectClient(port);
      clients.push(client.ws);
      await client.opened;
      const script = parseScript('say:400,silence:30000,hangup');
      const calls = [0, 1, 2, 3].map((i) => new SimCall({ url: `ws://127.0.0.1:${port}/twilio`, script, seed: i, callId: `wd-${i}`, maxCallMs: 40_000 }).start());
      await waitFor(() => (p.lines().filter((l) => l.msg === 'call started').length === 4 ? true : undefined), 20_000, p.out);
      await waitFor(() => (liveIds(client.messages).size === 4 ? true : undefined), 10_000, () => JSON.stringify([...liveIds(client.messages)]));
      const remote = [...liveIds(client.messages)].filter((id) => /^w[12]\//.test(id));
      expect(remote.length).toBeGreaterThan(0);
      const victim = serving.find((l) => remote[0]!.startsWith(`w${l.worker}/`))!;
      process.kill(victim.pid!, 'SIGKILL');
      // Only the client's own worker's calls are left.
      await waitFor(() => (liveIds(client.messages).size === 4 - remote.length ? true : undefined), 10_000, () => JSON.stringify([...liveIds(client.messages)]));
      expect([...liveIds(client.messages)].some((id) => remote.includes(id))).toBe(false);
      for (const c of calls) c.hangup();
    } finally {
      for (const ws of clients) ws.terminate();
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
  }, 60_000);
});
