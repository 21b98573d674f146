// The small order service `parley demo` serves on loopback: an HTTP tool in Parley's webhook
// format (POST {"callId","agent","tool","arguments",…}, answer {"output": …}), with the
// X-Parley-Signature check a real service would do. It answers after a short, fixed latency so
// the tool call is visible on the timeline.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ORDER_LATENCY_MS = 150;
const MAX_BODY = 64 * 1024;

export interface OrderService {
  readonly url: string;
  /** Requests answered, and whether each carried a valid signature. */
  readonly requests: { readonly order: string; readonly signed: boolean }[];
  close(): Promise<void>;
}

function signed(body: string, header: string | undefined, secret: string): boolean {
  const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startOrderService(secret: string): Promise<OrderService> {
  const requests: { order: string; signed: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ok = signed(body, req.headers['x-parley-signature'] as string | undefined, secret);
      let order = '';
      try {
        const args = (JSON.parse(body) as { arguments?: { order?: unknown } }).arguments;
        order = typeof args?.order === 'string' ? args.order.slice(0, 32) : '';
      } catch {
        // answered below as a bad request
      }
      requests.push({ order, signed: ok });
      setTimeout(() => {
        if (!ok) return void res.writeHead(401).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ output: { order, status: 'shipped', eta: 'tomorrow before noon' } }));
      }, ORDER_LATENCY_MS).unref();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
