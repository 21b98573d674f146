// Cascade mode's LLM session gets the same tools: the text-only session.update lists them, the
// model's call runs the tool, its output goes back on the same connection with one
// response.create, and the answer is spoken through TTS — with no error from the provider.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCascadeBridge, type CascadeBridge } from './harness.js';

let tool: Server;
const bodies: string[] = [];
let bridge: CascadeBridge;

beforeAll(async () => {
  tool = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.end(JSON.stringify({ output: { status: 'shipped' } }));
    });
  });
  await new Promise<void>((r) => tool.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/lookup`;
  bridge = await startCascadeBridge({
    config: { tools: { lookup_order: { description: 'Look up an order', url, parameters: { type: 'object', properties: { order: { type: 'string' } } } } } },
    agent: { toolCalls: [{ turn: 1, name: 'lookup_order', arguments: { order: '42' } }] },
  });
});
afterAll(async () => {
  await bridge.close();
  await new Promise<void>((r) => tool.close(() => r()));
});

describe('cascade mode: tools', () => {
  it('the LLM session lists the tools; the call runs, its output returns, the answer is spoken', async () => {
    const report = await bridge.call('twilio', { script: [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 500 }, { kind: 'hangup' }] });
    expect(report.failure).toBeUndefined();
    await bridge.idle();
    const received = bridge.agent.received();
    const update = received.find((e) => e.type === 'session.update')!.event as { session: { output_modalities: string[]; tools: { name: string }[]; tool_choice: string } };
    expect(update.session.output_modalities).toEqual(['text']);
    expect(update.session.tools.map((t) => t.name)).toEqual(['lookup_order']);
    expect(update.session.tool_choice).toBe('auto');
    expect(JSON.parse(bodies[0]!)).toMatchObject({ tool: 'lookup_order', arguments: { order: '42' } });
    const outputs = received.filter((e) => e.type === 'conversation.item.create').map((e) => (e.event as { item: { type: string; output: string } }).item);
    expect(outputs).toEqual([expect.objectContaining({ type: 'function_call_output', output: '{"status":"shipped"}' })]);
    expect(received.filter((e) => e.type === 'response.create')).toHaveLength(1);
    expect(new Set(received.map((e) => e.connId)).size).toBe(1);
    expect(bridge.agent.stats()).toMatchObject({ toolCalls: 1, toolOutputs: 1, errorsSent: 0 });
    // The answer to the output was spoken: TTS was asked to say it and the caller heard it.
    expect(bridge.fakes.elevenlabs.texts().length).toBeGreaterThan(0);
    expect(report.turns[0]?.firstAgentAudioMs).toBeDefined();
    expect(await bridge.metric('parley_tool_calls_total', { tool: 'lookup_order', outcome: 'ok' })).toBe(1);
  });
});
