// sim-agent fidelity to the GA Realtime API for what Parley now sends: conversation.item.delete,
// a truncate at 0 ms refused, semantic_vad kept as given, an unknown session field refused with
// invalid_request_error, response.create while a response is active refused, response metadata
// echoed, and a client-created function_call item making its call_id known (a replay).
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSimAgent } from '../../../src/tools/sim/agent/server.js';
import type { SimAgent } from '../../../src/tools/sim/agent/types.js';

type Ev = Record<string, unknown> & { type: string };
let agent: SimAgent;

beforeAll(async () => {
  agent = await startSimAgent({ replyMs: 2000, speed: 1 });
});
afterAll(() => agent.close());

async function open() {
  const ws = new WebSocket(agent.url);
  const events: Ev[] = [];
  ws.on('message', (d) => events.push(JSON.parse(String(d)) as Ev));
  await once(ws, 'open');
  let from = 0;
  /** The next event (after the last one found) matching p. */
  const next = async (p: (e: Ev) => boolean) => {
    const end = Date.now() + 5000;
    for (;;) {
      const i = events.findIndex((e, k) => k >= from && p(e));
      if (i >= 0) {
        from = i + 1;
        return events[i]!;
      }
      if (Date.now() > end) throw new Error(`timeout; saw ${events.map((e) => e.type).join(',')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const send = (o: Record<string, unknown>) => ws.send(JSON.stringify(o));
  return { ws, events, next, send };
}
const errorOf = (e: Ev) => e['error'] as { type: string; code: string; param?: string };

describe('sim-agent: GA fidelity', () => {
  it('refuses an unknown session field (invalid_request_error, unknown_parameter) and keeps semantic_vad as given', async () => {
    const c = await open();
    c.send({ type: 'session.update', session: { type: 'realtime', temperature_typo: 1 } });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ type: 'invalid_request_error', code: 'unknown_parameter', param: 'session.temperature_typo' });
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', silence_duration_ms: 300 } } } } });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ code: 'unknown_parameter', param: 'session.audio.input.turn_detection.silence_duration_ms' });
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: true } } } } });
    const updated = await c.next((e) => e.type === 'session.updated');
    const td = ((updated['session'] as Record<string, Record<string, Record<string, unknown>>>)['audio']!['input']!['turn_detection']) as Record<string, unknown>;
    expect(td).toEqual({ type: 'semantic_vad', eagerness: 'low', create_response: true, interrupt_response: true });
    c.ws.close();
  });

  it('response.create while a response is active is refused; metadata is echoed in response.created', async () => {
    const c = await open();
    c.send({ type: 'response.create', response: { metadata: { parley_tool_response: 't1' } } });
    const created = await c.next((e) => e.type === 'response.created');
    expect((created['response'] as { metadata: unknown }).metadata).toEqual({ parley_tool_response: 't1' });
    c.send({ type: 'response.create' });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ type: 'invalid_request_error', code: 'conversation_already_has_active_response' });
    c.send({ type: 'response.cancel' });
    const done = await c.next((e) => e.type === 'response.done');
    expect((done['response'] as { metadata: unknown }).metadata).toEqual({ parley_tool_response: 't1' });
    c.ws.close();
  });

  it('truncate at 0 ms is refused like the real API; conversation.item.delete deletes a known item and refuses an unknown one', async () => {
    const c = await open();
    c.send({ type: 'response.create' });
    const delta = await c.next((e) => e.type === 'response.output_audio.delta');
    const itemId = delta['item_id'] as string;
    c.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 0 });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_content_type' });
    c.send({ type: 'conversation.item.delete', item_id: itemId });
    expect(await c.next((e) => e.type === 'conversation.item.deleted')).toMatchObject({ item_id: itemId });
    c.send({ type: 'conversation.item.delete', item_id: itemId });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ type: 'invalid_request_error', code: 'item_delete_invalid_item_id', param: 'item_id' });
    c.ws.close();
  });

  it('a client-created function_call makes its call_id known: its output is then accepted (a replay)', async () => {
    const c = await open();
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_old', output: '{}' } });
    expect(errorOf(await c.next((e) => e.type === 'error'))).toMatchObject({ param: 'item.call_id' });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call', call_id: 'call_old', name: 'lookup_order', arguments: '{"order":"1"}' } });
    expect((await c.next((e) => e.type === 'conversation.item.added'))['item']).toMatchObject({ type: 'function_call', call_id: 'call_old' });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_old', output: '{"ok":true}' } });
    expect((await c.next((e) => e.type === 'conversation.item.added'))['item']).toMatchObject({ type: 'function_call_output', call_id: 'call_old' });
    c.ws.close();
  });
});
