// The toolCalls machine's actions (machines/toolCalls.ts header), one function each, for one
// response's group of calls. The machine decides when outputs go out, on which connection
// (only while the issuing one is alive: TC1) and whether response.create follows (TC2); the
// requests' bound and the queue are the call's (toolCalls.ts).
import type { CallParts } from '../parts.js';
import type { ToolGroup } from '../toolCalls.js';
import type { ToolCallsEffects } from './types.js';

export function toolCallsEffects(c: CallParts, g: ToolGroup): ToolCallsEffects {
  return {
    startRequest() {
      const call = g.next;
      if (!call) return;
      g.next = undefined;
      g.outputs.set(call.callId, undefined);
      g.calls.set(call.callId, call);
      c.trace.record('runtime', 'tool.call', { data: { callId: call.callId, name: call.name.slice(0, 64), responseId: g.responseId } });
      c.toolCalls.schedule(g, call);
    },

    sendOutputs() {
      const ai = c.open?.ai;
      for (const [callId, output] of g.outputs) {
        const text = output ?? '{"error":"no output"}';
        ai?.sendRaw({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: text } });
        // Remembered with its output, never before (TC5: a replay holds no call without its output).
        const call = g.calls.get(callId);
        if (call) c.memory.addToolCall(callId, call.name, call.arguments, text);
      }
      g.sent = true;
      c.trace.record('runtime', 'tool.outputs_sent', { data: { responseId: g.responseId, calls: g.outputs.size } });
    },

    createResponse() {
      // The call is ending or being transferred: no response after the decision (CC1).
      if (c.callControl.closing) {
        c.trace.record('runtime', 'tool.no_response', { data: { responseId: g.responseId, why: 'call_closing' } });
        return;
      }
      g.responseCreated = true;
      // Marked, so its response.created can be told apart: a caller turn before it supersedes it (TC4).
      c.open?.ai.sendRaw({ type: 'response.create', response: { metadata: c.toolCalls.responses.request() } });
    },

    dropOutputs() {
      c.trace.record('runtime', 'tool.outputs_dropped', { data: { responseId: g.responseId, calls: g.outputs.size, why: 'connection_gone' } });
    },

    abortRequests() {
      c.toolCalls.abort(g);
    },
  };
}
