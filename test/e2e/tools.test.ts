// A tool round trip offline (local mode: the embedded sim-agent calls the tool on its first
// response), against a real local HTTP tool: the request is signed and the output goes back on
// the issuing connection, then ONE response.create, and the caller hears the agent speak it.
// And the races: the call ending with a tool in flight aborts its request (TC3); a reconnect
// while it runs drops its output (TC1).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { providerErrors, receivedTypes, startBridge, type Bridge } from './harness.js';

const SECRET = 'e2e-webhook-secret';
const requests: { path: string; body: string; signed: boolean; aborted: boolean }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rec = { path: req.url ?? '', body, signed: req.headers['x-parley-signature'] === `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`, aborted: false };
      requests.push(rec);
      res.on('close', () => {
        if (!res.writableFinished) rec.aborted = true;
      });
      const delay = req.url?.startsWith('/slow') ? 3000 : 50;
      setTimeout(() => {
        if (!res.destroyed) res.end(JSON.stringify({ output: { order: '123', status: 'shipped' } }));
      }, delay).unref();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const tools = (path: string) => ({
  lookup_order: {
    description: 'Look up an order',
    url: `${base}${path}`,
    timeoutMs: 5000,
    parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
  },
});

async function withBridge(path: string, body: (b: Bridge) => Promise<void>, config = {}): Promise<void> {
  const b = await startBridge({
    mode: 'local',
    config: { webhookSecret: SECRET, tools: tools(path), ...config },
    agent: { replyMs: 800, toolCalls: [{ turn: 1, name: 'lookup_order', arguments: { order: '123' } }] },
  });
  try {
    await body(b);
  } finally {
    await b.close();
  }
}

const ASK: readonly ScriptStep[] = [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 500 }, { kind: 'hangup' }];

