// `parley serve`'s HTTP side: one port, WebSocket upgrades on each platform's path (/twilio,
// /audio-stream, …: src/telephony/registry.ts; ws, noServer), /healthz, /readyz, /metrics; auth
// (bearer token, or the platform's own signature where it has one), request-head
// size, request deadline and per-IP connection limits, message size, per-connection rate and
// concurrent-call limits; graceful shutdown (readyz 503 at once, refuse new calls, drain live
// ones up to the deadline, then force-close them with the protocol's goodbye).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ParleyConfig } from '../config/index.js';
import type { Logger, Metrics, RefusalReason } from '../obs/index.js';
import { redactUrl } from '../obs/index.js';
import type { Clock } from '../base/clock.js';
import type { TelephonyProtocol } from '../telephony/types.js';
import type { AuthContext } from '../telephony/platform.js';
import { platformForPath, websocketPaths } from '../telephony/registry.js';
import { isAuthorized } from './auth.js';
import { ConnectionGuard } from './connectionGuard.js';
import { ConnectionLimiter } from './rateLimit.js';
import { refuseUpgrade } from './refuse.js';
import type { CallHandler, LiveCall } from '../session/seam.js';
import type { RouteHandler, UpgradeRoute } from './types.js';

/** How long after the drain deadline a call that has not ended is force-closed. */
export const BACKSTOP_MS = 2000;

export interface ServerOptions {
  readonly config: Pick<ParleyConfig, 'port' | 'host' | 'authToken' | 'twilioAuthToken' | 'publicUrl' | 'limits' | 'shutdown'>;
  readonly handler: CallHandler;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly routes?: readonly RouteHandler[];
  readonly upgrades?: readonly UpgradeRoute[];
  /**
   * Admission beyond this process (a cluster worker asks the primary: PARLEY_MAX_CALLS is the
   * whole cluster's). `admit` resolves false to refuse; a true holds a place until the call's
   * live report (`onCallCount` +1) takes it over, or until `settle` when the attempt failed.
   */
  readonly admission?: { readonly admit: () => Promise<boolean>; readonly settle: () => void };
  /** Called with +1 when a call attaches and -1 when it ends (a cluster worker reports them). */
  readonly onCallCount?: (protocol: TelephonyProtocol, delta: 1 | -1) => void;
  /** The /metrics body; default this process's registry (a cluster worker answers the aggregate). */
  readonly scrape?: () => Promise<string>;
  /** Platform secrets by environment name, over process.env (PARLEY_TWILIO_AUTH_TOKEN comes from config). */
  readonly secrets?: Readonly<Record<string, string | undefined>>;
}

export type ServerState = 'idle' | 'listening' | 'draining' | 'closed';

/** A held place for one new call (ParleyServer.reserveCall). */
export interface CallPlace {
  /** The call is counted live: the place is now the call. */
  readonly taken: () => void;
  /** The attempt failed: the place is free again. */
  readonly release: () => void;
}

/** What RFC 6455 §4.2.1 (and ws) require of an upgrade request, or undefined when it complies. */
function badHandshake(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return 'method must be GET';
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade must be websocket';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) return 'Sec-WebSocket-Key must be 16 bytes in base64';
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return 'Sec-WebSocket-Version must be 13';
  return undefined;
}

