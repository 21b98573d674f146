// What an armed fault does to one sim-agent connection when it fires: drop or close the socket,
// stall or delay the outbox, stop reading the client, or send an error (and maybe close).
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Outbox } from './outbox.js';
import type { SimFault } from './types.js';

/** The parts of a connection a fault acts on. */
export interface FaultTarget {
  readonly ws: WebSocket;
  readonly socket: Socket;
  readonly outbox: Outbox;
  teardown(): void;
  sendError(type: string, code: string, message: string): void;
  /** Close after the events already queued have gone out. */
  closeSoon(code: number, reason: string): void;
}

export function fireFault(t: FaultTarget, f: SimFault): void {
  switch (f.kind) {
    case 'drop':
      t.ws.terminate();
      t.teardown();
      return;
    case 'close':
      t.ws.close(f.code, f.reason ?? 'sim fault');
      t.teardown();
      return;
    case 'stall':
      t.outbox.stall(f.ms);
      return;
    case 'delay':
      t.outbox.setDelay(f.ms);
      return;
    case 'slow_reader':
      t.socket.pause();
      setTimeout(() => {
        if (!t.socket.destroyed) t.socket.resume();
      }, f.ms).unref();
      return;
    case 'error': {
      t.sendError(f.errorType ?? defaultErrorType(f.code), f.code, f.message ?? `Simulated ${f.code}.`);
      if (f.close) t.closeSoon(closeCodeFor(f.code), f.code);
      return;
    }
  }
}

function defaultErrorType(code: string): string {
  if (code === 'invalid_api_key') return 'invalid_request_error';
  if (code === 'server_error') return 'server_error';
  if (code === 'rate_limit_exceeded') return 'rate_limit_error';
  return 'invalid_request_error';
}

function closeCodeFor(code: string): number {
  if (code === 'session_expired') return 1001;
  if (code === 'invalid_api_key' || code === 'beta_api_shape_disabled') return code === 'beta_api_shape_disabled' ? 4000 : 1008;
  return 1011;
}
