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
      c.trace.record('runtime', 'tool.call', { data: { callId: call.callId, name: call.name.slice(0, 64), responseId: g.responseId } });
      c.toolCalls.schedule(g, call);
    },

    sendOutputs() {
      const ai = c.open?.ai;
      for (const [callId, output] of g.outputs) {
        ai?.sendRaw({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: output ?? '{"error":"no output"}' } });
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
      c.open?.ai.createResponse();
    },

    dropOutputs() {
      c.trace.record('runtime', 'tool.outputs_dropped', { data: { responseId: g.responseId, calls: g.outputs.size, why: 'connection_gone' } });
    },

    abortRequests() {
      c.toolCalls.abort(g);
    },
  };
}