export class ParleyServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly calls = new Set<LiveCall>();
  private readonly guard: ConnectionGuard;
  /** Upgrades admitted but not yet attached; they count against maxCalls. */
  private upgrading = 0;
  private stateValue: ServerState = 'idle';
  private shutdownPromise: Promise<void> | undefined;

  constructor(private readonly opts: ServerOptions) {
    const { limits } = opts.config;
    this.http = createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        // Node's own slow-request defence, checked often enough to matter at this deadline.
        headersTimeout: limits.upgradeTimeoutMs,
        requestTimeout: limits.upgradeTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.upgradeTimeoutMs / 2))),
      },
      (req, res) => this.request(req, res),
    );
    this.guard = new ConnectionGuard({
      maxConnectionsPerIp: limits.maxConnectionsPerIp,
      requestTimeoutMs: limits.upgradeTimeoutMs,
      onRefused: (reason, remote) => {
        opts.metrics.upgradesRefused.inc({ reason });
        opts.log.warn({ reason, remote }, 'connection refused');
      },
    });
    this.http.on('connection', (socket: Socket) => this.guard.admit(socket));
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.http.on('clientError', (err: Error & { code?: string }, socket) => this.clientError(err, socket));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.config.limits.maxMessageBytes,
      clientTracking: false,
      // mod_audio_stream offers permessage-deflate; declining is allowed and keeps audio off
      // ws's zlib pool (bounded concurrency: under load it queued frames by hundreds of ms).
      perMessageDeflate: false,
    });
  }

  get state(): ServerState {
    return this.stateValue;
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return (this.http.address() as AddressInfo | null)?.port ?? 0;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.config.port, this.opts.config.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.stateValue = 'listening';
    this.opts.log.info({ port: this.port, host: this.opts.config.host }, 'listening');
    return this.port;
  }

  /** A request Node could not parse (or that came too slowly): answered, counted, closed. */
  private clientError(err: Error & { code?: string }, socket: Duplex): void {
    socket.on('error', () => {});
    this.guard.requestArrived(socket as Socket); // answered here: the deadline must not count it again
    const code = err.code ?? '';
    // The peer went away: nothing to answer, nothing hostile.
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) return void socket.destroy();
    const [reason, status]: [RefusalReason, number] =
      code === 'HPE_HEADER_OVERFLOW' ? ['header_too_large', 431] : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['upgrade_timeout', 408] : ['bad_request', 400];
    this.refuse(socket, reason, status, reason === 'header_too_large' ? `request head over ${this.opts.config.limits.maxHeaderBytes} B` : reason.replace('_', ' '));
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    this.guard.requestArrived(req.socket);
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/healthz') return json(200, { status: 'ok' });
      if (path === '/readyz') {
        return this.stateValue === 'listening'
          ? json(200, { status: 'ready', calls: this.calls.size })
          : json(503, { status: this.stateValue, calls: this.calls.size });
      }
      if (path === '/metrics') {
        (this.opts.scrape ?? (() => this.opts.metrics.text()))().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.opts.metrics.contentType });
            res.end(req.method === 'HEAD' ? undefined : text);
          },
          (err: unknown) => {
            this.opts.log.error({ err }, 'metrics failed');
            json(500, { error: 'metrics failed' });
          },
        );
        return;
      }
    }
    for (const route of this.opts.routes ?? []) if (route(req, res)) return;
    if (path && platformForPath(path)) return json(426, { error: 'WebSocket upgrade required' });
    json(404, { error: 'not found' });
  }

  private refuse(socket: Duplex, reason: RefusalReason, status: number, body: string, headers: Record<string, string> = {}): void {
    this.opts.metrics.upgradesRefused.inc({ reason });
    refuseUpgrade(socket, status, body, headers);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    this.guard.requestArrived(req.socket);
    const url = new URL(req.url ?? '/', 'http://parley.invalid');
    const platform = platformForPath(url.pathname);
    const log = this.opts.log;
    if (!platform) for (const route of this.opts.upgrades ?? []) if (route.handleUpgrade(req, socket, head)) return;
    if (!platform) return this.refuse(socket, 'not_found', 404, `no WebSocket endpoint at ${url.pathname}; use ${websocketPaths().join(', ')}`);
    const protocol = platform.id;
    if (this.stateValue !== 'listening') {
      return this.refuse(socket, 'draining', 503, 'shutting down: not accepting new calls', { 'Retry-After': '5' });
    }
    const { authToken } = this.opts.config;
    // A platform with its own credential (Twilio's signature: Twilio cannot send a bearer header,
    // and drops query strings from <Stream> URLs) takes either that or the bearer token.
    const verdict = platform.authenticate?.({ headers: req.headers, url: req.url ?? '/', remoteAddress: req.socket.remoteAddress ?? '' }, this.authContext());
    const signature = verdict?.result;
    const bearerOk = authToken ? isAuthorized(req, url, authToken) : verdict === undefined;
    if (signature !== 'valid' && !bearerOk) {
      log.warn({ path: redactUrl(req.url ?? ''), remote: req.socket.remoteAddress, signature }, 'upgrade refused: bad or missing credentials');
      if (verdict?.result === 'invalid') return this.refuse(socket, 'bad_signature', 403, verdict.detail);
      return this.refuse(socket, 'unauthorized', 401, 'missing or wrong token (Authorization: Bearer <token> or ?token=)', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    // ws would refuse a malformed handshake with a bare 400 and no trace: answer and count it here.
    const bad = badHandshake(req);
    if (bad) return this.refuse(socket, 'bad_request', 400, `bad WebSocket handshake: ${bad}`);
    void this.reserveCall().then((place) => {
      if ('reason' in place) {
        log.warn({ calls: this.calls.size, max: this.opts.config.limits.maxCalls }, place.reason === 'busy' ? 'upgrade refused: at capacity' : 'upgrade refused: draining');
        return this.refuse(socket, place.reason, 503, place.detail, { 'Retry-After': place.reason === 'busy' ? '1' : '5' });
      }
      // Closed while it waited for its place; or a handshake ws rejects (it ends the socket
      // without calling back).
      if (socket.destroyed) return place.release();
      socket.once('close', place.release);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (this.attach(ws, protocol, url, req.socket.remoteAddress ?? '', socket)) place.taken();
        else place.release();
      });
    });
  }

  private authContext(): AuthContext {
    const { authToken, twilioAuthToken, publicUrl } = this.opts.config;
    const secrets: Readonly<Record<string, string | undefined>> = { PARLEY_AUTH_TOKEN: authToken, PARLEY_TWILIO_AUTH_TOKEN: twilioAuthToken, ...this.opts.secrets };
    return { publicUrl, secret: (name) => (name in secrets ? secrets[name] : process.env[name]) || undefined };
  }

  /**
   * A place for one new call, from any transport, or why there is none: draining, or the call
   * limit (with workers, the primary's admission over the whole cluster). The place counts against
   * the limit until the caller says what became of it, once: `taken` when the call is counted live
   * (with workers, its live report takes the place over at the primary), `release` when the attempt
   * failed (with workers, the place is settled). Both are idempotent, and the first one wins.
   */
  async reserveCall(): Promise<CallPlace | { readonly reason: 'draining' | 'busy'; readonly detail: string }> {
    const max = this.opts.config.limits.maxCalls;
    const draining = { reason: 'draining', detail: 'shutting down: not accepting new calls' } as const;
    const busy = { reason: 'busy', detail: `busy: ${max} calls in progress (limit PARLEY_MAX_CALLS)` } as const;
    if (this.stateValue !== 'listening') return draining;
    if (this.calls.size + this.upgrading >= max) return busy;
    this.upgrading += 1;
    const admission = this.opts.admission;
    const admitted = admission ? await admission.admit() : true;
    let held = true;
    const end = (settle: boolean) => {
      if (!held) return;
      held = false;
      this.upgrading -= 1;
      if (settle && admitted) admission?.settle();
    };
    const place: CallPlace = { taken: () => end(false), release: () => end(true) };
    if (admitted && this.stateValue === 'listening') return place;
    place.release(); // refused, or the drain began while it waited
    return admitted ? draining : busy;
  }

  /** A call accepted on another transport: counted, limited and drained like the WebSocket ones. */
  adopt(call: LiveCall, protocol: TelephonyProtocol): void {
    this.calls.add(call);
    this.opts.onCallCount?.(protocol, 1);
    void call.ended.finally(() => {
      this.calls.delete(call);
      this.opts.onCallCount?.(protocol, -1);
    });
    if (this.stateValue === 'draining') call.drain();
  }

  /** True when the call is set up and counted live. */
  private attach(ws: WebSocket, protocol: TelephonyProtocol, url: URL, remoteAddress: string, socket: Duplex): boolean {
    const { metrics, clock } = this.opts;
    const cork = () => {
      socket.cork();
      return () => socket.uncork();
    };
    let call: LiveCall;
    try {
      call = this.opts.handler.accept({ ws, protocol, url, remoteAddress, cork, writeFrames: (frames) => void socket.write(frames) });
    } catch (err) {
      this.opts.log.error({ err }, 'call setup failed');
      ws.close(1011, 'internal error');
      return false;
    }
    this.calls.add(call);
    this.opts.onCallCount?.(protocol, 1);
    const limiter = new ConnectionLimiter(this.opts.config.limits, clock.now());
    ws.on('message', (data, isBinary) => {
      const size = Buffer.isBuffer(data) ? data.length : data instanceof ArrayBuffer ? data.byteLength : data.reduce((n, b) => n + b.length, 0);
      if (!limiter.allow(size, clock.now())) {
        metrics.drop('rate_limit');
        return;
      }
      call.onMessage(data, isBinary);
    });
    ws.on('error', (err) => {
      // ws closes with 1009 itself when a message exceeds maxPayload.
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.protocolRejections.inc({ protocol, reason: 'oversize' });
      }
      call.onSocketError(err);
    });
    ws.on('close', (code, reason) => call.onSocketClose(code, reason.toString('utf8')));
    void call.ended.finally(() => {
      this.calls.delete(call);
      this.opts.onCallCount?.(protocol, -1);
    });
    if (this.stateValue === 'draining') call.drain();
    return true;
  }

  /**
   * Graceful shutdown: readyz 503 and new calls refused at once; live calls are told to drain
   * (each closes itself with the protocol's goodbye at the drain deadline, a session-machine
   * timer); any call still alive `BACKSTOP_MS` after that is force-closed. Resolves when every
   * call has ended and the port is closed.
   */
  shutdown(drainMs = this.opts.config.shutdown.drainMs): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(drainMs);
    return this.shutdownPromise;
  }

  private async runShutdown(drainMs: number): Promise<void> {
    const { log, clock } = this.opts;
    this.stateValue = 'draining';
    const live = [...this.calls];
    log.info({ calls: live.length, drainMs }, 'shutdown: draining calls');
    for (const c of live) c.drain();
    const allEnded = () => Promise.all([...this.calls].map((c) => c.ended)).then(() => undefined);
    let timer: { cancel(): void } | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = clock.setTimer(drainMs + BACKSTOP_MS, () => resolve('deadline'));
    });
    // Calls that attach while draining (upgrades already in flight) are in this.calls too.
    const outcome = await Promise.race([allEnded().then(() => 'drained' as const), deadline]);
    timer?.cancel();
    if (outcome === 'deadline') {
      const rest = [...this.calls];
      log.warn({ calls: rest.length }, 'shutdown: calls still alive after the drain deadline; force-closing');
      for (const c of rest) c.forceClose();
      await allEnded();
    }
    await this.closeListener();
    this.stateValue = 'closed';
    log.info('shutdown complete');
  }

  private closeListener(): Promise<void> {
    return new Promise((resolve) => {
      this.wss.close();
      this.guard.close();
      for (const route of this.opts.upgrades ?? []) route.close();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
