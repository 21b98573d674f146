// An MCP tool end to end, offline: the embedded agent (local mode) calls `orders__lookup_order`,
// which Parley lists from a real MCP server (official SDK, streamable HTTP) started here; the
// call goes to that server, its result returns as the function's output on the same connection,
// one response.create follows, and the provider returned no error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type TestMcpServer } from '../functions/mcpServer.js';
import { providerErrors, receivedTypes, startBridge } from './harness.js';

let mcp: TestMcpServer;
beforeAll(async () => {
  mcp = await startMcpServer();
});
afterAll(() => mcp.close());

describe('MCP tools, end to end', () => {
  it('listed into session.update as server__tool, called on the MCP server, the output returned', async () => {
    const b = await startBridge({
      mode: 'local',
      config: { mcp: { orders: { url: mcp.url, allow: ['lookup_order'] } } },
      agent: { replyMs: 800, toolCalls: [{ turn: 1, name: 'orders__lookup_order', arguments: { order: '123' } }] },
    });
    try {
      const end = Date.now() + 5000;
      while (mcp.lists === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      const report = await b.call('twilio', { script: [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 500 }, { kind: 'hangup' }] });
      expect(report.failure).toBeUndefined();
      await b.idle();
      const update = b.agent.received().find((e) => e.type === 'session.update')!.event as { session: { tools: { name: string }[] } };
      expect(update.session.tools.map((t) => t.name)).toEqual(['orders__lookup_order']);
      expect(mcp.calls).toEqual(['lookup_order']);
      const outputs = b.agent.received().filter((e) => e.type === 'conversation.item.create').map((e) => (e.event as { item: { output: string } }).item.output);
      expect(outputs).toEqual(['order 123 shipped']);
      expect(receivedTypes(b.agent, 'response.create')).toHaveLength(1);
      expect(await providerErrors(b)).toEqual({ sent: 0, counted: 0, codes: [] });
      expect(await b.metric('parley_tool_calls_total', { tool: 'orders.lookup_order', outcome: 'ok' })).toBe(1);
    } finally {
      await b.close();
    }
  });
});
