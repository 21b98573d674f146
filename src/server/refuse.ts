// Refusing a WebSocket upgrade with a plain HTTP response on the raw socket.
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

export function refuseUpgrade(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  const text = `${body}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.on('error', () => {});
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  // A client that never reads must not hold the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}