describe.concurrent('tools, end to end', () => {
  it('round trip: the call, the signed request, one output on the same connection, one response.create, the answer heard', async () => {
    await withBridge('/ok', async (b) => {
      const report = await b.call('twilio', { script: ASK });
      expect(report.failure).toBeUndefined();
      expect(report.turns[0]?.firstAgentAudioMs).toBeDefined();
      await b.idle();
      const update = b.agent.received().find((e) => e.type === 'session.update')!.event as { session: { tools: { name: string }[]; tool_choice: string } };
      expect(update.session.tools.map((t) => t.name)).toEqual(['lookup_order']);
      expect(update.session.tool_choice).toBe('auto');
      const outputs = b.agent.received().filter((e) => e.type === 'conversation.item.create');
      expect(outputs).toHaveLength(1);
      const item = (outputs[0]!.event as { item: { type: string; call_id: string; output: string } }).item;
      expect(item.type).toBe('function_call_output');
      expect(JSON.parse(item.output)).toEqual({ order: '123', status: 'shipped' });
      // Exactly one response.create, after the output, on the same connection.
      expect(receivedTypes(b.agent, 'response.create')).toHaveLength(1);
      const seq = b.agent.received().map((e) => e.type);
      expect(seq.indexOf('response.create')).toBeGreaterThan(seq.indexOf('conversation.item.create'));
      expect(new Set(b.agent.received().map((e) => e.connId)).size).toBe(1);
      const st = b.agent.stats();
      expect([st.toolCalls, st.toolOutputs, st.toolOutputsSpoken]).toEqual([1, 1, 1]);
      expect(await providerErrors(b)).toEqual({ sent: 0, counted: 0, codes: [] });
      expect(await b.metric('parley_tool_calls_total', { tool: 'lookup_order', outcome: 'ok' })).toBe(1);
      const req = requests.find((r) => r.path === '/ok')!;
      expect(req.signed).toBe(true);
      expect(JSON.parse(req.body)).toMatchObject({ agent: 'default', tool: 'lookup_order', arguments: { order: '123' } });
      const [trace] = [...b.traces().values()];
      expect(trace!.find((r) => r.event === 'tool.outputs_sent')?.data).toMatchObject({ calls: 1 });
      // The toolCalls machine took the decision: outputs, then response.create, in one step.
      const answer = trace!.find((r) => r.machine === 'toolCalls' && r.actions?.includes('sendOutputs'));
      expect(answer?.actions).toEqual(['sendOutputs', 'createResponse']);
    });
  });

  it('TC3: the caller hangs up while the tool runs: its request is aborted, nothing is sent after', async () => {
    await withBridge('/slow-tc3', async (b) => {
      const report = await b.call('twilio', { script: [{ kind: 'say', ms: 700 }, { kind: 'silence', ms: 900 }, { kind: 'hangup' }] });
      expect(report.failure).toBeUndefined();
      await b.idle();
      const mine = requests.filter((r) => r.path === '/slow-tc3');
      expect(mine.length).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(mine.every((r) => r.aborted)).toBe(true);
      expect(receivedTypes(b.agent, 'conversation.item.create')).toEqual([]);
      expect(await b.metric('parley_tool_calls_total', { tool: 'lookup_order', outcome: 'aborted' })).toBe(1);
    });
  });

  it('TC1: the connection drops while the tool runs: the output is never sent on the new connection', async () => {
    await withBridge(
      '/slow',
      async (b) => {
        const done = b.call('twilio', { script: [{ kind: 'say', ms: 700 }, { kind: 'silence', ms: 4500 }, { kind: 'hangup' }] });
        // Once the tool is running, the link drops; the reconnect opens a new session.
        const end = Date.now() + 5000;
        while (b.agent.stats().toolCalls === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 100));
        b.agent.inject({ kind: 'drop' });
        const report = await done;
        expect(report.failure).toBeUndefined();
        await b.idle();
        expect(b.agent.stats().connections).toBe(2);
        expect(receivedTypes(b.agent, 'conversation.item.create').length).toBe(b.agent.received().filter((e) => e.type === 'conversation.item.create' && (e.event as { item: { type: string } }).item.type === 'message').length);
        expect(b.agent.stats().toolOutputs).toBe(0);
        const [trace] = [...b.traces().values()];
        expect(trace!.find((r) => r.event === 'tool.outputs_dropped')?.data).toMatchObject({ why: 'connection_gone' });
      },
      { reconnect: { delaysMs: [50], jitter: 0 } },
    );
  });

  it('TC2: the caller starts a newer turn while the tool runs: the output is recorded, no response.create for it', async () => {
    await withBridge('/slow-tc2', async (b) => {
      const script: ScriptStep[] = [
        { kind: 'say', ms: 700 },
        // Past the VAD's 500 ms of silence: the first turn ends, the agent calls the tool.
        { kind: 'silence', ms: 1000 },
        { kind: 'say', ms: 500 },
        { kind: 'listen', quietMs: 300 },
        { kind: 'silence', ms: 3000 },
        { kind: 'hangup' },
      ];
      const report = await b.call('twilio', { script });
      expect(report.failure).toBeUndefined();
      await b.idle();
      // The newer turn got its own (audio) response; the tool's output was still recorded.
      expect(report.turns[1]?.firstAgentAudioMs).toBeDefined();
      expect(b.agent.stats().toolOutputs).toBe(1);
      expect(receivedTypes(b.agent, 'response.create')).toEqual([]);
      const [trace] = [...b.traces().values()];
      expect(trace!.find((r) => r.event === 'tool.outputs_sent')?.data).toMatchObject({ calls: 1 });
      expect(trace!.some((r) => r.machine === 'toolCalls' && r.event === 'CALLER_TURN' && r.ignored === undefined && (r.from === 'collecting' || r.from === 'awaiting'))).toBe(true);
      const answer = trace!.find((r) => r.machine === 'toolCalls' && r.actions?.includes('sendOutputs'));
      expect(answer?.actions).not.toContain('createResponse');
      expect(await providerErrors(b)).toEqual({ sent: 0, counted: 0, codes: [] });
    });
  });
});
