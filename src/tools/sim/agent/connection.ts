// One client connection of the sim-agent: the OpenAI Realtime GA conversation (session, input
// buffer with energy VAD, responses, cancel, truncate) plus armed faults.
import { responseMetadata, withMetadata } from './metadata.js';
import { summariseAppend } from './wire-format.js';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { strictBase64 } from '../audio/base64.js';
import { fireFault } from './fault-fire.js';
import { FaultSchedule } from './fault-schedule.js';
import { parseFaultObject } from './faults.js';
import { InputAudio, type CallerTurn } from './input.js';
import { Outbox } from './outbox.js';
import { audioDeltaEvent, ResponseStream, transcriptDeltaEvent } from './response.js';
import { buildResponse } from './start-response.js';
import type { TextResponseStream } from './textResponse.js';
import { applySessionUpdate, defaultSession, sessionToWire, type SimSession } from './session.js';
import { checkDelete, recordTruncate, type ItemInfo } from './truncate.js';
import { SimFunctionCalls, type SimToolCall } from './toolCalls.js';
import type { AgentScript, SimFault } from './types.js';
import type { AgentShared } from './shared.js';

export type { AgentShared } from './shared.js';

const MAX_ITEMS = 256;
const MAX_APPEND_BYTES = 15 * 1024 * 1024;

export class AgentConnection {
  private readonly outbox: Outbox;
  private readonly session: SimSession;
  private readonly input: InputAudio;
  private readonly faults: FaultSchedule;
  private seq = 0;
  private deltas = 0;
  private turns = 0;
  /** Caller turns of the conversation: committed here plus caller messages replayed into it. */
  private callerTurns = 0;
  private userItemId: string | undefined;
  private lastTurn: CallerTurn | undefined;
  private readonly items = new Map<string, ItemInfo>();
  private response: ResponseStream | TextResponseStream | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;
  private calls: SimFunctionCalls;
  readonly openedAt = Date.now();

  constructor(
    readonly id: number,
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly shared: AgentShared,
  ) {
    this.outbox = new Outbox((text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    });
    this.session = defaultSession(`sess_${id}`, 'gpt-realtime');
    this.input = new InputAudio(this.session.inputFormat, this.session.vad);
    this.faults = new FaultSchedule((f) => this.fire(f));
    this.calls = new SimFunctionCalls(shared.options.toolCalls);
    ws.on('message', (data, isBinary) => this.onMessage(String(data), isBinary));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
  }

  /** Arm the connection's initial faults (so a stall or delay covers the greeting too), then greet. */
  start(faults: readonly SimFault[], toolCalls?: readonly SimToolCall[]): void {
    if (toolCalls) this.calls = new SimFunctionCalls(toolCalls);
    for (const f of faults) this.inject(f);
    if (this.closed) return;
    this.send({ type: 'session.created', session: sessionToWire(this.session) });
    this.expiry = setTimeout(() => {
      this.sendError('invalid_request_error', 'session_expired', 'Your session hit the maximum duration of 60 minutes.');
      this.closeSoon(1001, 'session expired');
    }, this.shared.options.sessionMaxMs);
  }

  /** Arm a fault; it fires now or on its trigger. */
  inject(fault: SimFault): void {
    if (!this.closed) this.faults.arm(fault, this.deltas);
  }

  /** Reject the beta header like today's service: error, then close 4000. */
  rejectBeta(): void {
    this.sendError('invalid_request_error', 'beta_api_shape_disabled', 'The Realtime beta API shape is disabled; use the GA interface.');
    this.closeSoon(4000, 'beta_api_shape_disabled');
  }

