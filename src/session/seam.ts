// The seam between a telephony socket and the call that runs on it: the server hands each
// accepted upgrade to a CallHandler as a CallConnection and gets back a LiveCall. The server owns
// the socket's limits (size, rate, auth, capacity, shutdown); the call owns everything the
// socket carries. Defined by the session (the server imports it, never the other way round).
import type { OutboundFrame, RawFrame, TelephonyProtocol } from '../telephony/types.js';

/**
 * The subset of a socket a call uses: a `ws` WebSocket has it as is; a TCP platform
 * (AudioSocket) adapts its net.Socket to it (close codes mean nothing there).
 */
export interface TelephonySocket {
  readonly OPEN: number;
  readonly CONNECTING: number;
  readonly readyState: number;
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  send(frame: OutboundFrame): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export interface CallConnection {
  readonly ws: TelephonySocket;
  /** The platform's id (src/telephony/registry.ts). */
  readonly protocol: TelephonyProtocol;
  /** The upgrade URL (query included, e.g. audio-stream `?rate=16000`). */
  readonly url: URL;
  readonly remoteAddress: string;
  /**
   * Holds the socket's writes until the returned function is called, so several messages (a
   * frame and its mark) leave in one write. Uncork before returning to the event loop.
   */
  readonly cork: () => () => void;
  /**
   * WebSocket transports: writes finished frames to the socket itself, past ws's two writes per
   * message (no per-message extension is negotiated, so a frame is header + payload). Only while
   * `ws` is OPEN, and in order with `ws.send` (both write synchronously).
   */
  readonly writeFrames?: (frames: Buffer) => void;
}

/** A call as the server sees it. Every method must not throw. */
export interface LiveCall {
  /** An inbound message that passed the size and rate limits. */
  onMessage(data: RawFrame, isBinary: boolean): void;
  /** The telephony socket closed (any side, any code). */
  onSocketClose(code: number, reason: string): void;
  onSocketError(err: Error): void;
  /** Shutdown began: finish when you can; the call enforces the drain deadline itself. */
  drain(): void;
  /** Backstop after the drain deadline: close the socket now and release everything. */
  forceClose(): void;
  /** Resolves once the call has ended and released everything. */
  readonly ended: Promise<void>;
}

export interface CallHandler {
  accept(conn: CallConnection): LiveCall;
}
