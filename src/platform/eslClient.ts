// One inbound event-socket connection to FreeSWITCH per process (PARLEY_FREESWITCH_ESL): it
// authenticates, subscribes to DTMF events (`event plain DTMF`) filtered to the calls Parley
// carries (`filter Unique-ID <uuid>`), and runs `api` commands (uuid_kill, uuid_transfer,
// uuid_send_dtmf), each bounded by a timeout. A lost connection is re-opened with backoff and
// its filters restored; commands issued while it is down fail at once (counted by the caller).
// Protocol notes: docs/reference/freeswitch-esl.md.
import { Socket } from 'node:net';
import { EslParser, parseHeaders, type EslMessage } from './eslFrame.js';
import { failed, ok, type ActionResult } from './types.js';

export interface EslOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly commandTimeoutMs?: number;
  /** Backoff of reconnects: first delay, doubled up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onState?: (state: 'ready' | 'down', why?: string) => void;
}

type Pending = { resolve: (m: EslMessage | undefined) => void; done: boolean };
type DtmfListener = (digit: string) => void;

export class EslClient {
  private sock: Socket | undefined;
  private parser = new EslParser();
  private ready = false;
  private stopped = false;
  private pending: Pending[] = [];
  private readonly listeners = new Map<string, DtmfListener>();
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EslOptions) {}

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.sock?.destroy();
    this.fail('closed');
  }

  /** `api <command>`: +OK … is success, -ERR … a refusal; bounded by the command timeout. */
  async api(command: string): Promise<ActionResult> {
    if (/[\r\n]/.test(command)) return failed('refused', 'bad command');
    if (!this.ready) return failed('network', 'the FreeSWITCH event socket is not connected');
    const reply = await this.send(`api ${command}\n\n`);
    if (reply === undefined) return failed('timeout', 'FreeSWITCH did not answer (timeout or connection lost)');
    const text = reply.body.trim();
    if (text.startsWith('+OK')) return ok(text.slice(0, 120));
    return failed('refused', text.slice(0, 120) || 'FreeSWITCH refused the command');
  }

  /** DTMF events of channel `uuid` go to `listener` until the returned function is called. */
  subscribe(uuid: string, listener: DtmfListener): () => void {
    if (/[\s]/.test(uuid) || uuid.length === 0) return () => {};
    this.listeners.set(uuid, listener);
    if (this.ready) void this.send(`filter Unique-ID ${uuid}\n\n`);
    return () => {
      if (this.listeners.get(uuid) !== listener) return;
      this.listeners.delete(uuid);
      if (this.ready) void this.send(`filter delete Unique-ID ${uuid}\n\n`);
    };
  }

  private connect(): void {
    const sock = new Socket();
    this.sock = sock;
    this.parser = new EslParser();
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      let msgs: EslMessage[];
      try {
        msgs = this.parser.push(chunk);
      } catch {
        sock.destroy();
        return;
      }
      for (const m of msgs) this.onMessage(sock, m);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (this.sock !== sock) return;
      this.sock = undefined;
      const was = this.ready;
      this.ready = false;
      this.fail('connection lost');
      if (was) this.opts.onState?.('down', 'connection lost');
      if (!this.stopped) this.scheduleReconnect();
    });
    sock.connect(this.opts.port, this.opts.host);
  }

  private scheduleReconnect(): void {
    const base = this.opts.backoffMs ?? 200;
    const delay = Math.min(this.opts.maxBackoffMs ?? 5000, base * 2 ** Math.min(this.attempt, 10));
    this.attempt++;
    this.retry = setTimeout(() => this.connect(), delay);
    this.retry.unref?.();
  }

  private onMessage(sock: Socket, m: EslMessage): void {
    const type = m.headers.get('Content-Type');
    if (type === 'auth/request') {
      void this.authenticate(sock);
      return;
    }
    if (type === 'command/reply' || type === 'api/response') {
      const p = this.pending.shift();
      if (p && !p.done) {
        p.done = true;
        // A command/reply carries its result in Reply-Text; api/response in the body.
        p.resolve(type === 'command/reply' ? { headers: m.headers, body: m.headers.get('Reply-Text') ?? '' } : m);
      }
      return;
    }
    if (type === 'text/event-plain') return this.onEvent(parseHeaders(m.body, true));
    if (type === 'text/disconnect-notice') sock.destroy();
  }

  private async authenticate(sock: Socket): Promise<void> {
    const auth = await this.send(`auth ${this.opts.password}\n\n`, sock);
    if (!auth?.body.startsWith('+OK')) {
      this.opts.onState?.('down', 'authentication refused');
      sock.destroy();
      return;
    }
    await this.send('event plain DTMF\n\n', sock);
    for (const uuid of this.listeners.keys()) void this.send(`filter Unique-ID ${uuid}\n\n`, sock);
    this.ready = true;
    this.attempt = 0;
    this.opts.onState?.('ready');
  }

  private onEvent(h: Map<string, string>): void {
    if (h.get('Event-Name') !== 'DTMF') return;
    const uuid = h.get('Unique-ID') ?? h.get('Channel-Call-UUID');
    const digit = h.get('DTMF-Digit');
    if (!uuid || !digit || !/^[0-9*#A-D]$/.test(digit)) return;
    this.listeners.get(uuid)?.(digit);
  }

  /** Writes one command; resolves with its reply, or undefined on timeout or loss. */
  private send(text: string, sock = this.sock): Promise<EslMessage | undefined> {
    if (!sock || sock.destroyed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const p: Pending = { resolve, done: false };
      this.pending.push(p);
      // Replies come in command order: once one is overdue the order can no longer be
      // trusted, so the connection is dropped (and re-opened) rather than waited on.
      const t = setTimeout(() => {
        if (p.done) return;
        p.done = true;
        resolve(undefined);
        if (this.sock === sock) this.ready = false;
        sock.destroy();
      }, this.opts.commandTimeoutMs ?? 3000);
      t.unref?.();
      sock.write(text);
    });
  }

  private fail(_why: string): void {
    const ps = this.pending;
    this.pending = [];
    for (const p of ps) {
      if (!p.done) {
        p.done = true;
        p.resolve(undefined);
      }
    }
  }
}


