// Live inspection over real loopback sockets: the bridge's /inspect endpoint (auth, hello,
// coalesced step frames from real machine actors, read-only, backpressure, shutdown), the hub's
// cheap path with nobody watching, and `parley viz`'s /live relay in front of it.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor } from 'xstate';
import { playoutMachine } from '../../machines/playout.js';
import { loadConfig } from '../../src/config/index.js';
import { Metrics, NULL_TRACE, silentLogger } from '../../src/obs/index.js';
import { ParleyServer } from '../../src/server/index.js';
import { ManualClock } from '../../src/base/clock.js';
import { InspectEndpoint, type InspectEndpointOptions } from '../../src/server/inspectEndpoint.js';
import { InspectHub } from '../../src/obs/inspect/hub.js';
import { activePaths, sanitize, type InspectMessage, type StepMessage } from '../../src/obs/inspect/protocol.js';
import { VizServer } from '../../src/tools/viz/server.js';

const TOKEN = 'sekret-token';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function bridge(opts: Partial<InspectEndpointOptions> = {}) {
  const config = loadConfig({ env: {}, cwd: '/nonexistent-dir-for-config', overrides: { port: 0, host: '127.0.0.1', authToken: TOKEN } });
  const hub = new InspectHub({ machines: ['playout'] });
  const refused: string[] = [];
  const endpoint = new InspectEndpoint({ hub, authToken: TOKEN, onRefused: (r) => refused.push(r), ...opts });
  const server = new ParleyServer({
    config,
    metrics: new Metrics({ processMetrics: false }),
    clock: new ManualClock(),
    log: silentLogger(),
    handler: { accept: () => { throw new Error('no calls in this test'); } },
    routes: [endpoint.route],
    upgrades: [endpoint],
  });
  const port = await server.listen();
  cleanup.push(() => server.shutdown(0));
  return { hub, endpoint, server, refused, port, url: `ws://127.0.0.1:${port}/inspect` };
}

