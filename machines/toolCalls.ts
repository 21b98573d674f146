/**
 * toolCalls — the tool calls of one model response: collected while the response runs, their
 * outputs awaited, then returned on the connection that issued them, with one response.create
 * when the question is still the caller's latest (issue 15: TC1–TC3).
 *
 * The model may call several functions in one response; it then waits for every output. Each
 * call's request runs while the response ends, the caller may talk over it (a newer turn gets
 * its own response: the outputs are recorded, no response.create for them) and the connection
 * may be lost (the new session does not know the call_ids: the outputs are dropped). At the
 * call's end every request still running is aborted.
 *
 * EVENTS (exact type and payload the runtime sends)
 *   FUNCTION_CALL                        response.function_call_arguments.done of this response
 *   RESPONSE_DONE                        response.done of this response
 *   OUTPUT { responseActive }            one call's output (or error output) is ready; responseActive:
 *                                        another response is active on the connection right now
 *   CALLER_TURN                          the caller began a newer turn (speech_started)
 *   LINK_LOST                            the connection that issued the calls is gone
 *   END                                  the call is being cleaned up
 *
 * GUARDS   isLastOutput (this output is the last one outstanding), noneOutstanding (no output
 *          outstanding), isStale (a newer caller turn began), isResponseActive (event.responseActive);
 *          combined with and.
 * TAGS     tools.running (requests may be in flight), tools.orphaned (outputs are dropped, never sent)
 * CONTEXT  outstanding (calls without an output yet), stale.
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   startRequest     run the call's tool (bounded in flight per call; arguments validated first)
 *   sendOutputs      conversation.item.create { function_call_output } for every call, on the
 *                    issuing connection
 *   createResponse   response.create (once for the response's outputs)
 *   dropOutputs      trace and forget the outputs (the issuing connection is gone)
 *   abortRequests    abort every request in flight (nothing outlives the call)
 */
import { and, assign, setup } from 'xstate';

export type ToolCallsEvent =
  | { type: 'FUNCTION_CALL' }
  | { type: 'RESPONSE_DONE' }
  | { type: 'OUTPUT'; responseActive: boolean }
  | { type: 'CALLER_TURN' }
  | { type: 'LINK_LOST' }
  | { type: 'END' };

export interface ToolCallsContext {
  outstanding: number;
  stale: boolean;
}

/** The response is done and its last output is in: send them, and ask for an answer if still due. */
const completeOnOutput = [
  { guard: and(['isLastOutput', 'isStale']), target: '#toolCalls.idle', actions: ['takeOutput', 'sendOutputs'] },
  { guard: and(['isLastOutput', 'isResponseActive']), target: '#toolCalls.idle', actions: ['takeOutput', 'sendOutputs'] },
  { guard: 'isLastOutput', target: '#toolCalls.idle', actions: ['takeOutput', 'sendOutputs', 'createResponse'] },
] as const;
/** Every output was in before the response ended (which was the active one: none is active now). */
const completeOnDone = [
  { guard: and(['noneOutstanding', 'isStale']), target: '#toolCalls.idle', actions: 'sendOutputs' },
  { guard: 'noneOutstanding', target: '#toolCalls.idle', actions: ['sendOutputs', 'createResponse'] },
] as const;

export const toolCallsMachine = setup({
  types: {
    context: {} as ToolCallsContext,
    events: {} as ToolCallsEvent,
    tags: {} as 'tools.running' | 'tools.orphaned',
  },
  guards: {
    isLastOutput: ({ context, event }) => event.type === 'OUTPUT' && context.outstanding === 1,
    noneOutstanding: ({ context }) => context.outstanding === 0,
    isStale: ({ context }) => context.stale,
    isResponseActive: ({ event }) => event.type === 'OUTPUT' && event.responseActive,
  },
  actions: {
    addCall: assign({ outstanding: ({ context }) => context.outstanding + 1 }),
    takeOutput: assign({ outstanding: ({ context, event }) => (event.type === 'OUTPUT' ? Math.max(0, context.outstanding - 1) : context.outstanding) }),
    markStale: assign({ stale: true }),
    reset: assign({ outstanding: 0, stale: false }),
    // Effects: performed by the session runtime (machine.provide), no-ops here.
    startRequest: () => {},
    sendOutputs: () => {},
    createResponse: () => {},
    dropOutputs: () => {},
    abortRequests: () => {},
  },
}).createMachine({
  id: 'toolCalls',
  initial: 'idle',
  context: { outstanding: 0, stale: false },
  on: {
    END: { target: '.ended', actions: 'abortRequests' },
  },
  states: {
    idle: {
      entry: 'reset',
      on: {
        FUNCTION_CALL: { target: 'collecting', actions: ['addCall', 'startRequest'] },
      },
    },
    // The response still runs: more calls may come; outputs may already arrive.
    collecting: {
      tags: ['tools.running'],
      on: {
        FUNCTION_CALL: { actions: ['addCall', 'startRequest'] },
        OUTPUT: { actions: 'takeOutput' },
        RESPONSE_DONE: [...completeOnDone, { target: 'awaiting' }],
        CALLER_TURN: { actions: 'markStale' },
        LINK_LOST: [{ guard: 'noneOutstanding', target: 'idle', actions: 'dropOutputs' }, { target: 'orphaned' }],
      },
    },
    // The response is done: the last output completes it.
    awaiting: {
      tags: ['tools.running'],
      on: {
        OUTPUT: [...completeOnOutput, { actions: 'takeOutput' }],
        CALLER_TURN: { actions: 'markStale' },
        LINK_LOST: { target: 'orphaned' },
      },
    },
    // The issuing connection is gone: outputs still arrive, and are dropped.
    orphaned: {
      tags: ['tools.running', 'tools.orphaned'],
      on: {
        OUTPUT: [{ guard: 'isLastOutput', target: 'idle', actions: ['takeOutput', 'dropOutputs'] }, { actions: 'takeOutput' }],
      },
    },
    ended: {
      type: 'final',
    },
  },
});

export type ToolCallsMachine = typeof toolCallsMachine;
