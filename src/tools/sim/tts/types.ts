// The offline TTS stand-ins' public surface: an ElevenLabs WebSocket server (stream-input and
// multi-stream-input) and an OpenAI TTS HTTP server, with fault injection, so cascade mode runs
// offline end to end (PARLEY_ELEVENLABS_URL, PARLEY_OPENAI_TTS_URL).

/**
 * A fault a test arms on a fake. Each synthesis request (an ElevenLabs flushed segment, an
 * OpenAI request) or upgrade consumes the first armed fault that applies to it.
 * - refuse: the upgrade (ElevenLabs) or the request (OpenAI) gets this HTTP status;
 * - error:  an error after `afterChunks` audio chunks (ElevenLabs: error message + close
 *           `closeCode`, default 1011 for internal_error, else 1008;
 *           OpenAI: HTTP 500 before any audio, else the body is cut);
 * - drop:   the TCP socket is destroyed after `afterChunks` chunks;
 * - stall:  audio stops after `afterChunks` chunks and nothing more comes;
 * - delay:  the first chunk comes `ms` later than usual.
 */
export type TtsFault =
  | { readonly kind: 'refuse'; readonly status: number }
  | { readonly kind: 'error'; readonly code?: string; readonly afterChunks?: number; readonly closeCode?: number }
  | { readonly kind: 'drop'; readonly afterChunks?: number }
  | { readonly kind: 'stall'; readonly afterChunks?: number }
  | { readonly kind: 'delay'; readonly ms: number };

/** How a fake speaks. */
export interface TtsVoiceOptions {
  /** Milliseconds of audio per visible character of text (default 60). */
  readonly msPerChar?: number;
  /** A pure tone at this frequency instead of speech-like audio (tests measure rates with it). */
  readonly toneHz?: number;
  /** Audio per chunk (default 200 ms). */
  readonly chunkMs?: number;
  /** How much faster than real time chunks are streamed (default 4). */
  readonly speed?: number;
  /** Delay from the text to the first chunk (default 80 ms). */
  readonly firstChunkDelayMs?: number;
  /**
   * Speak marks instead (../audio/marks.ts): each visible character a tone naming it, so a
   * listener can tell which part of which text it hears. Overrides toneHz.
   */
  readonly marked?: boolean;
  /** Seed for the speech-like voice. */
  readonly seed?: number;
}

export interface ElevenLabsFakeOptions extends TtsVoiceOptions {
  /** When set, the key must come in the `xi-api-key` header, the first message, or `?authorization=`. */
  readonly apiKey?: string;
  /** Audio chunks a context still sends after close_context ("in flight"), default 1. */
  readonly inFlightAfterClose?: number;
  /** Seconds of no text before input_timeout_exceeded when the client names none (default 20). */
  readonly inactivityTimeoutS?: number;
  /** Never send alignment (a client must still complete sentences). */
  readonly noAlignment?: boolean;
}

export interface OpenAiTtsFakeOptions extends TtsVoiceOptions {
  /** When set, requests need `Authorization: Bearer <apiKey>`, else HTTP 401. */
  readonly apiKey?: string;
}

/** One text segment a fake was asked to speak. */
export interface SpokenText {
  readonly connId: number;
  /** ElevenLabs context id ('' for stream-input); OpenAI: ''. */
  readonly contextId: string;
  readonly text: string;
  readonly t: number;
}

export interface TtsFakeStats {
  readonly connections: number;
  /** Segments (ElevenLabs) or requests (OpenAI) synthesized or started. */
  readonly requests: number;
  readonly chunks: number;
  /** ElevenLabs: chunks of a context sent after the client closed it (in flight). */
  readonly chunksAfterClose: number;
  readonly audioMs: number;
  readonly contextsClosed: number;
  readonly errorsSent: number;
  readonly faultsFired: number;
  /** Requests the client aborted (OpenAI) or contexts it closed mid-generation (ElevenLabs). */
  readonly aborted: number;
  /** ElevenLabs multi-context: sockets closed for exceeding the concurrent-context limit. */
  readonly contextLimitHits?: number;
  /** ElevenLabs multi-context: most contexts one socket held at once. */
  readonly maxContexts?: number;
}

export interface TtsFake {
  /** ElevenLabs: ws://host:port/v1/text-to-speech (PARLEY_ELEVENLABS_URL). OpenAI: http://host:port/v1/audio/speech. */
  readonly url: string;
  /** ElevenLabs: http://host:port/v1/text-to-speech (its HTTP streaming endpoint, PARLEY_ELEVENLABS_URL with PARLEY_ELEVENLABS_ENDPOINT=http). */
  readonly httpUrl?: string;
  readonly port: number;
  /** The rate of what it produced last (OpenAI: always 24000). */
  arm(fault: TtsFault, times?: number | 'always'): void;
  /** Removes every armed fault. */
  heal(): void;
  stats(): TtsFakeStats;
  /** Every text it was asked to speak, in order (bounded: the most recent 10 000). */
  texts(): readonly SpokenText[];
  /** Context closes it received (ElevenLabs), in order. */
  closes(): readonly { readonly connId: number; readonly contextId: string; readonly t: number }[];
  close(): Promise<void>;
}
