// Function calling in the sim-agent, in the GA shapes: a reply script makes the agent call a
// tool on a given response instead of speaking (response.output_item.added of a function_call
// item, response.function_call_arguments.delta/.done, response.output_item.done,
// response.done), and `conversation.item.create` is checked like the real API does: a
// function_call_output must name a call_id this conversation issued (else an
// invalid_request_error), a message item is added. The next response speaks the output.

/**
 * "On response N call tool X with these arguments (and speak its output in the next one)." The
 * response is picked by `turn` (counted per connection) or by `callerTurn` (counted per
 * conversation: caller turns committed on this connection plus the caller messages Parley replays
 * into it after a reconnect), so a script survives a reconnect the way a real model's conversation
 * does: "answer the caller's 4th turn with a goodbye and end_call" whatever connection hears it.
 */
export interface SimToolCall {
  /** 1-based number of the response (on this connection) that makes the call. */
  readonly turn?: number;
  /** 1-based caller turn of the conversation whose first answer makes the call (once per connection). */
  readonly callerTurn?: number;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** Speak the reply first, then call the tool in the same response (a goodbye before end_call). */
  readonly afterSpeech?: boolean;
}

export interface ItemCreateError {
  readonly code: string;
  readonly param: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_CALLS = 256;

/** Where a connection's conversation is when a response starts. */
export interface ResponseAt {
  /** Responses on this connection, this one included. */
  readonly turn: number;
  /** Caller turns in the conversation (committed + replayed). */
  readonly callerTurns: number;
}

export class SimFunctionCalls {
  /** callerTurn-keyed calls already made on this connection (a tool-output response must not repeat them). */
  private readonly fired = new Set<SimToolCall>();
  /** call_id → its output once the client sent it. */
  private readonly issued = new Map<string, string | undefined>();
  private readonly heard: string[] = [];
  /** Outputs received (by call_id), for tests. */
  readonly outputs: { callId: string; output: string }[] = [];

  constructor(private readonly script: readonly SimToolCall[]) {}

  /** The call scripted for this response, if any (and only if the session lists the tool). */
  private pick(at: ResponseAt, sessionTools: readonly string[], afterSpeech: boolean): SimToolCall | undefined {
    const call = this.script.find(
      (s) =>
        (s.afterSpeech === true) === afterSpeech &&
        sessionTools.includes(s.name) &&
        (s.turn !== undefined ? s.turn === at.turn : s.callerTurn === at.callerTurns && !this.fired.has(s)),
    );
    return call;
  }

  planned(at: ResponseAt, sessionTools: readonly string[]): SimToolCall | undefined {
    return this.pick(at, sessionTools, false);
  }

  /** What a speaking response sends before its response.done when a call follows its speech. */
  afterSpeech(at: ResponseAt, sessionTools: readonly string[], nextId: (prefix: string) => string, send: (ev: Obj) => void, onCall: (call: SimToolCall) => void): { beforeDone?: (responseId: string) => void } {
    const call = this.pick(at, sessionTools, true);
    if (!call) return {};
    return {
      beforeDone: (responseId) => {
        this.fired.add(call);
        onCall(call);
        for (const ev of this.trailingCallEvents(call, responseId, { itemId: nextId('item'), callId: nextId('call'), eventId: () => nextId('event') })) send(ev);
      },
    };
  }

  /** The function_call item of a speaking response (output_index 1), sent before its response.done. */
  trailingCallEvents(call: SimToolCall, responseId: string, ids: { itemId: string; callId: string; eventId: () => string }): Obj[] {
    if (this.issued.size >= MAX_CALLS) this.issued.delete(this.issued.keys().next().value!);
    this.issued.set(ids.callId, undefined);
    const args = JSON.stringify(call.arguments);
    const item = (status: string, a: string) => ({ id: ids.itemId, object: 'realtime.item', type: 'function_call', status, name: call.name, call_id: ids.callId, arguments: a });
    const at = { response_id: responseId, output_index: 1 };
    return [
      { type: 'response.output_item.added', event_id: ids.eventId(), ...at, item: item('in_progress', '') },
      { type: 'conversation.item.added', event_id: ids.eventId(), previous_item_id: null, item: item('in_progress', '') },
      { type: 'response.function_call_arguments.delta', event_id: ids.eventId(), ...at, item_id: ids.itemId, call_id: ids.callId, delta: args },
      { type: 'response.function_call_arguments.done', event_id: ids.eventId(), ...at, item_id: ids.itemId, call_id: ids.callId, name: call.name, arguments: args },
      { type: 'conversation.item.done', event_id: ids.eventId(), previous_item_id: null, item: item('completed', args) },
      { type: 'response.output_item.done', event_id: ids.eventId(), ...at, item: item('completed', args) },
    ];
  }

