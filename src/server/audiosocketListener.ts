// The Asterisk AudioSocket listener (PARLEY_AUDIOSOCKET_PORT): a raw TCP server, one call per
// connection. AudioSocket carries no credential, so who may connect is decided here: the
// source address must be in PARLEY_AUDIOSOCKET_ALLOW (default loopback only), and when
// PARLEY_AUDIOSOCKET_UUID_PREFIX is set the first message must be a UUID starting with it (the
// dialplan chooses the UUID: a shared prefix is a weak secret, readable by anyone on the path).
// Drain, capacity, message size and rate limits are the WebSocket server's.
import { createServer, isIPv4, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Clock } from '../base/clock.js';
import type { ParleyConfig } from '../config/index.js';
import type { Logger, Metrics, RefusalReason } from '../obs/index.js';
import type { CallHandler, LiveCall } from '../session/seam.js';
import { AudioSocketFramer } from '../telephony/audiosocket/framer.js';
import { HEADER_BYTES, KIND, message, uuidText } from '../telephony/audiosocket/wire.js';
import { ConnectionLimiter } from './rateLimit.js';
import { TcpTelephonySocket } from './tcpSocket.js';
import type { CallPlace, ParleyServer } from './server.js';

const PROTOCOL = 'audiosocket';
/** Asterisk's own error code for "hang-up": what a refused connection is told before the close. */
const REFUSED = message(KIND.error, Buffer.from([0x01]));

export interface AudioSocketListenerOptions {
  readonly port: number;
  readonly host: string;
  /** Source addresses allowed to connect (IPv4/IPv6 text); empty: loopback only. */
  readonly allow: readonly string[];
  readonly uuidPrefix: string | undefined;
  readonly limits: ParleyConfig['limits'];
  readonly server: ParleyServer;
  readonly handler: CallHandler;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
}

/** '::ffff:127.0.0.1' and '127.0.0.1' are the same source. */
function plainAddress(a: string): string {
  const m = /^::ffff:(.+)$/i.exec(a);
  return m && isIPv4(m[1]!) ? m[1]! : a.toLowerCase();
}

const LOOPBACK = ['127.0.0.1', '::1'];

export class AudioSocketListener {
  private readonly tcp: Server;
  private readonly sockets = new Set<Socket>();
  private readonly allow: ReadonlySet<string>;

  constructor(private readonly opts: AudioSocketListenerOptions) {
    this.allow = new Set((opts.allow.length > 0 ? opts.allow : LOOPBACK).map(plainAddress));
    this.tcp = createServer((s) => this.connection(s));
  }

  get port(): number {
    return (this.tcp.address() as AddressInfo | null)?.port ?? 0;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(this.opts.port, this.opts.host, () => {
        this.tcp.off('error', reject);
        resolve();
      });
    });
    this.opts.log.info({ port: this.port, host: this.opts.host }, 'AudioSocket listening');
    return this.port;
  }

  /** Stops accepting; calls end through the server's drain. Leftover sockets are destroyed. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.tcp.close(() => resolve()));
  }

  private refuse(socket: Socket, reason: RefusalReason, detail: string): void {
    this.opts.metrics.upgradesRefused.inc({ reason });
    this.opts.log.warn({ reason, remote: socket.remoteAddress, detail }, 'AudioSocket connection refused');
    socket.end(REFUSED);
    socket.destroySoon();
  }

  private connection(socket: Socket): void {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const remote = plainAddress(socket.remoteAddress ?? '');
    if (!this.allow.has(remote)) return this.refuse(socket, 'unauthorized', `source ${remote} not in PARLEY_AUDIOSOCKET_ALLOW`);
    // The socket stays paused (no 'data' listener) while it waits for its place.
    void this.opts.server.reserveCall().then((place) => {
      if ('reason' in place) return this.refuse(socket, place.reason, place.detail);
      if (socket.destroyed) return place.release();
      socket.once('close', place.release);
      this.start(socket, remote, place);
    });
  }

  /** An admitted connection: the UUID first, then the call, which takes the place. */
  private start(socket: Socket, remote: string, place: CallPlace): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const { limits, clock, metrics } = this.opts;
    const framer = new AudioSocketFramer(limits.maxMessageBytes);
    const limiter = new ConnectionLimiter(limits, clock.now());
    let call: LiveCall | undefined;
    // Nothing yet (not even the UUID): the same deadline as a slow upgrade.
    socket.setTimeout(limits.upgradeTimeoutMs, () => {
      if (!call) this.refuse(socket, 'upgrade_timeout', 'no UUID message in time');
    });
    socket.on('data', (chunk: Buffer) => {
      const { messages, oversize } = framer.push(chunk);
      for (let i = 0; i < oversize.length; i++) metrics.protocolRejections.inc({ protocol: PROTOCOL, reason: 'oversize' });
      for (const m of messages) {
        if (!call) {
          const bad = this.firstMessageProblem(m);
          if (bad) return this.refuse(socket, 'unauthorized', bad);
          socket.setTimeout(0);
          call = this.accept(socket, remote);
          if (!call) return place.release();
          place.taken();
        }
        if (!limiter.allow(m.length, clock.now())) {
          metrics.drop('rate_limit');
          continue;
        }
        call.onMessage(m, true);
      }
    });
    socket.on('close', () => call?.onSocketClose(1000, ''));
  }

  /** With a UUID prefix configured, the first message must be a UUID that starts with it. */
  private firstMessageProblem(m: Buffer): string | undefined {
    const prefix = this.opts.uuidPrefix;
    if (!prefix) return undefined;
    if (m.readUInt8(0) !== KIND.uuid || m.length !== HEADER_BYTES + 16) return 'the first message is not a UUID';
    return uuidText(m.subarray(HEADER_BYTES)).startsWith(prefix.toLowerCase()) ? undefined : 'UUID does not start with PARLEY_AUDIOSOCKET_UUID_PREFIX';
  }

  private accept(socket: Socket, remote: string): LiveCall | undefined {
    let call: LiveCall;
    try {
      call = this.opts.handler.accept({
        ws: new TcpTelephonySocket(socket),
        protocol: PROTOCOL,
        url: new URL(`tcp://${socket.localAddress ?? 'localhost'}:${socket.localPort ?? 0}/`),
        remoteAddress: remote,
        cork: () => {
          socket.cork();
          return () => socket.uncork();
        },
      });
    } catch (err) {
      this.opts.log.error({ err }, 'AudioSocket call setup failed');
      socket.destroy();
      return undefined;
    }
    socket.on('error', (err) => call.onSocketError(err));
    this.opts.server.adopt(call, PROTOCOL);
    return call;
  }
}