  closeWith(code: number, reason: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  // ---- inbound -------------------------------------------------------------------------------

  private onMessage(text: string, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.sendError('invalid_request_error', 'invalid_value', 'Binary frames are not supported; send JSON text.');
      return;
    }
    let ev: unknown;
    try {
      ev = JSON.parse(text);
    } catch {
      this.sendError('invalid_request_error', 'invalid_json', 'The message is not valid JSON.');
      return;
    }
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev) || typeof (ev as { type?: unknown }).type !== 'string') {
      this.sendError('invalid_request_error', 'invalid_value', "Every event needs a string 'type'.", 'type');
      return;
    }
    const e = ev as Record<string, unknown>;
    const type = e['type'] as string;
    const eventId = typeof e['event_id'] === 'string' ? e['event_id'] : undefined;
    this.shared.record({ connId: this.id, t: Date.now(), type, event: type === 'input_audio_buffer.append' ? summariseAppend(e) : e });
    switch (type) {
      case 'session.update': {
        const err = applySessionUpdate(this.session, e['session']);
        if (err) this.sendError('invalid_request_error', err.code, err.message, err.param, eventId);
        else {
          this.input.reconfigure(this.session.inputFormat, this.session.vad);
          this.send({ type: 'session.updated', session: sessionToWire(this.session) });
        }
        return;
      }
      case 'input_audio_buffer.append':
        return this.append(e, eventId);
      case 'input_audio_buffer.commit':
        return this.commit(eventId);
      case 'input_audio_buffer.clear':
        this.input.clear();
        this.send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'response.create': {
        const metadata = responseMetadata(e['response']);
        if (this.response?.active) {
          const message = `Conversation already has an active response in progress: ${this.response.id}. Wait until the response is finished before creating a new one.`;
          this.sendError('invalid_request_error', 'conversation_already_has_active_response', message, undefined, eventId);
        } else if (typeof metadata === 'string') this.sendError('invalid_request_error', 'invalid_value', metadata, 'response.metadata', eventId);
        else this.startResponse(metadata);
        return;
      }
      case 'response.cancel':
        return this.cancel(e, eventId);
      case 'conversation.item.truncate':
        return this.truncate(e, eventId);
      case 'conversation.item.create': {
        const r = this.calls.itemCreate(e, () => this.nextId('item'));
        if (!r.ok) return this.sendError('invalid_request_error', r.error.code, r.error.message, r.error.param, eventId);
        if (r.item['type'] === 'function_call_output') this.shared.counters.toolOutputs++;
        if (r.item['type'] === 'message' && r.item['role'] === 'user') this.callerTurns++;
        this.remember(r.item['id'] as string, { role: 'other' });
        this.send({ type: 'conversation.item.added', previous_item_id: null, item: r.item });
        this.send({ type: 'conversation.item.done', previous_item_id: null, item: r.item });
        return;
      }
      case 'conversation.item.delete': {
        const d = checkDelete(e, (id) => this.items.delete(id));
        return d.ok ? this.send({ type: 'conversation.item.deleted', item_id: d.itemId }) : this.sendError('invalid_request_error', d.code, d.message, d.param, eventId);
      }
      case 'sim.fault': {
        const parsed = parseFaultObject(e['fault']);
        if (!parsed.ok) this.sendError('invalid_request_error', 'invalid_value', parsed.error, 'fault', eventId);
        else this.inject(parsed.fault);
        return;
      }
      default:
        this.sendError('invalid_request_error', 'invalid_value', `Invalid value: '${type.slice(0, 60)}'. Unsupported event type.`, 'type', eventId);
    }
  }

  private append(e: Record<string, unknown>, eventId: string | undefined): void {
    const text = e['audio'];
    if (typeof text !== 'string' || text.length === 0) {
      this.sendError('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'audio'.", 'audio', eventId);
      return;
    }
    if (text.length > (MAX_APPEND_BYTES * 4) / 3) {
      this.sendError('invalid_request_error', 'invalid_value', 'Audio chunk exceeds 15 MiB.', 'audio', eventId);
      return;
    }
    const bytes = strictBase64(text);
    if (!bytes) {
      this.sendError('invalid_request_error', 'invalid_value', 'Invalid base64 audio.', 'audio', eventId);
      return;
    }
    // Scripted: the caller's audio is kept, but only the test says when speech starts and stops.
    if (this.scripted) this.input.append(bytes, () => {});
    else this.input.append(bytes, (v) => (v.kind === 'start' ? this.speechStarted(v.audioStartMs) : this.speechStopped(v.audioEndMs)));
  }

  private get scripted(): boolean {
    return this.shared.options.drive === 'scripted';
  }

  /** The test's handle on this connection (scripted agents). */
  script(): AgentScript {
    const bytesPerMs = (f: { rate: number; codec: string }) => (f.rate * (f.codec === 'pcm16' ? 2 : 1)) / 1000;
    const active = () => (this.response?.active ? this.response : undefined);
    return {
      get activeResponse() {
        return active()?.id;
      },
      speechStarted: () => this.speechStarted(Math.round(this.input.audioMs)),
      speechStopped: () => this.speechStopped(Math.round(this.input.audioMs)),
      createResponse: () => {
        if (active() || this.closed) return undefined;
        this.startResponse();
        const r = this.response!;
        return { responseId: r.id, itemId: r.itemId };
      },
      audioDelta: (ms) => {
        const r = active();
        if (!r) return false;
        const fmt = this.session.outputFormat;
        const raw = Math.max(1, Math.round(ms * bytesPerMs(fmt)));
        return r.sendAudio(fmt.codec === 'pcm16' ? raw + (raw % 2) : raw);
      },
      transcriptDelta: () => active()?.sendWord() ?? false,
      completeResponse: () => {
        const r = active();
        r?.complete();
        return r !== undefined;
      },
      callFunction: (name, args) => {
        const r = active();
        if (!r) return undefined;
        const ids = { responseId: r.id, itemId: this.nextId('item'), callId: this.nextId('call'), eventId: () => this.nextId('event') };
        for (const ev of this.calls.callEvents(name, args, ids)) this.outbox.send(ev);
        return ids.callId;
      },
      lateAudioDelta: (responseId, itemId, ms) => {
        const fmt = this.session.outputFormat;
        const raw = Math.max(2, Math.round(ms * bytesPerMs(fmt)));
        const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
        this.outbox.send(audioDeltaEvent(this.nextId('event'), ids, Buffer.alloc(fmt.codec === 'pcm16' ? raw + (raw % 2) : raw)));
      },
      lateTranscriptDelta: (responseId, itemId) => {
        const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
        this.outbox.send(transcriptDeltaEvent(this.nextId('event'), ids, 'late '));
      },
    };
  }

  private speechStarted(audioStartMs: number): void {
    this.shared.counters.speechStarted++;
    this.userItemId = this.nextId('item');
    this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: audioStartMs, item_id: this.userItemId });
    if (!this.scripted && this.response?.active && this.session.vad?.interruptResponse) this.response.cancel('turn_detected');
  }

  private speechStopped(audioEndMs: number): void {
    const itemId = this.userItemId ?? this.nextId('item');
    this.userItemId = undefined;
    this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: audioEndMs, item_id: itemId });
    this.commitTurn(itemId);
    if (!this.scripted && this.session.vad?.createResponse && !this.response?.active) this.startResponse();
  }

  private commit(eventId: string | undefined): void {
    if (this.input.uncommittedMs < 100) {
      this.sendError(
        'invalid_request_error',
        'input_audio_buffer_commit_empty',
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${this.input.uncommittedMs.toFixed(2)}ms of audio.`,
        undefined,
        eventId,
      );
      return;
    }
    this.commitTurn(this.userItemId ?? this.nextId('item'));
    this.userItemId = undefined;
  }

  private commitTurn(itemId: string): void {
    const turn = this.input.takeTurn();
    this.lastTurn = turn;
    this.callerTurns++;
    this.remember(itemId, { role: 'user' });
    this.send({ type: 'input_audio_buffer.committed', previous_item_id: null, item_id: itemId });
    const item = { id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
    this.send({ type: 'conversation.item.added', previous_item_id: null, item });
    this.send({ type: 'conversation.item.done', previous_item_id: null, item });
    if (this.session.transcription) {
      const secs = (turn.audio.length / turn.rate).toFixed(2);
      this.send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript: `[caller turn ${this.callerTurns}, ${secs} s]`, // of the conversation (replayed turns count)
      });
    }
  }

  private cancel(e: Record<string, unknown>, eventId: string | undefined): void {
    const want = e['response_id'];
    const r = this.response;
    if (!r?.active || (typeof want === 'string' && want !== r.id)) {
      this.sendError('invalid_request_error', 'response_cancel_not_active', 'Cancellation failed: no active response found.', undefined, eventId);
      return;
    }
    r.cancel('client_cancelled');
  }

  private truncate(e: Record<string, unknown>, eventId: string | undefined): void {
    const check = recordTruncate(e, (id) => this.items.get(id), this.shared.truncates, this.id);
    if (!check.ok) this.sendError('invalid_request_error', check.code, check.message, check.param, eventId);
    else this.send({ type: 'conversation.item.truncated', item_id: check.itemId, content_index: 0, audio_end_ms: check.ms });
  }

  // ---- responses -----------------------------------------------------------------------------

  private startResponse(metadata?: Readonly<Record<string, string>>): void {
    this.turns++;
    const nextId = (prefix: string) => this.nextId(prefix);
    const send = (ev: Record<string, unknown>) => this.outbox.send(metadata ? withMetadata(ev, metadata) : ev);
    // The scripted function call instead of speech: the model waits for the output.
    const at = { turn: this.turns, callerTurns: this.callerTurns };
    if (this.calls.respondWithCall(at, this.session.tools, this.id, nextId, send)) return void this.shared.counters.toolCalls++;
    const heard = this.calls.takeHeard();
    this.shared.counters.toolOutputsSpoken += heard.length;
    const format = this.session.outputModality === 'text' ? undefined : this.session.outputFormat;
    const onDelta = (bytes: number, bytesPerMs: number) => this.onDelta(bytes, bytesPerMs);
    // A call after the speech: counted, with the length of the speech before it.
    const after = this.calls.afterSpeech(at, this.session.tools, nextId, send, (call) => {
      this.shared.counters.toolCalls++;
      const r = this.response;
      if (this.shared.callsAfterSpeech.length >= 1000) this.shared.callsAfterSpeech.shift(); // bounded: long runs
      this.shared.callsAfterSpeech.push({ name: call.name, connId: this.id, speechMs: r instanceof ResponseStream ? r.sentMs : 0 });
    });
    const r = buildResponse({ options: this.shared.options, connId: this.id, turn: this.turns, lastTurn: this.lastTurn, format, manual: this.scripted, nextId, send, onDelta, onCancelled: () => this.shared.counters.responsesCancelled++, heard, ...after });
    this.response = r;
    this.remember(r.itemId, r instanceof ResponseStream ? { role: 'assistant', response: r } : { role: 'assistant' });
    this.shared.counters.responses++;
    r.start();
  }

  private onDelta(bytes: number, bytesPerMs: number): void {
    this.deltas++;
    this.shared.counters.deltas++;
    this.shared.counters.audioMsSent += bytes / bytesPerMs;
    this.faults.delta(this.deltas);
  }

  // ---- faults --------------------------------------------------------------------------------

  private fire(f: SimFault): void {
    if (this.closed) return;
    fireFault(
      {
        ws: this.ws,
        socket: this.socket,
        outbox: this.outbox,
        teardown: () => this.teardown(),
        sendError: (type, code, message) => this.sendError(type, code, message),
        closeSoon: (code, reason) => this.closeSoon(code, reason),
      },
      f,
    );
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private send(event: Record<string, unknown>): void {
    this.outbox.send({ event_id: this.nextId('event'), ...event });
  }

  private sendError(type: string, code: string, message: string, param?: string, eventId?: string): void {
    this.shared.counters.errorsSent++;
    this.send({ type: 'error', error: { type, code, message, param: param ?? null, event_id: eventId ?? null } });
  }

  /** Close after the events already queued (e.g. the error explaining the close) have gone out. */
  private closeSoon(code: number, reason: string): void {
    this.outbox.then(() => this.closeWith(code, reason));
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.response?.abort();
    this.outbox.close();
    if (this.expiry) clearTimeout(this.expiry);
    this.faults.clear();
  }

  private nextId(prefix: string): string {
    return `${prefix}_${this.id}_${++this.seq}`;
  }

  private remember(id: string, info: ItemInfo): void {
    if (this.items.size >= MAX_ITEMS) this.items.delete(this.items.keys().next().value!);
    this.items.set(id, info);
  }
}
