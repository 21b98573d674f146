// The AI adapter contract: a realtime speech-to-speech link (OpenAI Realtime GA, or the offline
// sim-agent that speaks the same protocol) seen as typed events and typed commands.
//
// The client decides no policy. It never reconnects on its own: `connect()` opens a new
// *generation*, every event carries the generation it came from, and the runtime (driven by the
// aiLink machine) ignores events whose generation is not current. Sends go only to the current,
// open socket; a send to anything else returns 'not_open' and is not queued.
import type { AudioFormat } from '../media/types.js';

/** Formats the AI side speaks: PCM16 24 kHz, µ-law or A-law 8 kHz (media/types AI_FORMATS). */
export type AiAudioFormat = AudioFormat;

/** Server voice activity detection (`audio.input.turn_detection`). */
export interface ServerVadConfig {
  readonly type: 'server_vad';
  /** 0..1, default 0.5. */
  readonly threshold?: number;
  readonly prefixPaddingMs?: number;
  readonly silenceDurationMs?: number;
  /** Auto-create a response when speech stops (default true). */
  readonly createResponse?: boolean;
  /** Auto-cancel the active response when speech starts. */
  readonly interruptResponse: boolean;
}

/** Semantic voice activity detection: the model judges when the caller has finished. */
export interface SemanticVadConfig {
  readonly type: 'semantic_vad';
  /** How soon the model answers: low waits longer, high answers sooner; auto = medium. */
  readonly eagerness?: 'low' | 'medium' | 'high' | 'auto';
  readonly createResponse?: boolean;
  readonly interruptResponse: boolean;
}

/** The session as Parley configures it; mapped to GA `session.update` by the client. */
export interface AiSessionConfig {
  readonly instructions?: string;
  readonly voice?: string;
  readonly inputFormat: AiAudioFormat;
  readonly outputFormat: AiAudioFormat;
  /** null disables VAD (then Parley commits and creates responses itself). */
  readonly turnDetection: ServerVadConfig | SemanticVadConfig | null;
  /** User-audio transcription; null/undefined = off. */
  readonly transcription?: { readonly model: string; readonly language?: string } | null;
  /** Functions the model may call (`tools`, with `tool_choice: "auto"`); none when absent or empty. */
  readonly tools?: readonly AiFunctionTool[];
}