/** A client that flattens every frame (a JSON array) into one message list. */
function client(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  cleanup.push(() => ws.terminate());
  const messages: (InspectMessage | { type: 'relay'; state: string; detail?: string })[] = [];
  let frames = 0;
  ws.on('message', (d) => {
    frames += 1;
    messages.push(...(JSON.parse(String(d)) as typeof messages));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const until = async <T extends (typeof messages)[number]>(pred: (m: (typeof messages)[number]) => m is T, ms = 5000): Promise<T> => {
    const t0 = Date.now();
    for (;;) {
      const hit = messages.find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > ms) throw new Error(`timed out; got ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ws, messages, opened, until, frames: () => frames };
}

const isType =
  <K extends string>(type: K) =>
  (m: { type: string }): m is Extract<InspectMessage, { type: K }> =>
    m.type === type;

describe('/inspect on the bridge', () => {
  it('requires the same token as the telephony endpoints', async () => {
    const b = await bridge();
    await expect(client(b.url).opened).rejects.toThrow('HTTP 401');
    await expect(client(b.url, { authorization: 'Bearer wrong' }).opened).rejects.toThrow('HTTP 401');
    const bearer = client(b.url, { authorization: `Bearer ${TOKEN}` });
    await bearer.opened;
    const hello = await bearer.until(isType('hello'));
    expect(hello).toMatchObject({ version: 1, machines: ['playout'], calls: [] });
    await client(`${b.url}?token=${TOKEN}`).opened;
    expect(b.refused).toEqual(['unauthorized', 'unauthorized']);
    const res = await fetch(`http://127.0.0.1:${b.port}/inspect`);
    expect(res.status).toBe(426);
  });

  it('streams each step of a real machine actor, with renames and the end of the call', async () => {
    const b = await bridge();
    const c = client(b.url, { authorization: `Bearer ${TOKEN}` });
    await c.opened;
    await c.until(isType('hello'));

    const call = b.hub.openCall('twilio-1', 'twilio');
    const actor = createActor(playoutMachine, { input: { lookaheadMs: 80 }, inspect: call.inspector('playout') });
    actor.start();
    actor.send({ type: 'WRITE', bufferedMs: 20 });
    actor.send({ type: 'WRITE', bufferedMs: 100 });
    call.rename('CA42');
    actor.send({ type: 'FLUSH' });
    call.end();

    await c.until(isType('call.end'));
    const steps = c.messages.filter(isType('step'));
    expect(steps.map((s) => `${s.event.type}:${s.from ?? '∅'}→${s.to}`)).toEqual([
      'xstate.init:∅→idle',
      'WRITE:idle→prefill',
      'WRITE:prefill→playing',
      'FLUSH:playing→flushing',
    ]);
    const playing = steps[2] as StepMessage;
    expect(playing).toMatchObject({ machine: 'playout', connId: 'twilio-1', callId: 'twilio-1', seq: 3, changed: true });
    expect(playing.view).toEqual({ value: 'playing', paths: ['playing'], tags: ['media.accept', 'media.playout'] });
    expect(playing.event).toEqual({ type: 'WRITE', bufferedMs: 100 });
    expect(steps[3]?.callId).toBe('CA42');
    expect(c.messages.map((m) => m.type)).toEqual(['hello', 'call.start', 'step', 'step', 'step', 'call.rename', 'step', 'call.end']);
    // Coalesced: far fewer frames than messages.
    expect(c.frames()).toBeLessThan(c.messages.length);

    // A client arriving later sees the ended call with its final state and recent log.
    const late = client(b.url, { authorization: `Bearer ${TOKEN}` });
    const hello = await late.until(isType('hello'));
    expect(hello.calls).toHaveLength(1);
    expect(hello.calls[0]).toMatchObject({ connId: 'twilio-1', callId: 'CA42', protocol: 'twilio', machines: { playout: { value: 'flushing' } } });
    expect(hello.calls[0]?.endedAt).toBeTypeOf('number');
    expect(hello.calls[0]?.log.map((s) => s.event.type)).toEqual(['xstate.init', 'WRITE', 'WRITE', 'FLUSH']);
  });

  it('is read-only: a client message gets an error and is counted', async () => {
    const b = await bridge();
    const c = client(b.url, { authorization: `Bearer ${TOKEN}` });
    await c.opened;
    c.ws.send('{"type":"subscribe"}');
    const err = await c.until(isType('error'));
    expect(err.message).toMatch(/read-only/);
    expect(b.endpoint.stats.inboundRejected).toBe(1);
  });

  it('drops steps for a client that falls behind, counts them and tells it', async () => {
    const b = await bridge({ maxQueued: 5, flushMs: 100 });
    const c = client(b.url, { authorization: `Bearer ${TOKEN}` });
    await c.opened;
    await c.until(isType('hello'));
    const call = b.hub.openCall('c', 'audio-stream');
    const actor = createActor(playoutMachine, { input: {}, inspect: call.inspector('playout') }).start();
    for (let i = 0; i < 30; i++) actor.send({ type: 'WRITE', bufferedMs: 1 });
    const dropped = await c.until(isType('dropped'));
    // call.start + init + 30 writes = 32 messages, 5 queued: 27 steps dropped.
    expect(dropped.count).toBe(27);
    expect(b.endpoint.stats.stepsDropped).toBe(27);
    expect(c.messages.filter(isType('step'))).toHaveLength(4);
  });

  it('closes inspect clients when the server shuts down', async () => {
    const b = await bridge();
    const c = client(b.url, { authorization: `Bearer ${TOKEN}` });
    await c.opened;
    const code = new Promise<number>((r) => c.ws.once('close', (k) => r(k)));
    await b.server.shutdown(0);
    expect(await code).toBe(1001);
  });
});

describe('InspectHub', () => {
  it('does no per-step work while nobody watches, and full work once someone does', () => {
    const hub = new InspectHub();
    const call = hub.openCall('x', 'twilio');
    let reads = 0;
    const inspect = call.inspector('playout');
    const step = () =>
      inspect({
        type: '@xstate.snapshot',
        rootId: 'x',
        actorRef: {} as never,
        event: { type: 'PING', get payload() { reads += 1; return 1; } },
        snapshot: { value: { active: 'live' }, tags: new Set(['b', 'a']) } as never,
      });
    step();
    expect(reads).toBe(0);
    const got: InspectMessage[] = [];
    const off = hub.subscribe((m) => got.push(m));
    step();
    off();
    expect(reads).toBe(1);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'step', from: 'active.live', to: 'active.live', changed: false, view: { paths: ['active', 'active.live'], tags: ['a', 'b'] } });
    // The summary is computed from the kept snapshot even for steps nobody saw.
    expect(hub.hello()).toMatchObject({ calls: [{ machines: { playout: { value: 'active.live' } } }] });
  });

  it('inspects a watched actor only while someone subscribes (tracing off)', async () => {
    const hub = new InspectHub();
    const traced = hub.traced(NULL_TRACE, 'conn', 'twilio');
    // Tracing off: no always-on inspector, so XState builds no inspection events.
    expect(traced.inspector('playout')).toBeUndefined();
    // The earlier always-on hook, kept for the capacity bench's baseline.
    expect(new InspectHub().traced(NULL_TRACE, 'c2', 'twilio', { alwaysInspect: true }).inspector('playout')).toBeTypeOf('function');
    const actor = createActor(playoutMachine, { input: {}, inspect: traced.inspector('playout') });
    let observed = 0;
    actor.system.inspect(() => (observed += 1));
    traced.watch?.('playout', actor);
    actor.start();
    const before = observed;
    // Nobody watching: the hub added no observer, yet its summary shows the actor's state.
    expect(hub.hello()).toMatchObject({ calls: [{ machines: { playout: { value: 'idle' } } }] });
    const got: InspectMessage[] = [];
    const off = hub.subscribe((m) => got.push(m));
    actor.send({ type: 'WRITE', bufferedMs: 0 });
    expect(got).toEqual([expect.objectContaining({ type: 'step', machine: 'playout', from: 'idle', to: 'prefill' })]);
    off();
    got.length = 0;
    actor.send({ type: 'CLOSE' });
    expect(got).toHaveLength(0);
    expect(observed).toBeGreaterThan(before);
    await traced.close();
    await Promise.resolve();
    expect(hub.hello()).toMatchObject({ calls: [{ machines: { playout: { value: 'closed' } } }] });
  });

  it('wraps a call trace: both see every step, rename and close', async () => {
    const hub = new InspectHub();
    const seen: string[] = [];
    const trace = {
      ...NULL_TRACE,
      inspector: () => (ev: { type: string }) => seen.push(ev.type),
      rename: (id: string) => seen.push(`rename:${id}`),
      close: async () => void seen.push('close'),
      record: () => {},
      path: undefined,
    };
    const traced = hub.traced(trace, 'conn', 'twilio');
    createActor(playoutMachine, { input: {}, inspect: traced.inspector('playout') }).start().send({ type: 'CLOSE' });
    traced.rename('CA1');
    await traced.close();
    expect(seen.filter((s) => s === '@xstate.snapshot')).toHaveLength(2);
    expect(seen.slice(-2)).toEqual(['rename:CA1', 'close']);
    expect(hub.hello()).toMatchObject({ calls: [{ callId: 'CA1', machines: { playout: { value: 'closed' } } }] });
    expect(hub.liveCalls).toBe(0);
  });

  it('sanitises payloads: bytes become lengths, nothing unbounded survives', () => {
    expect(sanitize({ type: 'AUDIO', pcm: Buffer.alloc(640), s: 'x'.repeat(500), deep: { a: { b: { c: { d: { e: 1 } } } } } })).toEqual({
      type: 'AUDIO',
      pcm: { bytes: 640 },
      s: `${'x'.repeat(160)}…(500)`,
      deep: { a: { b: { c: '<…>' } } },
    });
    expect(activePaths({ call: { live: 'talking' }, link: 'open' })).toEqual(['call', 'call.live', 'call.live.talking', 'link', 'link.open']);
  });
});

