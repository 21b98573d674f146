// The contract between the cascade's speaker and a TTS provider. A provider synthesizes one
// sentence at a time and streams PCM16 chunks tagged with the rate it produced them at (TT2).
// It decides no policy: failover, retries and the breaker are the speaker's.
//
// Outcomes separate who ended a request (TT3, X-9): 'aborted' means *we* aborted it through the
// signal (barge-in, call end) — whatever error the transport reported afterwards — and never
// counts against the provider; 'failed' is the provider's or the network's doing.

export type TtsProviderName = 'elevenlabs' | 'openai';

export interface TtsChunk {
  /** PCM16 little-endian mono, an even number of bytes. */
  readonly pcm: Buffer;
  /** The rate this provider produced the chunk at. */
  readonly rate: number;
}

export interface TtsRequest {
  readonly text: string;
  /** The turn (response id) the sentence belongs to: ElevenLabs multi-context uses it as context id. */
  readonly turn: string;
  readonly signal: AbortSignal;
  onChunk(chunk: TtsChunk): void;
}

export type TtsOutcome =
  | {
      readonly kind: 'ok';
      readonly bytes: number;
      /** Completion was inferred (no alignment, then a quiet gap), not proven: spoken, never cached. */
      readonly inferred?: boolean;
    }
  | { readonly kind: 'aborted' }
  | {
      readonly kind: 'failed';
      readonly code: string;
      readonly message: string;
      readonly bytes: number;
      /** Visible characters of the text the audio received before the failure covered (from alignment); undefined when unknown. */
      readonly chars?: number;
    };

export interface TtsProvider {
  readonly name: TtsProviderName;
  readonly voice: string;
  readonly model: string;
  /** The rate this provider's chunks come at. */
  readonly rate: number;
  synthesize(req: TtsRequest): Promise<TtsOutcome>;
  /**
   * Whether a second sentence of `turn` may be requested now, while one is in flight (the
   * speaker's prefetch). Absent: requests are independent (HTTP, a socket per sentence), always.
   */
  canPrefetch?(turn: string): boolean;
  /** The turn is over (spoken, or cancelled): release what the provider holds for it (close_context). */
  endTurn(turn: string, cancelled: boolean): void;
  /** Aborts what is in flight and closes sockets (the call ended, or its AI link dropped); a later request may open new ones. */
  close(): void;
}

/** Keeps PCM16 chunks even-length across a stream (a defensive carry, docs/reference/tts-providers.md#elevenlabs-connection). */
export class EvenBytes {
  private carry: number | undefined;

  push(bytes: Buffer): Buffer {
    let b = bytes;
    if (this.carry !== undefined) {
      b = Buffer.concat([Buffer.from([this.carry]), b]);
      this.carry = undefined;
    }
    if (b.length % 2 === 1) {
      this.carry = b[b.length - 1]!;
      b = b.subarray(0, b.length - 1);
    }
    return b;
  }

  reset(): void {
    this.carry = undefined;
  }
}

export const aborted = (): TtsOutcome => ({ kind: 'aborted' });
export const failed = (code: string, message: string, bytes: number, chars?: number): TtsOutcome => ({
  kind: 'failed',
  code,
  message,
  bytes,
  ...(chars !== undefined ? { chars } : {}),
});

/** `pcm_16000` → 16000 (the formats the media resampler handles: 8, 16, 24, 48 kHz). */
export function rateOfPcmFormat(format: string): number | undefined {
  const m = /^pcm_(8000|16000|24000|48000)$/.exec(format);
  return m ? Number(m[1]) : undefined;
}
