// A real ws server on loopback that feeds every frame it receives to a fresh decoder, so the
// adapter tests see exactly what `ws` hands the production server (Buffer vs fragments, isBinary).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { DecodeResult, InboundDecoder } from '../../src/telephony/types.js';

export interface Loopback {
  /** Open a connection with a new decoder; send frames; resolve with one result per frame. */
  session(decoder: InboundDecoder): Promise<Session>;
  close(): Promise<void>;
}

export interface Session {
  send(frame: string | Buffer, binary?: boolean): Promise<DecodeResult>;
  close(): void;
}

export async function startLoopback(): Promise<Loopback> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const pending: InboundDecoder[] = [];
  const waiters = new Map<WebSocket, ((r: DecodeResult) => void)[]>();
  wss.on('connection', (server) => {
    const decoder = pending.shift()!;
    server.on('message', (data, isBinary) => {
      const r = decoder.decode(data, isBinary);
      server.send(JSON.stringify(r)); // Buffers serialise as {type:'Buffer', data}
    });
  });
  return {
    async session(decoder) {
      pending.push(decoder);
      const client = new WebSocket(`ws://127.0.0.1:${port}/`);
      const queue: ((r: DecodeResult) => void)[] = [];
      waiters.set(client, queue);
      client.on('message', (data) => {
        const r = JSON.parse(String(data), (_k, v: unknown) =>
          v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data) : v,
        ) as DecodeResult;
        queue.shift()?.(r);
      });
      await once(client, 'open');
      return {
        send(frame, binary = Buffer.isBuffer(frame)) {
          return new Promise<DecodeResult>((resolve) => {
            queue.push(resolve);
            client.send(frame, { binary });
          });
        },
        close: () => client.close(),
      };
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
