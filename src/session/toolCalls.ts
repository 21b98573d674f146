// The call's tool calls: one toolCalls machine actor (machines/toolCalls.ts) per model response
// that calls functions, and the call's bound on the requests they run. The machine decides
// (TC1: outputs only on the issuing connection; TC2: one response.create unless a newer caller
// turn began or a response is active; TC3: abort at the end); this file feeds it its inputs
// (function calls, outputs, response.done, caller turns) and is the target of the routes to the
// toolCalls machine in system.ts (LINK_LOST, END), which it fans out to every live group.
// Bounds: at most TOOL_LIMITS.maxInFlight requests per call (the rest wait in a bounded queue),
// a total per call, a bound on groups alive at once.
import { createActor, type Actor } from 'xstate';
import { toolCallsMachine, type ToolCallsEvent } from '../../machines/toolCalls.js';
import { errorOutput, type ToolResult } from '../functions/http.js';
import { profileAllows, type ToolCallContext } from '../functions/registry.js';
import { toolCallsEffects } from './effects/toolCalls.js';
import { ToolResponseGate } from './toolResponse.js';
import type { CallParts } from './parts.js';

export const TOOL_LIMITS = { maxInFlight: 4, maxQueued: 16, maxPerCall: 64, maxGroups: 8 } as const;

/** One `response.function_call_arguments.done`, with the client generation of its socket. */
export interface FunctionCall {
  readonly gen: number;
  readonly responseId: string;
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

/** The calls of one response and the actor deciding about them. */
export interface ToolGroup {
  readonly responseId: string;
  readonly actor: Actor<typeof toolCallsMachine>;
  /** The call the next FUNCTION_CALL announces (startRequest takes it). */
  next: FunctionCall | undefined;
  readonly outputs: Map<string, string | undefined>;
  /** The calls by call_id (name and arguments, for the conversation memory). */
  readonly calls: Map<string, FunctionCall>;
  readonly controllers: Set<AbortController>;
  sent: boolean;
  responseCreated: boolean;
}

export class ToolCallRuns {
  private readonly groups = new Map<string, ToolGroup>();
  private readonly queue: { g: ToolGroup; run: () => void }[] = [];
  private inFlight = 0;
  private started = 0;
  /** The responses asked for with tool outputs, and which a newer caller turn superseded (TC4). */
  readonly responses = new ToolResponseGate();
  /** Told of every group's actor before it starts (the model-based tests inspect them). */
  private readonly watchers = new Set<(actor: ToolGroup['actor']) => void>();

  constructor(private readonly c: CallParts) {}

  /** Calls `fn` with each new group's actor before it starts; returns the unsubscribe. */
  watch(fn: (actor: ToolGroup['actor']) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Requests in flight now, over every group. */
  get running(): number {
    return this.inFlight;
  }

  onFunctionCall(call: FunctionCall): void {
    let g = this.groups.get(call.responseId);
    if (!g) {
      if (this.groups.size >= TOOL_LIMITS.maxGroups || this.c.cleanupBegun) {
        this.c.trace.record('runtime', 'tool.refused', { data: { callId: call.callId, why: 'too_many_responses' } });
        return;
      }
      g = this.open(call.responseId);
      // A superseded response calling functions (before its cancel landed): the calls still get
      // their outputs (TC1), but they answer a stale question: no response.create (TC2, TC4).
      if (this.responses.isSuperseded(call.responseId)) {
        g.next = call;
        g.actor.send({ type: 'FUNCTION_CALL' });
        g.actor.send({ type: 'CALLER_TURN' });
        return;
      }
    }
    // One output per call_id (TC1): a repeated id is not announced again.
    if (g.outputs.has(call.callId)) return;
    g.next = call;
    g.actor.send({ type: 'FUNCTION_CALL' });
  }

  onResponseDone(responseId: string): void {
    this.groups.get(responseId)?.actor.send({ type: 'RESPONSE_DONE' });
  }

  /** The caller began a newer turn (speech_started on the current connection). */
  onCallerTurn(): void {
    this.responses.onCallerTurn();
    for (const g of [...this.groups.values()]) g.actor.send({ type: 'CALLER_TURN' });
  }

  /** The routes' target (system.ts): LINK_LOST and END go to every live group. */
  send(ev: { type: string }): void {
    const groups = [...this.groups.values()];
    if (groups.length === 0) this.c.trace.record('machine', ev.type, { machine: 'toolCalls', ignored: 'no tool calls running' });
    for (const g of groups) g.actor.send(ev as ToolCallsEvent);
  }

  /** startRequest: run the call now if a slot is free, else queue it (bounded). */
  schedule(g: ToolGroup, call: FunctionCall): void {
    const refuse = (reason: string) => {
      this.c.deps.metrics.toolCalls.inc({ tool: this.c.deps.tools?.has(call.name) ? call.name : 'unknown', outcome: 'refused' });
      this.c.observer.toolCall(call.name, call.arguments, 'refused', 0);
      queueMicrotask(() => this.output(g, call, errorOutput('refused', reason)));
    };
    if (this.started >= TOOL_LIMITS.maxPerCall) refuse('too many tool calls in this call');
    else if (this.inFlight < TOOL_LIMITS.maxInFlight) this.start(g, call);
    else if (this.queue.length < TOOL_LIMITS.maxQueued) this.queue.push({ g, run: () => this.start(g, call) });
    else refuse('too many tool calls at once');
  }

  /** abortRequests: the group's requests in flight are aborted, its queued ones forgotten. */
  abort(g: ToolGroup): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.g === g) this.queue.splice(i, 1);
    for (const ac of g.controllers) ac.abort();
    g.controllers.clear();
  }

