// The call's tool calls on fakes (src/session/toolCalls.ts + effects/toolCalls.ts): the bound on
// requests in flight, one output per call then ONE response.create, and the abort at cleanup.
import { describe, expect, it } from 'vitest';
import { ToolRegistry, type ToolCallContext } from '../../../src/functions/registry.js';
import type { ToolResult } from '../../../src/functions/http.js';
import { Metrics } from '../../../src/obs/metrics.js';
import { TOOL_LIMITS } from '../../../src/session/toolCalls.js';
import { rig, settle, startedCall } from '../fakes.js';

/** A registry whose requests the test ends by hand. */
class HeldRegistry extends ToolRegistry {
  readonly pending: { name: string; signal: AbortSignal; settled: boolean; resolve: (r: ToolResult) => void }[] = [];
  maxInFlight = 0;
  private inFlight = 0;
  constructor() {
    super({ t: { description: 'd', parameters: { type: 'object' }, url: 'http://127.0.0.1:9/', timeoutMs: 5000, headers: {} } }, { metrics: new Metrics() });
  }
  override run(name: string, _args: string, _ctx: ToolCallContext, signal: AbortSignal): Promise<ToolResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      const entry = { name, signal, settled: false, resolve: (r: ToolResult) => {} };
      entry.resolve = (r) => {
        if (entry.settled) return;
        entry.settled = true;
        this.inFlight--;
        resolve(r);
      };
      signal.addEventListener('abort', () => entry.resolve({ outcome: 'aborted', output: '{"error":"the call ended"}' }), { once: true });
      this.pending.push(entry);
    });
  }

  /** Ends the oldest request still running. */
  resolveNext(r: ToolResult): void {
    this.pending.find((p) => !p.settled)!.resolve(r);
  }
}

const call = (i: number) => ({ type: 'function_call', gen: 1, responseId: 'r1', itemId: `fc${i}`, callId: `call_${i}`, name: 't', arguments: '{}' }) as const;
const sentOf = (r: ReturnType<typeof rig>, type: string) => r.ai.sent.filter((e) => e['type'] === type);

describe('tool calls on fakes', () => {
  it(`at most ${TOOL_LIMITS.maxInFlight} requests in flight; every output, then one response.create`, async () => {
    const tools = new HeldRegistry();
    const r = rig('twilio', {}, () => 0.5, { tools });
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    for (let i = 1; i <= 6; i++) r.ai.emit(call(i));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    expect(tools.pending).toHaveLength(TOOL_LIMITS.maxInFlight);
    for (let k = 0; k < 6; k++) {
      tools.resolveNext({ outcome: 'ok', output: `"out${k}"` });
      await settle();
      // Outputs go out only when every call of the response has one.
      if (k < 5) expect(sentOf(r, 'conversation.item.create')).toHaveLength(0);
    }
    expect(tools.maxInFlight).toBe(TOOL_LIMITS.maxInFlight);
    expect(sentOf(r, 'conversation.item.create').map((e) => (e['item'] as { call_id: string }).call_id).sort()).toEqual(['call_1', 'call_2', 'call_3', 'call_4', 'call_5', 'call_6']);
    expect(sentOf(r, 'response.create')).toHaveLength(1);
  });

  it('cleanup aborts every request in flight; nothing is sent after', async () => {
    const tools = new HeldRegistry();
    const r = rig('twilio', {}, () => 0.5, { tools });
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    for (let i = 1; i <= 2; i++) r.ai.emit(call(i));
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    expect(tools.pending.map((p) => p.signal.aborted)).toEqual([false, false]);
    r.call.stop();
    await settle();
    expect(tools.pending.map((p) => p.signal.aborted)).toEqual([true, true]);
    expect(sentOf(r, 'conversation.item.create')).toEqual([]);
    expect(sentOf(r, 'response.create')).toEqual([]);
  });
});