describe('parley viz /live relay', () => {
  it('relays the bridge stream with the token held server-side', async () => {
    const b = await bridge();
    const viz = new VizServer({ root: process.cwd(), port: 0, inspectUrl: b.url, inspectToken: TOKEN });
    await viz.listen();
    cleanup.push(() => viz.close());
    const page = client(`ws://127.0.0.1:${viz.port}/live`);
    await page.opened;
    await page.until((m): m is { type: 'relay'; state: string } => m.type === 'relay' && (m as { state: string }).state === 'open');
    await page.until(isType('hello'));
    const call = b.hub.openCall('relay-call', 'twilio');
    createActor(playoutMachine, { input: {}, inspect: call.inspector('playout') }).start();
    const step = await page.until(isType('step'));
    expect(step).toMatchObject({ connId: 'relay-call', to: 'idle' });
  });

  it('reports a refused token and the live view being off', async () => {
    const b = await bridge();
    const viz = new VizServer({ root: process.cwd(), port: 0, inspectUrl: b.url, inspectToken: 'wrong' });
    await viz.listen();
    cleanup.push(() => viz.close());
    const page = client(`ws://127.0.0.1:${viz.port}/live`);
    const closed = await page.until((m): m is { type: 'relay'; state: string; detail?: string } => m.type === 'relay' && (m as { state: string }).state === 'closed');
    expect(closed.detail).toMatch(/401/);

    const off = new VizServer({ root: process.cwd(), port: 0 });
    await off.listen();
    cleanup.push(() => off.close());
    const p2 = client(`ws://127.0.0.1:${off.port}/live`);
    const m = await p2.until((x): x is { type: 'relay'; state: string } => x.type === 'relay');
    expect(m.state).toBe('off');
  });
});