  private open(responseId: string): ToolGroup {
    const partial: Omit<ToolGroup, 'actor'> = { responseId, next: undefined, outputs: new Map(), calls: new Map(), controllers: new Set(), sent: false, responseCreated: false };
    const g = partial as ToolGroup;
    const fx = toolCallsEffects(this.c, g);
    const logic = toolCallsMachine.provide({
      actions: {
        startRequest: () => fx.startRequest(),
        sendOutputs: () => fx.sendOutputs(),
        createResponse: () => fx.createResponse(),
        dropOutputs: () => fx.dropOutputs(),
        abortRequests: () => fx.abortRequests(),
      },
    });
    (g as { actor: ToolGroup['actor'] }).actor = createActor(logic, { inspect: this.c.trace.inspector('toolCalls') });
    this.c.trace.watch?.('toolCalls', g.actor);
    this.groups.set(responseId, g);
    let busy = false;
    g.actor.subscribe((s) => {
      // Back to idle (answered or dropped) or ended: the group is over.
      if (s.value !== 'idle' && s.status === 'active') busy = true;
      else if (busy || s.status === 'done') this.groups.delete(responseId);
    });
    for (const w of this.watchers) w(g.actor);
    g.actor.start();
    return g;
  }

  private start(g: ToolGroup, call: FunctionCall): void {
    const registry = this.c.deps.tools;
    const builtin = this.c.callControl.handles(call.name);
    this.started++;
    // Only the call's profile's tools: another profile's tool is unknown to this call.
    const allowed = this.c.profile.tools;
    const declared = registry !== undefined && profileAllows(allowed, call.name);
    if (!declared && !builtin) {
      this.c.deps.metrics.toolCalls.inc({ tool: 'unknown', outcome: 'unknown_tool' });
      this.c.observer.toolCall(call.name, call.arguments, 'unknown_tool', 0);
      queueMicrotask(() => this.output(g, call, errorOutput('unknown_tool', registry ? `there is no tool named ${call.name.slice(0, 64)}` : 'no tools are configured')));
      return;
    }
    const ac = new AbortController();
    g.controllers.add(ac);
    this.inFlight++;
    const started = this.c.now();
    const run = builtin || !registry ? this.c.callControl.run(call.name, call.arguments, ac.signal) : registry.run(call.name, call.arguments, this.context(), ac.signal);
    void run.then((r) => {
      g.controllers.delete(ac);
      this.inFlight--;
      this.c.trace.record('runtime', 'tool.result', { data: { callId: call.callId, name: call.name.slice(0, 64), outcome: r.outcome, ms: Math.round(this.c.now() - started) } });
      this.c.observer.toolCall(call.name, call.arguments, r.outcome, this.c.now() - started);
      this.output(g, call, r);
      if (!this.c.cleanupBegun) this.queue.shift()?.run();
    });
  }

  /** A call's output is ready: recorded, then the machine decides what happens to the group. */
  private output(g: ToolGroup, call: FunctionCall, r: ToolResult): void {
    if (!g.outputs.has(call.callId) || g.outputs.get(call.callId) !== undefined || g.actor.getSnapshot().status !== 'active') return;
    g.outputs.set(call.callId, r.output);
    const active = this.c.link !== undefined && this.c.turnCtx().activeResponse !== null;
    g.actor.send({ type: 'OUTPUT', responseActive: active });
  }

  private context(): ToolCallContext {
    const params = this.c.start?.customParameters ?? {};
    return { callId: this.c.callId, agent: this.c.profile.name, ...(Object.keys(params).length > 0 ? { customParameters: params } : {}) };
  }
}