  /** Outputs received since the last response: what the next response speaks about. */
  takeHeard(): string[] {
    return this.heard.splice(0);
  }

  /** The events of a response that calls `call` (all at once: arguments are short). */
  /** Sends the function call planned for this turn instead of speech; false when none is. */
  respondWithCall(at: ResponseAt, sessionTools: readonly string[], connId: number, nextId: (prefix: string) => string, send: (ev: Obj) => void): boolean {
    const call = this.planned(at, sessionTools);
    if (!call) return false;
    this.fired.add(call);
    const ids = { responseId: nextId('resp'), itemId: nextId('item'), callId: nextId('call'), conversationId: `conv_${connId}`, eventId: () => nextId('event') };
    for (const ev of this.responseEvents(call, ids)) send(ev);
    return true;
  }

  responseEvents(call: SimToolCall, ids: { responseId: string; itemId: string; callId: string; conversationId: string; eventId: () => string }): Obj[] {
    if (this.issued.size >= MAX_CALLS) this.issued.delete(this.issued.keys().next().value!);
    this.issued.set(ids.callId, undefined);
    const args = JSON.stringify(call.arguments);
    const item = (status: string, a: string) => ({ id: ids.itemId, object: 'realtime.item', type: 'function_call', status, name: call.name, call_id: ids.callId, arguments: a });
    const response = (status: string, output: Obj[]) => ({
      id: ids.responseId,
      object: 'realtime.response',
      status,
      status_details: null,
      conversation_id: ids.conversationId,
      output_modalities: ['audio'],
      output,
      usage: status === 'in_progress' ? null : { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
    });
    const at = { response_id: ids.responseId, output_index: 0 };
    return [
      { type: 'response.created', event_id: ids.eventId(), response: response('in_progress', []) },
      { type: 'response.output_item.added', event_id: ids.eventId(), ...at, item: item('in_progress', '') },
      { type: 'conversation.item.added', event_id: ids.eventId(), previous_item_id: null, item: item('in_progress', '') },
      { type: 'response.function_call_arguments.delta', event_id: ids.eventId(), ...at, item_id: ids.itemId, call_id: ids.callId, delta: args },
      { type: 'response.function_call_arguments.done', event_id: ids.eventId(), ...at, item_id: ids.itemId, call_id: ids.callId, name: call.name, arguments: args },
      { type: 'conversation.item.done', event_id: ids.eventId(), previous_item_id: null, item: item('completed', args) },
      { type: 'response.output_item.done', event_id: ids.eventId(), ...at, item: item('completed', args) },
      { type: 'response.done', event_id: ids.eventId(), response: response('completed', [item('completed', args)]) },
    ];
  }

  /** A function call inside a response the test drives (scripted agents): the call_id becomes known. */
  callEvents(name: string, args: string, ids: { responseId: string; itemId: string; callId: string; eventId: () => string }): Obj[] {
    if (this.issued.size >= MAX_CALLS) this.issued.delete(this.issued.keys().next().value!);
    this.issued.set(ids.callId, undefined);
    const item = (status: string, a: string) => ({ id: ids.itemId, object: 'realtime.item', type: 'function_call', status, name, call_id: ids.callId, arguments: a });
    const at = { response_id: ids.responseId, output_index: 1 };
    return [
      { type: 'response.output_item.added', event_id: ids.eventId(), ...at, item: item('in_progress', '') },
      { type: 'response.function_call_arguments.done', event_id: ids.eventId(), ...at, item_id: ids.itemId, call_id: ids.callId, name, arguments: args },
      { type: 'response.output_item.done', event_id: ids.eventId(), ...at, item: item('completed', args) },
    ];
  }

  /** A `conversation.item.create`: the item to announce as added, or the API's refusal. */
  itemCreate(e: Obj, newId: () => string): { ok: true; item: Obj } | { ok: false; error: ItemCreateError } {
    const item = e['item'];
    if (!isObj(item)) return { ok: false, error: { code: 'missing_required_parameter', param: 'item', message: "Missing required parameter: 'item'." } };
    const id = typeof item['id'] === 'string' ? item['id'] : newId();
    switch (item['type']) {
      case 'function_call_output': {
        const callId = item['call_id'];
        const output = item['output'];
        if (typeof callId !== 'string') return { ok: false, error: { code: 'missing_required_parameter', param: 'item.call_id', message: "Missing required parameter: 'item.call_id'." } };
        if (typeof output !== 'string') return { ok: false, error: { code: 'invalid_type', param: 'item.output', message: "Invalid type for 'item.output': expected a string." } };
        if (!this.issued.has(callId)) {
          return { ok: false, error: { code: 'invalid_value', param: 'item.call_id', message: `Tool call ID '${callId.slice(0, 64)}' not found in conversation.` } };
        }
        this.issued.set(callId, output);
        this.outputs.push({ callId, output });
        this.heard.push(output);
        return { ok: true, item: { id, object: 'realtime.item', type: 'function_call_output', call_id: callId, output } };
      }
      case 'function_call': {
        // A call the client puts into the conversation (Parley's replay after a reconnect): its
        // call_id is known from now on, so its output may follow.
        const callId = item['call_id'];
        const name = item['name'];
        if (typeof callId !== 'string' || callId.length === 0) return { ok: false, error: { code: 'missing_required_parameter', param: 'item.call_id', message: "Missing required parameter: 'item.call_id'." } };
        if (typeof name !== 'string' || name.length === 0) return { ok: false, error: { code: 'missing_required_parameter', param: 'item.name', message: "Missing required parameter: 'item.name'." } };
        if (this.issued.size >= MAX_CALLS) this.issued.delete(this.issued.keys().next().value!);
        this.issued.set(callId, undefined);
        const args = typeof item['arguments'] === 'string' ? item['arguments'] : '';
        return { ok: true, item: { id, object: 'realtime.item', type: 'function_call', status: 'completed', call_id: callId, name, arguments: args } };
      }
      case 'message': {
        const role = item['role'];
        if (role !== 'user' && role !== 'assistant' && role !== 'system') {
          return { ok: false, error: { code: 'invalid_value', param: 'item.role', message: "Invalid value for 'item.role'." } };
        }
        return { ok: true, item: { id, object: 'realtime.item', type: 'message', status: 'completed', role, content: Array.isArray(item['content']) ? item['content'] : [] } };
      }
      default:
        return { ok: false, error: { code: 'invalid_value', param: 'item.type', message: `Invalid value: '${String(item['type']).slice(0, 40)}'. Supported values are: 'message', 'function_call', 'function_call_output'.` } };
    }
  }
}

/** The reply's words, the tool outputs it speaks about first (so the transcript shows them). */
export function withHeard(words: string[], heard: readonly string[]): string[] {
  if (heard.length === 0 || words.length === 0) return words;
  return [`[tool output: ${heard.join('; ').slice(0, 200)}] ${words[0]!}`, ...words.slice(1)];
}

/**
 * The text form of a scripted call (CLI `--tool-call`, URL `?sim_tool=`): `TURN:NAME:JSON-ARGS`;
 * `cN` for TURN keys it to the caller's Nth turn of the conversation, a trailing `+` on TURN makes
 * the response speak first and call after (`c4+:end_call:{}` — a goodbye, then the hang-up).
 */
export function parseToolCallSpec(spec: string): { ok: true; call: SimToolCall } | { ok: false; error: string } {
  const m = /^(c?)(\d+)(\+?):([a-zA-Z0-9_-]{1,64}):(.*)$/s.exec(spec);
  if (!m) return { ok: false, error: `'${spec.slice(0, 80)}' is not TURN:NAME:JSON-ARGS` };
  let args: unknown;
  try {
    args = JSON.parse(m[5]!);
  } catch {
    return { ok: false, error: 'the arguments are not JSON' };
  }
  if (!isObj(args)) return { ok: false, error: 'the arguments must be a JSON object' };
  const n = Number(m[2]);
  if (n < 1) return { ok: false, error: 'TURN counts from 1' };
  const at = m[1] === 'c' ? { callerTurn: n } : { turn: n };
  return { ok: true, call: { ...at, name: m[4]!, arguments: args, ...(m[3] === '+' ? { afterSpeech: true } : {}) } };
}
