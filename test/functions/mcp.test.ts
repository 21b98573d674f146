// MCP tools against a real MCP server started here from the official SDK (streamable HTTP):
// the allowed tools listed and exposed as server__tool, called with the same errors and metrics
// as HTTP tools, and a server that is down at start (then restarted) retried, its tools absent
// until it answers and listed again in the new session.
import { afterEach, describe, expect, it } from 'vitest';
import { McpServerLink, type McpTiming } from '../../src/functions/mcp.js';
import { ToolRegistry } from '../../src/functions/registry.js';
import { Metrics } from '../../src/obs/metrics.js';
import { silentLogger } from '../../src/obs/index.js';
import { freePort, startMcpServer, type TestMcpServer } from './mcpServer.js';

const FAST: McpTiming = { retryMinMs: 50, retryMaxMs: 200, pingMs: 100 };
const ctx = { callId: 'call-1', agent: 'default' };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function link(url: string, timeoutMs = 1000): McpServerLink {
  const l = new McpServerLink('orders', { url, headers: { authorization: 'Bearer mcp-secret' }, allow: ['lookup_order', 'broken', 'slow', 'not_offered'], timeoutMs }, silentLogger(), FAST);
  cleanup.push(() => l.close());
  l.start();
  return l;
}

async function server(port?: number): Promise<TestMcpServer> {
  const s = await startMcpServer(port);
  cleanup.push(() => s.close());
  return s;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const run = (r: ToolRegistry, name: string, args: string) => r.run(name, args, ctx, new AbortController().signal);

describe('MCP tools', () => {
  it('lists only the allowed tools, exposed as server__tool, and calls them with the configured headers', async () => {
    const s = await server();
    const l = link(s.url);
    await until('the session', () => l.up);
    const metrics = new Metrics();
    const r = new ToolRegistry({}, { metrics }, [l]);
    const defs = r.definitions();
    expect(defs.map((d) => d.name).sort()).toEqual(['orders__broken', 'orders__lookup_order', 'orders__slow']);
    const lookup = defs.find((d) => d.name === 'orders__lookup_order')!;
    expect(lookup.description).toBe('Look up an order by its number');
    expect(lookup.parameters['properties']).toHaveProperty('order');

    expect(await run(r, 'orders__lookup_order', '{"order":"123"}')).toEqual({ outcome: 'ok', output: 'order 123 shipped' });
    expect(s.calls).toEqual(['lookup_order']);
    expect(s.auth.every((a) => a === 'Bearer mcp-secret')).toBe(true);
    expect(await metrics.value('parley_tool_calls_total', { tool: 'orders.lookup_order', outcome: 'ok' })).toBe(1);
    expect(await metrics.value('parley_tool_latency_seconds', { tool: 'orders.lookup_order' })).toBe(1);

    // A tool the server offers but the operator did not allow is not callable: no request.
    expect((await run(r, 'orders__internal_admin', '{}')).outcome).toBe('unknown_tool');
    expect(s.calls).not.toContain('internal_admin');
  });

  it('invalid arguments, an error result and a timeout are error outputs, counted like HTTP tools', async () => {
    const s = await server();
    const l = link(s.url, 300);
    await until('the session', () => l.up);
    const metrics = new Metrics();
    const r = new ToolRegistry({}, { metrics }, [l]);

    const bad = await run(r, 'orders__lookup_order', '{"order":12}');
    expect(bad.outcome).toBe('invalid_arguments');
    expect(s.calls).toEqual([]);

    const broken = await run(r, 'orders__broken', '');
    expect(broken).toEqual({ outcome: 'tool_error', output: JSON.stringify({ error: 'warehouse offline' }) });

    const t0 = Date.now();
    const slow = await run(r, 'orders__slow', '{}');
    expect(slow.outcome).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await metrics.value('parley_tool_calls_total', { tool: 'orders.slow', outcome: 'timeout' })).toBe(1);
    expect(await metrics.value('parley_tool_calls_total', { tool: 'orders.broken', outcome: 'tool_error' })).toBe(1);
    expect(await metrics.value('parley_tool_calls_total', { tool: 'orders.lookup_order', outcome: 'invalid_arguments' })).toBe(1);
  });

  it('a server down at start: tools absent, retried until it answers; lost again and back: listed in a new session', async () => {
    const port = await freePort();
    const l = link(`http://127.0.0.1:${port}/mcp`);
    const r = new ToolRegistry({}, { metrics: new Metrics() }, [l]);
    await new Promise((res) => setTimeout(res, 200));
    expect(l.up).toBe(false);
    expect(r.definitions()).toEqual([]);
    expect((await run(r, 'orders__lookup_order', '{"order":"1"}')).outcome).toBe('unknown_tool');

    let s = await startMcpServer(port);
    await until('the retry to reach the server', () => l.up);
    expect(r.definitions()).toHaveLength(3);
    expect(l.sessionCount).toBe(1);
    expect((await run(r, 'orders__lookup_order', '{"order":"7"}')).output).toBe('order 7 shipped');

    // The server restarts: the old session is unknown to it (404) or the ping fails; the link
    // notices, drops the tools, opens a new session and lists them again.
    await s.close();
    await until('the loss to be noticed', () => !l.up);
    expect(r.definitions()).toEqual([]);
    s = await startMcpServer(port);
    cleanup.push(() => s.close());
    await until('the new session', () => l.up);
    expect(l.sessionCount).toBe(2);
    expect(r.definitions()).toHaveLength(3);
    expect((await run(r, 'orders__lookup_order', '{"order":"8"}')).output).toBe('order 8 shipped');
  });
});
