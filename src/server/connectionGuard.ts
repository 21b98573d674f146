// Limits on raw TCP connections, before any HTTP is parsed: at most N open connections per
// remote address (0: no limit — behind a load balancer every call comes from its address), and
// a deadline for a connection to send a complete request (an upgrade or an ops GET) so that
// slow or silent clients cannot hold sockets. Refusals are reported for counting.
import type { Socket } from 'node:net';

export type GuardRefusal = 'per_ip_limit' | 'upgrade_timeout';

export interface ConnectionGuardOptions {
  readonly maxConnectionsPerIp: number;
  readonly requestTimeoutMs: number;
  readonly onRefused: (reason: GuardRefusal, remote: string) => void;
}

export class ConnectionGuard {
  private readonly perIp = new Map<string, number>();
  private readonly waiting = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly opts: ConnectionGuardOptions) {}

  /** A new TCP connection (the server's 'connection' event). */
  admit(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    const n = (this.perIp.get(ip) ?? 0) + 1;
    if (this.opts.maxConnectionsPerIp > 0 && n > this.opts.maxConnectionsPerIp) {
      this.opts.onRefused('per_ip_limit', ip);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, n);
    socket.once('close', () => {
      this.requestArrived(socket);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
    const timer = setTimeout(() => {
      this.waiting.delete(socket);
      this.opts.onRefused('upgrade_timeout', ip);
      socket.destroy();
    }, this.opts.requestTimeoutMs);
    timer.unref();
    this.waiting.set(socket, timer);
  }

  /** The connection delivered a complete request (or upgrade): its deadline is met. */
  requestArrived(socket: Socket): void {
    const t = this.waiting.get(socket);
    if (t === undefined) return;
    clearTimeout(t);
    this.waiting.delete(socket);
  }

  /** Open connections from `ip` (tests, metrics). */
  connections(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  close(): void {
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
  }
}
