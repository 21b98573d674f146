// The server's extension points: extra HTTP routes and WebSocket endpoints (/inspect). The
// call seam (CallConnection, LiveCall, CallHandler) is the session's: session/seam.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Extra HTTP routes (e.g. /inspect); return true when handled. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Extra WebSocket endpoints (e.g. /inspect): take the upgrade and return true, or return false. */
export interface UpgradeRoute {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Shutdown: close this endpoint's sockets (upgraded sockets outlive http.close). */
  close(): void;
}
