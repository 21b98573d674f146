// The call's tool calls: the model's function calls run (bounded in flight), and once every
// call of a response has its output and the response is done, the outputs go back and one
// response.create asks the model to go on. The rules (issue 15, TC1–TC3):
// - TC1: outputs go only on the connection that issued the call_ids; after a reconnect the new
//   session does not know them, so they are dropped (traced), never sent there;
// - TC2: no response.create when a newer caller turn began meanwhile (it gets its own response),
//   nor while a response is active;
// - TC3: at most maxInFlight requests per call (the rest wait in a bounded queue), a total cap
//   per call, and at cleanup every request in flight is aborted: none outlives the call.
import type { ToolCallContext } from '../functions/registry.js';
import type { ToolResult } from '../functions/http.js';
import { errorOutput } from '../functions/http.js';
import type { CallParts } from './parts.js';

export const TOOL_LIMITS = { maxInFlight: 4, maxQueued: 16, maxPerCall: 64, maxOpenResponses: 8 } as const;

/** One `response.function_call_arguments.done`, with the client generation of its socket. */
export interface FunctionCall {
  readonly gen: number;
  readonly responseId: string;
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

/** The calls one response made, on one connection, during one caller turn. */
interface Group {
  readonly gen: number;
  readonly callerTurn: number;
  readonly outputs: Map<string, string | undefined>;
  responseDone: boolean;
}

export class ToolCallRuns {
  private readonly groups = new Map<string, Group>();
  private readonly controllers = new Set<AbortController>();
  private readonly queue: (() => void)[] = [];
  private inFlight = 0;
  private started = 0;
  private callerTurn = 0;
  private ended = false;

  constructor(private readonly c: CallParts) {}

  /** Requests in flight now (for tests and the cleanup check). */
  get running(): number {
    return this.inFlight;
  }

  /** The caller began a new turn (speech_started on the current connection). */
  onCallerTurn(): void {
    this.callerTurn++;
  }

  onFunctionCall(call: FunctionCall): void {
    if (this.ended) return;
    let g = this.groups.get(call.responseId);
    if (!g) {
      if (this.groups.size >= TOOL_LIMITS.maxOpenResponses) {
        this.c.trace.record('runtime', 'tool.refused', { data: { callId: call.callId, why: 'too_many_responses' } });
        return;
      }
      g = { gen: call.gen, callerTurn: this.callerTurn, outputs: new Map(), responseDone: false };
      this.groups.set(call.responseId, g);
    }
    // One output per call_id (TC1): a repeated id is not run again.
    if (g.outputs.has(call.callId) || g.gen !== call.gen) return;
    g.outputs.set(call.callId, undefined);
    this.c.trace.record('runtime', 'tool.call', { data: { callId: call.callId, name: call.name.slice(0, 64), responseId: call.responseId } });
    const finish = (r: ToolResult) => this.finished(call, g, r);
    const refuse = (reason: string) => {
      this.c.deps.metrics.toolCalls.inc({ tool: this.c.deps.tools?.has(call.name) ? call.name : 'unknown', outcome: 'refused' });
      finish(errorOutput('refused', reason));
    };
    if (this.started >= TOOL_LIMITS.maxPerCall) refuse('too many tool calls in this call');
    else if (this.inFlight < TOOL_LIMITS.maxInFlight) this.start(call, finish);
    else if (this.queue.length < TOOL_LIMITS.maxQueued) this.queue.push(() => this.start(call, finish));
    else refuse('too many tool calls at once');
  }

  /** The response ended: its calls (all announced by now) may complete. */
  onResponseDone(responseId: string): void {
    const g = this.groups.get(responseId);
    if (!g) return;
    g.responseDone = true;
    this.complete(responseId, g);
  }

  /** Cleanup (TC3): abort every request in flight, forget the queue; nothing is sent after this. */
  abortAll(): void {
    this.ended = true;
    this.queue.length = 0;
    this.groups.clear();
    for (const ac of this.controllers) ac.abort();
    this.controllers.clear();
  }

  private start(call: FunctionCall, finish: (r: ToolResult) => void): void {
    const registry = this.c.deps.tools;
    this.started++;
    if (!registry) {
      this.c.deps.metrics.toolCalls.inc({ tool: 'unknown', outcome: 'unknown_tool' });
      finish(errorOutput('unknown_tool', 'no tools are configured'));
      return;
    }
    const ac = new AbortController();
    this.controllers.add(ac);
    this.inFlight++;
    const started = this.c.now();
    void registry.run(call.name, call.arguments, this.context(), ac.signal).then((r) => {
      this.controllers.delete(ac);
      this.inFlight--;
      this.c.trace.record('runtime', 'tool.result', { data: { callId: call.callId, outcome: r.outcome, ms: Math.round(this.c.now() - started) } });
      if (this.ended) return;
      finish(r);
      this.queue.shift()?.();
    });
  }

  private finished(call: FunctionCall, g: Group, r: ToolResult): void {
    if (this.ended || !g.outputs.has(call.callId)) return;
    g.outputs.set(call.callId, r.output);
    this.complete(call.responseId, g);
  }

  private complete(responseId: string, g: Group): void {
    if (!g.responseDone || [...g.outputs.values()].some((o) => o === undefined)) return;
    this.groups.delete(responseId);
    const ai = this.c.open?.ai;
    // TC1: the issuing connection only; a reconnect (or a link down) drops the outputs.
    if (!ai || this.c.link?.clientGen !== g.gen) {
      this.c.trace.record('runtime', 'tool.outputs_dropped', { data: { responseId, calls: g.outputs.size, why: 'connection_gone' } });
      return;
    }
    for (const [callId, output] of g.outputs) {
      ai.sendRaw({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: output! } });
    }
    // TC2: the outputs are recorded either way; only the current turn's question gets an answer.
    const why = g.callerTurn !== this.callerTurn ? 'newer_turn' : this.c.turnCtx().activeResponse !== null ? 'response_active' : undefined;
    this.c.trace.record('runtime', 'tool.outputs_sent', { data: { responseId, calls: g.outputs.size, responseCreate: why === undefined, ...(why ? { why } : {}) } });
    if (why === undefined) ai.createResponse();
  }

  private context(): ToolCallContext {
    const params = this.c.start?.customParameters ?? {};
    return { callId: this.c.callId, agent: 'default', ...(Object.keys(params).length > 0 ? { customParameters: params } : {}) };
  }
}
