// sim-agent function calling at the wire level (plain `ws` client): session.tools accepted, the
// scripted call in the GA shapes, function_call_output checked against the issued call_ids like
// the real API (an unknown id is an invalid_request_error), and the next response speaks it.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSimAgent } from '../../../src/tools/sim/agent/server.js';
import type { SimAgent } from '../../../src/tools/sim/agent/types.js';
import { parseToolCallSpec } from '../../../src/tools/sim/agent/toolCalls.js';

type Ev = Record<string, unknown> & { type: string };
let agent: SimAgent;

beforeAll(async () => {
  agent = await startSimAgent({ replyMs: 300, speed: 20, toolCalls: [{ turn: 1, name: 'lookup_order', arguments: { order: '123' } }] });
});
afterAll(() => agent.close());

async function open(): Promise<{ ws: WebSocket; events: Ev[]; until: (p: (e: Ev) => boolean) => Promise<Ev> }> {
  const ws = new WebSocket(agent.url);
  const events: Ev[] = [];
  ws.on('message', (d) => events.push(JSON.parse(String(d)) as Ev));
  await once(ws, 'open');
  const until = async (p: (e: Ev) => boolean) => {
    const end = Date.now() + 5000;
    for (;;) {
      const hit = events.find(p);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`timeout; saw ${events.map((e) => e.type).join(',')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { ws, events, until };
}

const send = (ws: WebSocket, o: Record<string, unknown>) => ws.send(JSON.stringify(o));
const TOOL = { type: 'function', name: 'lookup_order', description: 'd', parameters: { type: 'object' } };

describe('sim-agent: function calling', () => {
  it('calls the scripted tool, refuses an unknown call_id, accepts the right one and speaks it', async () => {
    const c = await open();
    send(c.ws, { type: 'session.update', session: { type: 'realtime', tools: [TOOL], tool_choice: 'auto' } });
    await c.until((e) => e.type === 'session.updated');
    send(c.ws, { type: 'response.create' });
    const done = await c.until((e) => e.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ name: 'lookup_order', arguments: '{"order":"123"}' });
    const callId = done['call_id'] as string;
    await c.until((e) => e.type === 'response.done');

    send(c.ws, { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_nope', output: '{}' } });
    const err = await c.until((e) => e.type === 'error');
    expect(err['error']).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'item.call_id' });

    send(c.ws, { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: '{"status":"shipped"}' } });
    const added = await c.until((e) => e.type === 'conversation.item.added' && (e['item'] as { type: string }).type === 'function_call_output');
    expect(added['item']).toMatchObject({ call_id: callId, output: '{"status":"shipped"}' });
    send(c.ws, { type: 'response.create' });
    const transcript = await c.until((e) => e.type === 'response.output_audio_transcript.done');
    expect(transcript['transcript']).toContain('[tool output: {"status":"shipped"}]');
    expect(agent.stats()).toMatchObject({ toolCalls: 1, toolOutputs: 1, toolOutputsSpoken: 1, errorsSent: 1 });
    c.ws.close();
  });

  it('a tool not listed in the session is never called; bad tools and tool_choice are refused', async () => {
    const c = await open();
    send(c.ws, { type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function' }] } });
    expect((await c.until((e) => e.type === 'error'))['error']).toMatchObject({ param: 'session.tools[0]' });
    send(c.ws, { type: 'session.update', session: { type: 'realtime', tool_choice: 'sometimes' } });
    await c.until((e) => e.type === 'error' && (e['error'] as { param: string }).param === 'session.tool_choice');
    send(c.ws, { type: 'response.create' });
    await c.until((e) => e.type === 'response.output_audio.delta');
    expect(c.events.some((e) => e.type === 'response.function_call_arguments.done')).toBe(false);
    c.ws.close();
  });

  it('a per-connection script in the URL (?sim_tool=TURN:NAME:JSON) and the text form', async () => {
    const plain = await startSimAgent({ replyMs: 300, speed: 20 });
    try {
      const ws = new WebSocket(`${plain.url}&sim_tool=${encodeURIComponent('1:check:{"id":7}')}`);
      const events: Ev[] = [];
      ws.on('message', (d) => events.push(JSON.parse(String(d)) as Ev));
      await once(ws, 'open');
      send(ws, { type: 'session.update', session: { type: 'realtime', tools: [{ ...TOOL, name: 'check' }] } });
      send(ws, { type: 'response.create' });
      const end = Date.now() + 3000;
      while (!events.some((e) => e.type === 'response.function_call_arguments.done') && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      expect(events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({ name: 'check', arguments: '{"id":7}' });
      ws.close();
    } finally {
      await plain.close();
    }
    expect(parseToolCallSpec('2:lookup_order:{"order":"1"}')).toEqual({ ok: true, call: { turn: 2, name: 'lookup_order', arguments: { order: '1' } } });
    expect(parseToolCallSpec('c4+:end_call:{"reason":"done"}')).toEqual({ ok: true, call: { callerTurn: 4, name: 'end_call', arguments: { reason: 'done' }, afterSpeech: true } });
    expect(parseToolCallSpec('c0:x:{}').ok).toBe(false);
    expect(parseToolCallSpec('0:x:{}').ok).toBe(false);
    expect(parseToolCallSpec('1:x:[1]').ok).toBe(false);
    expect(parseToolCallSpec('1:x:nope').ok).toBe(false);
  });

  it('a script keyed to the caller turn follows the conversation across connections (replayed caller messages count), once per connection', async () => {
    const keyed = await startSimAgent({ replyMs: 300, speed: 20, toolCalls: [{ callerTurn: 2, name: 'end_call', arguments: {}, afterSpeech: true }] });
    const END = { type: 'function', name: 'end_call', description: 'd', parameters: { type: 'object' } };
    const user = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    const connect = async () => {
      const ws = new WebSocket(keyed.url);
      const events: Ev[] = [];
      ws.on('message', (d) => events.push(JSON.parse(String(d)) as Ev));
      await once(ws, 'open');
      const doneCount = async (n: number) => {
        const end = Date.now() + 5000;
        while (events.filter((e) => e.type === 'response.done').length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      };
      send(ws, { type: 'session.update', session: { type: 'realtime', tools: [END] } });
      return { ws, events, doneCount, calls: () => events.filter((e) => e.type === 'response.function_call_arguments.done').length };
    };
    try {
      // First connection: the caller's first turn is answered with speech only.
      const a = await connect();
      send(a.ws, user('hello'));
      send(a.ws, { type: 'response.create' });
      await a.doneCount(1);
      expect(a.calls()).toBe(0);
      a.ws.close();
      // A reconnect: the first turn replayed, the second new — its answer speaks, then calls end_call.
      const b = await connect();
      send(b.ws, user('hello'));
      send(b.ws, user('that is all, thanks'));
      send(b.ws, { type: 'response.create' });
      await b.doneCount(1);
      expect(b.calls()).toBe(1);
      expect(b.events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({ name: 'end_call', output_index: 1 });
      // Another response in the same caller turn does not repeat it.
      send(b.ws, { type: 'response.create' });
      await b.doneCount(2);
      expect(b.calls()).toBe(1);
      const after = keyed.stats().callsAfterSpeech;
      expect(after).toHaveLength(1);
      expect(after[0]!.speechMs).toBeGreaterThanOrEqual(280);
      b.ws.close();
    } finally {
      await keyed.close();
    }
  });
});
