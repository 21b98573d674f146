// The offline agent's public surface: options, fault injection, and the in-process handle. The
import type { SimToolCall } from './toolCalls.js';
// agent speaks OpenAI Realtime GA over WebSocket (docs/reference/openai-realtime.md), so the same
// client code talks to it and to the real service.

/** When a fault fires. Absent fields mean "now". */
export interface FaultTrigger {
  /** After this many audio deltas have been sent on the connection (counting from when the fault was armed). */
  readonly afterDeltas?: number;
  /** After this many milliseconds (from when the fault was armed). */
  readonly afterMs?: number;
}

/**
 * Faults a test can inject, per connection (control message / query parameter) or for every new
 * connection (options / CLI flags).
 */
export type SimFault =
  /** Destroy the TCP socket without a close frame. */
  | ({ readonly kind: 'drop' } & FaultTrigger)
  /** Send a close frame with this code. */
  | ({ readonly kind: 'close'; readonly code: number; readonly reason?: string } & FaultTrigger)
  /** Hold every outgoing event for `ms`, then release them in order. */
  | ({ readonly kind: 'stall'; readonly ms: number } & FaultTrigger)
  /** Add `ms` of latency to every outgoing event from now on (0 removes it). */
  | ({ readonly kind: 'delay'; readonly ms: number } & FaultTrigger)
  /**
   * Send an `error` event. `code` picks the real API's shape: e.g. `invalid_api_key` (then close
   * 1008 when `close` is true), `server_error`, `session_expired` (then close 1001),
   * `rate_limit_exceeded`.
   */
  | ({ readonly kind: 'error'; readonly code: string; readonly errorType?: string; readonly message?: string; readonly close?: boolean } & FaultTrigger)
  /** Stop reading the socket for `ms` so the client's bufferedAmount grows. */
  | ({ readonly kind: 'slow_reader'; readonly ms: number } & FaultTrigger);

export type SimFaultKind = SimFault['kind'];

/** What the agent says back. */
export type ReplyMode = 'melody' | 'echo';

export interface SimAgentOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (ephemeral). */
  readonly port?: number;
  /** WebSocket path; any path is accepted when undefined (default '/v1/realtime' and '/'). */
  readonly path?: string;
  /** When set, the upgrade must carry `Authorization: Bearer <apiKey>`, else HTTP 401. */
  readonly apiKey?: string;
  /** melody: a synthesized formant melody; echo: the caller's own turn played back. Default melody. */
  readonly replyMode?: ReplyMode;
  /** Length of a melody reply (default 2400 ms); echo replies last as long as the turn (≤ this × 2). */
  readonly replyMs?: number;
  /** Audio per output delta (default 100 ms). */
  readonly deltaMs?: number;
  /** How much faster than real time deltas are streamed (default 4). */
  readonly speed?: number;
  /** Delay from response.created to the first delta (default 120 ms). */
  readonly firstAudioDelayMs?: number;
  /** Session lifetime; at the end: error `session_expired` and close 1001 (default 60 min). */
  readonly sessionMaxMs?: number;
  /** Faults armed on every new connection. */
  readonly faults?: readonly SimFault[];
  /** Seed for the synthesized voice (default 1). */
  readonly seed?: number;
  /** Reject `OpenAI-Beta: realtime=v1` like today's service (error beta_api_shape_disabled, close 4000). Default true. */
  readonly rejectBeta?: boolean;
  /**
   * 'auto' (default): the energy VAD and the reply timers drive the conversation. 'scripted': the
   * agent says nothing unprompted (no VAD events, no responses, no timed deltas); a test sends
   * each server event through `SimAgent.script(connId)` (the model-based tests drive it so).
   */
  readonly drive?: 'auto' | 'scripted';
  /** Reply script: on response N call a tool (listed in the session) and speak its output in the next one. */
  readonly toolCalls?: readonly SimToolCall[];
}

/** Server events on demand on one connection of a scripted agent, in the real GA shapes. */
export interface AgentScript {
  /** The response being generated, if any. */
  readonly activeResponse: string | undefined;
  /** input_audio_buffer.speech_started (cancelling the active response is the client's job). */
  speechStarted(): void;
  /** input_audio_buffer.speech_stopped and the committed turn's item events. */
  speechStopped(): void;
  /** response.created … content_part.added; undefined while a response is active. */
  createResponse(): { readonly responseId: string; readonly itemId: string } | undefined;
  /** One audio delta of the active response carrying `ms` of its audio; false when none is active. */
  audioDelta(ms: number): boolean;
  /** One transcript delta of the active response; false when none is active. */
  transcriptDelta(): boolean;
  /** The .done events and response.done (completed); false when none is active. */
  completeResponse(): boolean;
  /** A function call inside the active response (output_item.added … arguments.done); its call_id, undefined when none is active. */
  callFunction(name: string, args: string): string | undefined;
  /** A delta naming any response and item: a late event of a response the client cancelled. */
  lateAudioDelta(responseId: string, itemId: string, ms: number): void;
  lateTranscriptDelta(responseId: string, itemId: string): void;
}

/** A client event the agent received, as recorded for tests. */
export interface ReceivedEvent {
  readonly connId: number;
  readonly t: number;
  readonly type: string;
  readonly event: Readonly<Record<string, unknown>>;
}

/** What the agent did with a truncate. */
export interface TruncateRecord {
  readonly connId: number;
  readonly itemId: string;
  readonly audioEndMs: number;
  /** Milliseconds of audio the agent had sent for the item when the truncate arrived. */
  readonly sentMs: number;
  readonly accepted: boolean;
}

export interface SimAgentStats {
  readonly connections: number;
  readonly activeConnections: number;
  readonly responses: number;
  readonly responsesCancelled: number;
  readonly deltas: number;
  readonly audioMsSent: number;
  readonly speechStarted: number;
  readonly errorsSent: number;
  /** Function calls the agent made, and function_call_output items it accepted / spoke about. */
  readonly toolCalls: number;
  readonly toolOutputs: number;
  readonly toolOutputsSpoken: number;
  readonly truncates: readonly TruncateRecord[];
  /** Each call made after a response's speech (a goodbye then end_call), with the ms of audio that speech sent. */
  readonly callsAfterSpeech: readonly { readonly name: string; readonly connId: number; readonly speechMs: number }[];
}

export interface SimAgentConnectionInfo {
  readonly id: number;
  readonly url: string;
  readonly openedAt: number;
}

export interface SimAgent {
  /** ws://host:port/v1/realtime?model=gpt-realtime — usable as PARLEY_OPENAI_URL. */
  readonly url: string;
  readonly port: number;
  /** Arm a fault on one connection (by id) or on all open connections (id undefined). */
  inject(fault: SimFault, connId?: number): void;
  /** Open connections. */
  connections(): readonly SimAgentConnectionInfo[];
  stats(): SimAgentStats;
  /** Every client event received (bounded: the most recent 10 000). */
  received(): readonly ReceivedEvent[];
  /** Subscribe to received client events. */
  onEvent(listener: (e: ReceivedEvent) => void): () => void;
  /** The script of an open connection of a `drive: 'scripted'` agent (undefined otherwise). */
  script(connId: number): AgentScript | undefined;
  /** Stop listening and close every connection (1001). */
  close(): Promise<void>;
}
