// The server's own duties over real loopback sockets, with a minimal call handler (the session
// runtime is exercised end to end in test/e2e).
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import { Metrics, silentLogger } from '../../src/obs/index.js';
import { ParleyServer, type CallConnection, type LiveCall } from '../../src/server/index.js';
import { ManualClock } from '../../src/base/clock.js';

class EchoCall implements LiveCall {
  readonly messages: Buffer[] = [];
  drained = false;
  forced = false;
  private resolve!: () => void;
  readonly ended = new Promise<void>((r) => (this.resolve = r));
  constructor(readonly conn: CallConnection) {}
  onMessage(data: unknown): void {
    this.messages.push(data as Buffer);
    this.conn.ws.send(data as Buffer);
  }
  onSocketClose(): void {
    this.resolve();
  }
  onSocketError(): void {}
  drain(): void {
    this.drained = true;
    this.conn.ws.send('draining');
  }
  forceClose(): void {
    this.forced = true;
    this.conn.ws.terminate();
  }
}

let servers: ParleyServer[] = [];
let clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients) c.terminate();
  await Promise.all(servers.map((s) => s.shutdown(0)));
  servers = [];
  clients = [];
});

async function start(overrides: ConfigInput = {}) {
  const config = loadConfig({ env: {}, cwd: '/nonexistent-dir-for-config', overrides: { port: 0, host: '127.0.0.1', ...overrides } });
  const metrics = new Metrics({ processMetrics: false });
  const calls: EchoCall[] = [];
  const clock = new ManualClock();
  const server = new ParleyServer({
    config,
    metrics,
    clock,
    log: silentLogger(),
    handler: {
      accept: (conn) => {
        const c = new EchoCall(conn);
        calls.push(c);
        return c;
      },
    },
  });
  servers.push(server);
  const port = await server.listen();
  return { server, port, metrics, calls, clock, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    clients.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const nextMessage = (ws: WebSocket) => new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

describe('parley server', () => {
  it('answers /healthz, /readyz, /metrics and 404s unknown paths', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', calls: 0 });
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await m.text()).toContain('parley_calls_active');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/twilio`)).status).toBe(426);
  });

  it('upgrades /twilio and /audio-stream, refuses other paths with 404', async () => {
    const { ws, calls, metrics } = await start();
    const a = await connect(`${ws}/twilio`);
    const b = await connect(`${ws}/audio-stream?rate=16000`);
    expect(calls.map((c) => c.conn.protocol)).toEqual(['twilio', 'audio-stream']);
    expect(calls[1]!.conn.url.searchParams.get('rate')).toBe('16000');
    await expect(connect(`${ws}/other`)).rejects.toThrow('HTTP 404');
    expect(await metrics.value('parley_upgrades_refused_total', { reason: 'not_found' })).toBe(1);
    a.close();
    b.close();
  });

  it('requires the token when PARLEY_AUTH_TOKEN is set: header or query accepted, else 401', async () => {
    const { ws, metrics } = await start({ authToken: 's3cret' });
    await expect(connect(`${ws}/twilio`)).rejects.toThrow('HTTP 401');
    await expect(connect(`${ws}/twilio`, { authorization: 'Bearer wrong' })).rejects.toThrow('HTTP 401');
    await expect(connect(`${ws}/twilio?token=s3cre`)).rejects.toThrow('HTTP 401');
    const h = await connect(`${ws}/twilio`, { authorization: 'Bearer s3cret' });
    const q = await connect(`${ws}/audio-stream?token=s3cret`);
    expect(await metrics.value('parley_upgrades_refused_total', { reason: 'unauthorized' })).toBe(3);
    h.close();
    q.close();
  });

  it('refuses calls beyond maxCalls with 503 and a reason, and admits again when one ends', async () => {
    const { ws, calls } = await start({ limits: { maxCalls: 2 } });
    const a = await connect(`${ws}/twilio`);
    await connect(`${ws}/twilio`);
    const res = await new Promise<{ status: number; body: string }>((resolve) => {
      const c = new WebSocket(`${ws}/twilio`);
      c.on('error', () => {});
      c.once('unexpected-response', (_req, r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += String(d)));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
    });
    expect(res.status).toBe(503);
    expect(res.body).toContain('busy: 2 calls in progress');
    a.close();
    await calls[0]!.ended;
    const c = await connect(`${ws}/twilio`);
    c.close();
  });

  it('closes a socket whose message exceeds the size bound with 1009 and counts it', async () => {
    const { ws, metrics } = await start({ limits: { maxMessageBytes: 2048 } });
    const a = await connect(`${ws}/audio-stream`);
    const code = closed(a);
    a.send(Buffer.alloc(4096));
    expect(await code).toBe(1009);
    expect(await metrics.value('parley_protocol_rejections_total', { reason: 'oversize' })).toBe(1);
  });

  it('drops and counts messages over the per-connection rate', async () => {
    // The manual clock never advances: the buckets hold exactly two seconds of each rate.
    const { ws, metrics, calls } = await start({ limits: { rateMessagesPerSec: 10, rateBytesPerSec: 100_000 } });
    const a = await connect(`${ws}/twilio`);
    for (let i = 0; i < 25; i++) a.send(`m${i}`);
    a.send('last');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls[0]!.messages).toHaveLength(20);
    expect(await metrics.value('parley_drops_total', { reason: 'rate_limit' })).toBe(6);
    a.close();
  });

  it('shuts down gracefully: readyz 503 at once, new calls refused, live calls drain until they end', async () => {
    const { server, ws, base, calls } = await start();
    const a = await connect(`${ws}/twilio`);
    const drainedMsg = nextMessage(a);
    const done = server.shutdown(60_000);
    expect(await drainedMsg).toBe('draining');
    expect(calls[0]!.drained).toBe(true);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    await expect(connect(`${ws}/twilio`)).rejects.toThrow('HTTP 503');
    // The call goes on until it ends by itself.
    a.send('still here');
    expect(await nextMessage(a)).toBe('still here');
    expect(server.state).toBe('draining');
    a.close();
    await done;
    expect(server.state).toBe('closed');
    expect(calls[0]!.forced).toBe(false);
  });

  it('force-closes calls still alive after the drain deadline (backstop)', async () => {
    const { server, ws, calls, clock } = await start();
    const a = await connect(`${ws}/twilio`);
    const code = closed(a);
    const done = server.shutdown(1000);
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(999 + 2000);
    expect(calls[0]!.forced).toBe(false);
    clock.advance(1);
    await done;
    expect(calls[0]!.forced).toBe(true);
    expect(await code).toBe(1006);
  });
});