/** A function as session.update's `tools` lists it. */
export interface AiFunctionTool {
  readonly type: 'function';
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * How bad an error is.
 * - fatal: credentials/config/protocol shape are wrong — reconnecting cannot help
 *   (docs/ARCHITECTURE.md#ai-link-and-reconnect).
 * - retryable: this connection is unusable or ending (server error, session expiry, transport) —
 *   a reconnect with state replay may help.
 * - benign: a request was refused but the session is fine (cancel with nothing active, truncate
 *   overshoot, response already active, ...).
 */
export type AiErrorSeverity = 'fatal' | 'retryable' | 'benign';

export interface AiError {
  readonly severity: AiErrorSeverity;
  /** Provider code (`invalid_api_key`, `session_expired`, `response_cancel_not_active`, ...) or a transport code (`http_401`, `ECONNREFUSED`, `close_4000`). */
  readonly code: string;
  /** Provider error type (`invalid_request_error`, `server_error`, ...) or 'transport'. */
  readonly type: string;
  readonly message: string;
  readonly param?: string;
  /** The client event id the error refers to, when the server echoed one. */
  readonly eventId?: string;
}

export interface RateLimit {
  readonly name: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetSeconds: number;
}

/** Why a response ended. */
export type ResponseStatus = 'completed' | 'cancelled' | 'failed' | 'incomplete';

/** Every event carries `gen`, the connection generation it came from. */
export type AiEvent =
  | { readonly type: 'open'; readonly gen: number }
  /** The socket closed (or never opened). `error` classifies it when it was not a clean close we asked for. */
  | {
      readonly type: 'closed';
      readonly gen: number;
      readonly code: number;
      readonly reason: string;
      readonly error?: AiError;
      /** Caller audio still batched (never sent) when the socket closed: dropped, count it. */
      readonly droppedAudioBytes: number;
    }
  | { readonly type: 'session_created'; readonly gen: number; readonly sessionId: string }
  | { readonly type: 'session_updated'; readonly gen: number }
  | { readonly type: 'speech_started'; readonly gen: number; readonly audioStartMs: number; readonly itemId: string }
  | { readonly type: 'speech_stopped'; readonly gen: number; readonly audioEndMs: number; readonly itemId: string }
  | { readonly type: 'input_committed'; readonly gen: number; readonly itemId: string }
  | { readonly type: 'response_created'; readonly gen: number; readonly responseId: string; readonly metadata?: Readonly<Record<string, string>> }
  /** An assistant output item began (its id is what `truncate` needs). */
  | { readonly type: 'output_item_added'; readonly gen: number; readonly responseId: string; readonly itemId: string }
  /** Decoded audio bytes in the session's output format. */
  | { readonly type: 'audio_delta'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly contentIndex: number; readonly audio: Buffer }
  | { readonly type: 'audio_done'; readonly gen: number; readonly responseId: string; readonly itemId: string }
  | { readonly type: 'transcript_delta'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly delta: string }
  | { readonly type: 'transcript_done'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly transcript: string }
  /** Text output of a text-only session (cascade mode's LLM): `response.output_text.*`. */
  | { readonly type: 'text_delta'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly delta: string }
  | { readonly type: 'text_done'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly text: string }
  /** Transcription of the caller's own audio. */
  | { readonly type: 'input_transcript'; readonly gen: number; readonly itemId: string; readonly transcript: string }
  /** The model called a function (`response.function_call_arguments.done`): it waits for the output. */
  | { readonly type: 'function_call'; readonly gen: number; readonly responseId: string; readonly itemId: string; readonly callId: string; readonly name: string; readonly arguments: string }
  | { readonly type: 'response_done'; readonly gen: number; readonly responseId: string; readonly status: ResponseStatus; readonly reason?: string }
  /** `heardTranscript`: the item's text as heard, where the client knows it (cascade: by each sentence's audio). */
  | { readonly type: 'item_truncated'; readonly gen: number; readonly itemId: string; readonly audioEndMs: number; readonly heardTranscript?: string }
  | { readonly type: 'rate_limits'; readonly gen: number; readonly limits: readonly RateLimit[] }
  /** A server `error` event (the socket may stay open) or a transport failure. */
  | { readonly type: 'error'; readonly gen: number; readonly error: AiError }
  /** A server message we could not parse or do not use (counted, never thrown). */
  | { readonly type: 'ignored'; readonly gen: number; readonly serverType: string; readonly why: 'unknown_type' | 'bad_json' | 'bad_shape' };

export type AiEventType = AiEvent['type'];

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** Result of a send: sent; no current open socket; or the payload was refused locally. */
export type SendResult = 'sent' | 'not_open' | 'invalid';

export interface AiClientOptions {
  /** ws:// or wss:// URL, e.g. PARLEY_OPENAI_URL. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>` when present. */
  readonly apiKey?: string;
  /** Milliseconds of input audio per `input_audio_buffer.append` (20..100, default 40). */
  readonly appendBatchMs?: number;
  /** Input format used to size append batches until `updateSession` names one. */
  readonly inputFormat?: AiAudioFormat;
  /** Handshake timeout (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Max inbound message size accepted from the server (default 16 MiB). */
  readonly maxPayloadBytes?: number;
  /** Extra upgrade headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type AiListener = (event: AiEvent) => void;

/** A realtime AI connection. One per call; reconnect = call `connect()` again. */
export interface AiClient {
  /** Generation of the most recent `connect()` (0 before the first). */
  readonly generation: number;
  readonly state: ConnectionState;
  /** Bytes queued in the current socket not yet handed to the kernel (backpressure). */
  readonly bufferedAmount: number;
  /** Bytes of caller audio held for the next append batch. */
  readonly pendingAppendBytes: number;
  /** Start a new generation: closes any previous socket (its late events keep their old gen). */
  connect(): number;
  /** Close the current socket (1000 by default). Emits 'closed' for the current generation. */
  close(code?: number, reason?: string): void;
  /** Subscribe; returns an unsubscribe function. Listeners never see exceptions from the client. */
  on(listener: AiListener): () => void;
  updateSession(config: AiSessionConfig): SendResult;
  /** Queue caller audio (AI input format); sent in batches of `appendBatchMs`. */
  appendAudio(audio: Buffer): SendResult;
  /** Send whatever audio is batched now. */
  flushAudio(): SendResult;
  /** Manual turn end (when VAD is off). */
  commitAudio(): SendResult;
  createResponse(options?: { readonly instructions?: string }): SendResult;
  /** `response.cancel`; the runtime sends it only while a response is active (BI2). */
  cancelResponse(responseId?: string): SendResult;
  /** `conversation.item.truncate` with `audio_end_ms` (content_index 0). */
  truncate(itemId: string, audioEndMs: number): SendResult;
  /** Any client event, for tests and the sim-agent's control messages. */
  sendRaw(event: Readonly<Record<string, unknown>>): SendResult;
}

export type { AudioFormat };
