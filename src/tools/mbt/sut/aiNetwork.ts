// The network between Parley and the sim-agent, under test control: a TCP proxy on loopback that
// can hold new connections (so a test sees the AI link in `connecting`), release them one at a
// time — optionally adding the sim-agent's per-connection scripting (`sim_fault=…`,
// `sim_reject=…`) to the upgrade request — and drop established connections (TCP reset, no
// close frame): a real socket drop.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

interface Held {
  readonly client: Socket;
  head: Buffer;
  /** The request head is complete (ends with CRLFCRLF). */
  complete: boolean;
  waiters: (() => void)[];
}

export interface ReleaseOptions {
  /** Query parameters appended to the upgrade request (e.g. 'sim_reject=503'). */
  readonly query?: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** An upgrade request head larger than this is refused (a proxy needs a bound too). */
const MAX_HEAD = 16 * 1024;

export class AiNetwork {
  private readonly server: Server;
  private readonly held: Held[] = [];
  private readonly live = new Set<{ client: Socket; upstream: Socket }>();
  private holding = true;
  private closed = false;
  /** Connections accepted, released and dropped so far. */
  accepted = 0;
  released = 0;
  dropped = 0;

  private constructor(private readonly upstreamPort: number) {
    this.server = createServer((s) => this.accept(s));
  }

  /** Starts a proxy in front of the agent on 127.0.0.1:`upstreamPort`; new connections are held. */
  static async start(upstreamPort: number): Promise<AiNetwork> {
    const net = new AiNetwork(upstreamPort);
    net.server.listen(0, '127.0.0.1');
    await once(net.server, 'listening');
    return net;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections waiting to be released. */
  get pending(): number {
    return this.held.length;
  }

  /** Whether new connections are held (else they pass straight through). */
  get isHolding(): boolean {
    return this.holding;
  }

  /** Established (released, not dropped) connections. */
  get established(): number {
    return this.live.size;
  }

  /** Hold new connections (true, the default) or pass them straight through. */
  setHolding(on: boolean): void {
    this.holding = on;
    if (!on) while (this.held.length > 0) void this.releaseNext();
  }

  /** Resolves once a connection is waiting (or rejects after `timeoutMs`). */
  async waitPending(timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.held.length === 0) {
      if (this.closed || Date.now() > end) throw new Error(`no AI connection attempt within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Forwards the oldest held connection to the agent. */
  async releaseNext(opts: ReleaseOptions = {}): Promise<void> {
    const h = this.held.shift();
    if (!h) throw new Error('no held AI connection to release');
    if (!h.complete) await new Promise<void>((r) => h.waiters.push(r));
    this.forward(h, opts.query);
  }

  /** Resets every established connection (both sides): the AI socket drops. */
  dropAll(): number {
    let n = 0;
    for (const pair of this.live) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
      n += 1;
    }
    this.live.clear();
    this.dropped += n;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.held) h.client.destroy();
    this.held.length = 0;
    for (const pair of this.live) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.live.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    client.on('error', () => {});
    const h: Held = { client, head: Buffer.alloc(0), complete: false, waiters: [] };
    const onData = (chunk: Buffer): void => {
      h.head = Buffer.concat([h.head, chunk]);
      if (h.head.length > MAX_HEAD) {
        client.destroy();
        return;
      }
      if (h.head.includes(HEAD_END)) {
        h.complete = true;
        client.off('data', onData);
        client.pause();
        for (const w of h.waiters.splice(0)) w();
      }
    };
    client.on('data', onData);
    client.on('close', () => {
      const i = this.held.indexOf(h);
      if (i >= 0) this.held.splice(i, 1);
    });
    this.held.push(h);
    if (!this.holding) void this.releaseNext();
  }

  private forward(h: Held, query: string | undefined): void {
    const { client } = h;
    if (client.destroyed) return;
    this.released += 1;
    const end = h.head.indexOf(HEAD_END);
    let head = h.head.subarray(0, end).toString('latin1');
    const rest = h.head.subarray(end);
    if (query) {
      // Request line: METHOD SP target SP version; append the parameters to the target.
      head = head.replace(/^(\S+) (\S+) /, (_m, method: string, target: string) => `${method} ${target}${target.includes('?') ? '&' : '?'}${query} `);
    }
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    const pair = { client, upstream };
    this.live.add(pair);
    upstream.on('error', () => client.destroy());
    upstream.once('connect', () => {
      upstream.write(Buffer.concat([Buffer.from(head, 'latin1'), rest]));
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    const gone = (): void => {
      this.live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', gone);
    upstream.on('close', gone);
  }
}
