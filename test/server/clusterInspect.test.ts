// The worker's side of /inspect across workers (src/server/cluster/inspect.ts) against a real
// InspectHub and real machine actors, with the IPC channel replaced by a list: it says when it
// has clients, forwards only when told to (batched, worker-prefixed ids, steps beyond the cap
// dropped and counted), and hands what other workers sent to its clients.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { playoutMachine } from '../../machines/playout.js';
import { InspectHub } from '../../src/obs/inspect/hub.js';
import type { InspectMessage } from '../../src/obs/inspect/protocol.js';
import { ClusterInspect, FORWARD_EVERY_MS, FORWARD_MAX_STEPS } from '../../src/server/cluster/inspect.js';
import type { WorkerMessage } from '../../src/server/cluster/messages.js';

afterEach(() => void vi.useRealTimers());

function rig() {
  const hub = new InspectHub({ machines: ['playout'] });
  const sent: WorkerMessage[] = [];
  const ci = new ClusterInspect(hub, 3, (m) => (sent.push(m), true));
  const call = hub.openCall('twilio-1', 'twilio');
  const actor = createActor(playoutMachine, { input: { lookaheadMs: 80, cushionMs: 0 } }).start();
  call.watch('playout', actor);
  return { hub, sent, ci, actor };
}

describe('ClusterInspect (a worker)', () => {
  it('says when it has clients, and asks the others to announce their calls for each new one', () => {
    const { sent, ci } = rig();
    ci.hello();
    const off = ci.subscribe(() => {});
    const off2 = ci.subscribe(() => {});
    expect(sent).toEqual([
      { t: 'parley:inspect.want', on: true },
      { t: 'parley:inspect.announce', req: 1 },
      { t: 'parley:inspect.announce', req: 2 },
    ]);
    off();
    expect(sent).toHaveLength(3); // a client is left
    off2();
    expect(sent.at(-1)).toEqual({ t: 'parley:inspect.want', on: false });
  });

  it('forwards its steps only while told to, batched, with its worker in the connection id', () => {
    vi.useFakeTimers();
    const { sent, ci, actor } = rig();
    actor.send({ type: 'FLUSH' });
    vi.advanceTimersByTime(FORWARD_EVERY_MS);
    expect(sent).toEqual([]); // nobody asked
    ci.forward(true);
    actor.send({ type: 'FLUSH' });
    actor.send({ type: 'MEDIA_FLUSHED' });
    expect(sent).toEqual([]); // not yet: one batch per period
    vi.advanceTimersByTime(FORWARD_EVERY_MS);
    expect(sent).toHaveLength(1);
    const batch = sent[0] as Extract<WorkerMessage, { t: 'parley:inspect.msgs' }>;
    const steps = batch.msgs.filter((m) => m.type === 'step');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const s of steps) expect(s.type === 'step' && s.connId).toBe('w3/twilio-1');
    ci.forward(false);
    actor.send({ type: 'FLUSH' });
    vi.advanceTimersByTime(FORWARD_EVERY_MS);
    expect(sent).toHaveLength(1);
  });

  it('drops steps beyond the cap of a batch and says how many', () => {
    vi.useFakeTimers();
    const { sent, ci, actor } = rig();
    ci.forward(true);
    for (let i = 0; i < FORWARD_MAX_STEPS + 10; i++) actor.send({ type: i % 2 ? 'MEDIA_FLUSHED' : 'FLUSH' });
    vi.advanceTimersByTime(FORWARD_EVERY_MS);
    const msgs = (sent[0] as Extract<WorkerMessage, { t: 'parley:inspect.msgs' }>).msgs;
    expect(msgs.filter((m) => m.type === 'step')).toHaveLength(FORWARD_MAX_STEPS);
    expect(msgs.at(-1)).toEqual({ type: 'dropped', count: 10 });
  });

  it("hands other workers' messages and announced calls to its clients, and announces its own prefixed", () => {
    const { ci } = rig();
    const got: InspectMessage[] = [];
    ci.subscribe((m) => got.push(m));
    ci.remote([{ type: 'call.end', connId: 'w1/x', callId: 'CA1', t: 1 }]);
    expect(got).toEqual([{ type: 'call.end', connId: 'w1/x', callId: 'CA1', t: 1 }]);
    expect(ci.calls().map((c) => c.connId)).toEqual(['w3/twilio-1']);
  });

  it("another worker's announced calls go to the new client alone; the others saw them start", () => {
    const { ci, hub } = rig();
    const first: InspectMessage[] = [];
    const second: InspectMessage[] = [];
    ci.subscribe((m) => first.push(m));
    ci.subscribe((m) => second.push(m));
    const remote = hub.hello() as { calls: Parameters<typeof ci.announced>[1] };
    const theirs = remote.calls.map((c) => ({ ...c, connId: `w1/${c.connId}` }));
    ci.announced(2, theirs);
    expect(first).toEqual([]);
    expect(second.map((m) => m.type === 'call.start' && m.call.connId)).toEqual(['w1/twilio-1']);
    ci.announced(9, theirs); // no such client (it left): nobody
    expect(second).toHaveLength(1);
  });

  it('a dead worker’s calls end for every client; calls of other workers and already ended ones do not', () => {
    const { ci, hub } = rig();
    const got: InspectMessage[] = [];
    ci.subscribe((m) => got.push(m));
    const [call] = (hub.hello() as { calls: Parameters<typeof ci.announced>[1] }).calls;
    ci.remote([
      { type: 'call.start', call: { ...call!, connId: 'w1/a', callId: 'CA-a' } },
      { type: 'call.start', call: { ...call!, connId: 'w1/b', callId: 'CA-b' } },
      { type: 'call.start', call: { ...call!, connId: 'w2/c', callId: 'CA-c' } },
      { type: 'call.rename', connId: 'w1/a', callId: 'CA-a2' },
      { type: 'call.end', connId: 'w1/b', callId: 'CA-b', t: 5 },
    ]);
    got.length = 0;
    const before = Date.now();
    ci.gone(1);
    expect(got.map((m) => m.type === 'call.end' && [m.connId, m.callId])).toEqual([['w1/a', 'CA-a2']]);
    expect(got[0]?.type === 'call.end' && got[0].t).toBeGreaterThanOrEqual(before);
    ci.gone(1); // told once
    expect(got).toHaveLength(1);
  });
});
