// The bridge's `/inspect` WebSocket: streams the InspectHub to clients (the `parley viz` page,
// through its relay). Same auth as the telephony endpoints (PARLEY_AUTH_TOKEN as
// `Authorization: Bearer` or `?token=`). Each client gets a coalesced frame every `flushMs`,
// a bounded queue (excess steps dropped and counted, reported to the client as `dropped`), and
// nothing at all while its socket is backed up.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { isAuthorized } from './auth.js';
import { refuseUpgrade } from './refuse.js';
import type { UpgradeRoute } from './types.js';
import type { InspectListener } from '../obs/inspect/hub.js';
import type { InspectMessage } from '../obs/inspect/protocol.js';

export const INSPECT_PATH = '/inspect';

/** What the endpoint streams: the runtime's InspectHub, or with workers, all of theirs. */
export interface InspectSource {
  /** The first message of a connection: the calls as they are now. */
  hello(): InspectMessage;
  /** Every later message; returns the unsubscribe function. */
  subscribe(fn: InspectListener): () => void;
}

export interface InspectEndpointOptions {
  readonly hub: InspectSource;
  /** PARLEY_AUTH_TOKEN; undefined means open, exactly like the telephony endpoints. */
  readonly authToken: string | undefined;
  readonly maxClients?: number;
  readonly flushMs?: number;
  /** Messages queued per client before steps are dropped. */
  readonly maxQueued?: number;
  /** A client whose socket holds more than this is skipped until it drains. */
  readonly maxBufferedBytes?: number;
  /** Called for every refused upgrade (the server counts them in its refusal metric). */
  readonly onRefused?: (reason: 'unauthorized' | 'busy' | 'draining') => void;
}

export interface InspectStats {
  clients: number;
  framesSent: number;
  stepsDropped: number;
  /** Messages clients sent (the stream is read-only; each is answered with an error). */
  inboundRejected: number;
  refused: number;
}

class Client {
  private queue: InspectMessage[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: Required<Pick<InspectEndpointOptions, 'flushMs' | 'maxQueued' | 'maxBufferedBytes'>>,
    private readonly stats: InspectStats,
  ) {}

  push(msg: InspectMessage): void {
    if (msg.type === 'step' && this.queue.length >= this.opts.maxQueued) {
      this.dropped += 1;
      this.stats.stepsDropped += 1;
      return;
    }
    this.queue.push(msg);
    this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs).unref();
  }

  /** Sends now, bypassing the coalescing delay (used for hello). */
  sendNow(msgs: readonly InspectMessage[]): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msgs));
      this.stats.framesSent += 1;
    }
  }

  private flush(): void {
    this.timer = undefined;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.timer = setTimeout(() => this.flush(), this.opts.flushMs).unref();
      return;
    }
    const batch: InspectMessage[] = this.dropped ? [{ type: 'dropped', count: this.dropped }, ...this.queue] : this.queue;
    this.queue = [];
    this.dropped = 0;
    if (batch.length) this.sendNow(batch);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }
}

export class InspectEndpoint implements UpgradeRoute {
  readonly stats: InspectStats = { clients: 0, framesSent: 0, stepsDropped: 0, inboundRejected: 0, refused: 0 };
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  private closed = false;

  constructor(private readonly opts: InspectEndpointOptions) {}

  /** Plain GET /inspect: a hint, since the stream is a WebSocket (the page is `parley viz`). */
  readonly route = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== INSPECT_PATH) return false;
    res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    res.end(JSON.stringify({ error: 'WebSocket upgrade required; view it with `parley viz --inspect ws://<host>:<port>/inspect`' }));
    return true;
  };

  private refuse(socket: Duplex, reason: 'unauthorized' | 'busy' | 'draining', status: number, body: string, headers: Record<string, string> = {}): void {
    this.stats.refused += 1;
    this.opts.onRefused?.(reason);
    refuseUpgrade(socket, status, body, headers);
  }

  /** Takes the upgrade when it is for /inspect; returns false to leave it to the server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://parley.invalid');
    if (url.pathname !== INSPECT_PATH) return false;
    socket.on('error', () => {});
    if (this.closed) {
      this.refuse(socket, 'draining', 503, 'shutting down');
      return true;
    }
    if (!isAuthorized(req, url, this.opts.authToken)) {
      this.refuse(socket, 'unauthorized', 401, 'missing or wrong token (Authorization: Bearer <token> or ?token=)', { 'WWW-Authenticate': 'Bearer' });
      return true;
    }
    if (this.wss.clients.size >= (this.opts.maxClients ?? 16)) {
      this.refuse(socket, 'busy', 503, `busy: ${this.opts.maxClients ?? 16} inspect clients connected`, { 'Retry-After': '5' });
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
    return true;
  }

  private attach(ws: WebSocket): void {
    const { hub } = this.opts;
    const client = new Client(
      ws,
      { flushMs: this.opts.flushMs ?? 50, maxQueued: this.opts.maxQueued ?? 5000, maxBufferedBytes: this.opts.maxBufferedBytes ?? 4 << 20 },
      this.stats,
    );
    this.stats.clients += 1;
    client.sendNow([hub.hello()]);
    const unsubscribe = hub.subscribe((m) => client.push(m));
    ws.on('message', () => {
      this.stats.inboundRejected += 1;
      client.sendNow([{ type: 'error', message: 'the inspect stream is read-only; messages are ignored' }]);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.stats.clients -= 1;
      unsubscribe();
      client.stop();
    });
  }

  /** Closes every inspect client (server shutdown). */
  close(): void {
    this.closed = true;
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    this.wss.close();
  }
}
