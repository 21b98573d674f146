// A real MCP server for the tests, built from the official SDK: streamable HTTP, stateful (a
// session id per client, an unknown id answered 404 as the SDK does), on a loopback port that
// can be closed and opened again (a server that goes down and comes back).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface TestMcpServer {
  readonly port: number;
  readonly url: string;
  /** tools/call requests received (tool name), and the authorization header of every request. */
  readonly calls: string[];
  readonly auth: (string | undefined)[];
  /** tools/list requests answered. */
  readonly lists: number;
  close(): Promise<void>;
}

/** The tools one server session offers. */
function build(calls: string[]): McpServer {
  const s = new McpServer({ name: 'orders', version: '1.0.0' });
  s.registerTool(
    'lookup_order',
    { description: 'Look up an order by its number', inputSchema: { order: z.string().regex(/^[0-9]+$/) } },
    ({ order }) => {
      calls.push('lookup_order');
      return { content: [{ type: 'text', text: `order ${order} shipped` }] };
    },
  );
  s.registerTool('internal_admin', { description: 'Not for the model', inputSchema: {} }, () => {
    calls.push('internal_admin');
    return { content: [{ type: 'text', text: 'admin' }] };
  });
  s.registerTool('broken', { description: 'Always fails', inputSchema: {} }, () => {
    calls.push('broken');
    return { content: [{ type: 'text', text: 'warehouse offline' }], isError: true };
  });
  s.registerTool('slow', { description: 'Answers after 2 s', inputSchema: {} }, async () => {
    calls.push('slow');
    await new Promise((r) => setTimeout(r, 2000).unref());
    return { content: [{ type: 'text', text: 'late' }] };
  });
  return s;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startMcpServer(port = 0): Promise<TestMcpServer> {
  const calls: string[] = [];
  const auth: (string | undefined)[] = [];
  let lists = 0;
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer((req, res) => {
    void (async () => {
      auth.push(req.headers['authorization']);
      const sid = req.headers['mcp-session-id'] as string | undefined;
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      if ((body as { method?: unknown } | undefined)?.method === 'tools/list') lists++;
      let transport = sid ? sessions.get(sid) : undefined;
      if (!transport && !sid && isInitializeRequest(body)) {
        const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void sessions.set(id, t) });
        t.onclose = () => {
          if (t.sessionId) sessions.delete(t.sessionId);
        };
        await build(calls).connect(t);
        transport = t;
      }
      if (!transport) {
        res.writeHead(sid ? 404 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'unknown session' }, id: null }));
        return;
      }
      await transport.handleRequest(req, res, body);
    })();
  });
  await new Promise<void>((r) => http.listen(port, '127.0.0.1', r));
  const p = (http.address() as AddressInfo).port;
  return {
    port: p,
    url: `http://127.0.0.1:${p}/mcp`,
    calls,
    auth,
    get lists() {
      return lists;
    },
    async close() {
      for (const t of sessions.values()) await t.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** A loopback port nothing listens on (now). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
