// TC4 and TC5 on fakes: the response asked for with tool outputs is never heard when the caller
// began a newer turn before the provider created it (and is heard when not), and the replay
// after a reconnect carries each function call together with its output, never a call alone.
import { describe, expect, it } from 'vitest';
import { ToolRegistry, type ToolCallContext } from '../../../src/functions/registry.js';
import type { ToolResult } from '../../../src/functions/http.js';
import { Metrics } from '../../../src/obs/metrics.js';
import { rig, settle, startedCall } from '../fakes.js';

/** A registry whose requests the test ends by hand. */
class HeldRegistry extends ToolRegistry {
  readonly pending: ((r: ToolResult) => void)[] = [];
  constructor() {
    super({ t: { description: 'd', parameters: { type: 'object' }, url: 'http://127.0.0.1:9/', timeoutMs: 5000, headers: {} } }, { metrics: new Metrics() });
  }
  override run(_name: string, _args: string, _ctx: ToolCallContext, _signal: AbortSignal): Promise<ToolResult> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
}

const call = (i: number, responseId = 'r1', gen = 1) => ({ type: 'function_call', gen, responseId, itemId: `fc${i}`, callId: `call_${i}`, name: 't', arguments: `{"n":${i}}` }) as const;
const delta = (responseId: string, gen = 1) => ({ type: 'audio_delta', gen, responseId, itemId: `item_${responseId}`, contentIndex: 0, audio: Buffer.alloc(960, 1) }) as const;

/** A call whose first response called tool `t` once and has its output back: response.create sent. */
async function answeredToolCall() {
  const tools = new HeldRegistry();
  const r = rig('twilio', {}, () => 0.5, { tools });
  startedCall(r);
  r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
  r.ai.emit(call(1));
  r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
  tools.pending[0]!({ outcome: 'ok', output: '"shipped"' });
  await settle();
  const create = r.ai.sent.find((e) => e['type'] === 'response.create') as { response: { metadata: Record<string, string> } } | undefined;
  expect(create?.response.metadata).toBeDefined();
  return { r, metadata: create!.response.metadata };
}

describe('TC4: no audio of a tool response superseded before it was created', () => {
  it('a caller turn between the response.create and response.created: cancelled, its audio never written', async () => {
    const { r, metadata } = await answeredToolCall();
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_2' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r2', metadata });
    r.ai.emit(delta('r2'));
    expect(r.ai.sent.filter((e) => e['type'] === 'response.cancel')).toEqual([expect.objectContaining({ response_id: 'r2' })]);
    expect(r.media().playoutWrites).toEqual([]);
    expect(r.trace.records('runtime', 'tool.response_superseded')).toHaveLength(1);
    expect(await r.metrics.value('parley_drops_total', { reason: 'cancelled_response' })).toBeGreaterThan(0);
  });

  it('no caller turn in between: the same response is kept and heard', async () => {
    const { r, metadata } = await answeredToolCall();
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r2', metadata });
    r.ai.emit(delta('r2'));
    expect(r.ai.sent.filter((e) => e['type'] === 'response.cancel')).toEqual([]);
    expect(r.media().playoutWrites.length).toBeGreaterThan(0);
    expect(r.call.machineActors.turn.getSnapshot().context.activeResponse).toBe('r2');
  });

  it('a response Parley did not ask for with outputs is never taken for one (other metadata, none)', async () => {
    const { r } = await answeredToolCall();
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_2' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r3', metadata: { parley_tool_response: 'nope' } });
    r.ai.emit(delta('r3'));
    expect(r.ai.sent.filter((e) => e['type'] === 'response.cancel')).toEqual([]);
    expect(r.media().playoutWrites.length).toBeGreaterThan(0);
  });
});

describe('TC5: the replay holds no function call without its output', () => {
  it('a call with its output sent is replayed as the call then its output; one still running is not replayed', async () => {
    const tools = new HeldRegistry();
    const r = rig('twilio', {}, () => 0.5, { tools });
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit(call(1));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    tools.pending[0]!({ outcome: 'ok', output: '"shipped"' });
    await settle();
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    // A second response calls the tool; its request is still running when the link drops.
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r5' });
    r.ai.emit(call(2, 'r5'));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r5', status: 'completed' });
    const before = r.ai.sent.length;
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    r.clock.advance(10_000);
    r.ai.emit({ type: 'session_created', gen: 2, sessionId: 's2' });
    const replay = r.ai.sent.slice(before).filter((e) => e['type'] === 'conversation.item.create').map((e) => e['item'] as { type: string; call_id: string });
    expect(replay.map((i) => [i.type, i.call_id])).toEqual([
      ['function_call', 'call_1'],
      ['function_call_output', 'call_1'],
    ]);
    expect(replay[0]).toMatchObject({ name: 't', arguments: '{"n":1}' });
  });
});

describe('TC4: a superseded response that calls a function', () => {
  it('its call still gets its output, but no response.create answers it', async () => {
    const tools = new HeldRegistry();
    const r = rig('twilio', {}, () => 0.5, { tools });
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit(call(1));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    tools.pending[0]!({ outcome: 'ok', output: '"shipped"' });
    await settle();
    const metadata = (r.ai.sent.find((e) => e['type'] === 'response.create') as { response: { metadata: Record<string, string> } }).response.metadata;
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_2' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r2', metadata });
    r.ai.emit(call(2, 'r2'));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r2', status: 'cancelled' });
    tools.pending[1]!({ outcome: 'ok', output: '"late"' });
    await settle();
    const outputs = r.ai.sent.filter((e) => e['type'] === 'conversation.item.create').map((e) => (e['item'] as { call_id: string }).call_id);
    expect(outputs).toEqual(['call_1', 'call_2']);
    expect(r.ai.sent.filter((e) => e['type'] === 'response.create')).toHaveLength(1);
  });
});
