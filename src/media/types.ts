// The media engine's TypeScript contract, shared by the native addon binding and the
// JS fallback engine (src/media/reference). The session runtime uses only these types.

/** Sample encodings the core speaks. */
export type Codec = 'mulaw' | 'alaw' | 'pcm16';
export type SampleRate = 8000 | 16000 | 24000 | 48000;

export interface AudioFormat {
  readonly codec: Codec;
  readonly rate: SampleRate;
}

/** Formats a telephony leg may carry (mono). */
export const TELEPHONY_FORMATS: readonly AudioFormat[] = [
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
  { codec: 'pcm16', rate: 8000 },
  { codec: 'pcm16', rate: 16000 },
];

/** Formats the AI side may speak and hear: PCM16 24 kHz, or G.711 passthrough. */
export const AI_FORMATS: readonly AudioFormat[] = [
  { codec: 'pcm16', rate: 24000 },
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
];

export interface CallMediaConfig {
  readonly telephony: AudioFormat;
  readonly ai: AudioFormat;
  /** Output lead over real time, 40..200 ms (DESIGN §2.1). */
  readonly lookaheadMs: number;
  /** Playout ring bound, in ms of AI-format audio; overflow is refused and counted. */
  readonly playoutCapacityMs: number;
  /** Capture ring bound, in ms of telephony audio. */
  readonly captureCapacityMs: number;
}

/** Every playout chunk carries its epoch and a per-call small integer naming its AI item. */
export interface ChunkTag {
  readonly epoch: number;
  readonly item: number;
}

/** ok: queued; stale: older epoch, dropped; full: over the bound, refused; closed: state forbids it. */
export type WriteResult = 'ok' | 'stale' | 'full' | 'closed';
