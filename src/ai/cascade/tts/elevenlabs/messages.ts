// ElevenLabs TTS WebSocket wire (docs/reference/tts-providers.md): client messages built by hand in
// the wire's snake_case, server messages parsed tolerating both spellings the docs and SDK disagree
// on (isFinal / is_final, contextId / context_id, alignment / normalizedAlignment). Parsing never
// throws: what cannot be used comes back as 'ignored' (counted by the caller).
import { decodeBase64, isRecord, parseJson } from '../../../../base/wire.js';

/** The original engine's voice settings (docs/reference/original-engine.md#tts-providers-and-failover). */
export const VOICE_SETTINGS = { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true } as const;

export type ElevenLabsEndpoint = 'multi' | 'single';

export interface ElevenLabsUrlParts {
  /** PARLEY_ELEVENLABS_URL: wss://api.elevenlabs.io/v1/text-to-speech (or a ws:// stand-in). */
  readonly base: string;
  readonly voice: string;
  readonly model: string;
  /** pcm_16000 etc. */
  readonly outputFormat: string;
  readonly endpoint: ElevenLabsEndpoint;
  /** Seconds of silence the server tolerates per socket (protocol default 20, max 180). */
  readonly inactivityTimeoutS?: number;
}

export function elevenLabsUrl(p: ElevenLabsUrlParts): string {
  const u = new URL(p.base);
  const path = p.endpoint === 'multi' ? 'multi-stream-input' : 'stream-input';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${encodeURIComponent(p.voice)}/${path}`;
  u.searchParams.set('model_id', p.model);
  u.searchParams.set('output_format', p.outputFormat);
  // Per-chunk character timings: how the client knows a sentence's audio is complete.
  u.searchParams.set('sync_alignment', 'true');
  if (p.inactivityTimeoutS !== undefined) u.searchParams.set('inactivity_timeout', String(p.inactivityTimeoutS));
  return u.toString();
}

// ---- client → server ------------------------------------------------------------------------

/** Multi-context: open (or re-open) a context; the first text must be exactly one space. */
export const initContext = (contextId: string) => ({ text: ' ', context_id: contextId, voice_settings: VOICE_SETTINGS });
/** Text of one sentence, flushed so it is generated now (it ends with a space, as required). */
export const contextText = (contextId: string, text: string) => ({ text: `${text.trimEnd()} `, context_id: contextId, flush: true });
export const closeContext = (contextId: string) => ({ context_id: contextId, close_context: true });
export const closeSocket = () => ({ close_socket: true });

/** Single context: the initialize message, one flushed text, then end of input ("" closes). */
export const initStream = () => ({ text: ' ', voice_settings: VOICE_SETTINGS });
export const streamText = (text: string) => ({ text: `${text.trimEnd()} `, flush: true });
export const endOfInput = () => ({ text: '' });

// ---- server → client ------------------------------------------------------------------------

export type ElevenLabsMessage =
  | {
      readonly kind: 'audio';
      readonly audio: Buffer;
      readonly contextId: string | undefined;
      /** Non-whitespace characters the chunk's alignment covers; undefined when it carried none. */
      readonly alignedChars: number | undefined;
    }
  | { readonly kind: 'final'; readonly contextId: string | undefined }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'ignored'; readonly why: 'bad_json' | 'bad_shape' | 'bad_audio' };

const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

function alignedChars(o: Record<string, unknown>): number | undefined {
  const a = o['alignment'] ?? o['normalizedAlignment'] ?? o['normalized_alignment'];
  if (!isRecord(a)) return undefined;
  const chars = a['chars'] ?? a['characters'];
  if (!Array.isArray(chars)) return undefined;
  let n = 0;
  for (const c of chars) if (typeof c === 'string' && c.trim().length > 0) n += 1;
  return n;
}

/** One server text frame → zero or more messages (an audio chunk may also be the final one). */
export function parseElevenLabsMessage(text: string): ElevenLabsMessage[] {
  const parsed = parseJson(text);
  if (!parsed.ok) return [{ kind: 'ignored', why: 'bad_json' }];
  const o = parsed.value;
  if (!isRecord(o)) return [{ kind: 'ignored', why: 'bad_shape' }];
  const contextId = str(o, 'contextId') ?? str(o, 'context_id');
  const audioText = str(o, 'audio');
  const final = o['isFinal'] === true || o['is_final'] === true;
  if (audioText === undefined && !final) {
    const error = str(o, 'error');
    const message = str(o, 'message') ?? str(o, 'detail');
    if (error !== undefined || message !== undefined) return [{ kind: 'error', code: error ?? 'error', message: message ?? error ?? '' }];
    return [{ kind: 'ignored', why: 'bad_shape' }];
  }
  const out: ElevenLabsMessage[] = [];
  if (audioText !== undefined && audioText.length > 0) {
    const audio = decodeBase64(audioText);
    if (!audio) return [{ kind: 'ignored', why: 'bad_audio' }];
    out.push({ kind: 'audio', audio, contextId, alignedChars: alignedChars(o) });
  }
  if (final) out.push({ kind: 'final', contextId });
  // An empty, non-final chunk carries nothing usable: say so (counted), never return nothing.
  return out.length > 0 ? out : [{ kind: 'ignored', why: 'bad_audio' }];
}

/** Characters a sentence's alignment will cover (whitespace is not counted on either side). */
export function visibleChars(text: string): number {
  let n = 0;
  for (const c of text) if (c.trim().length > 0) n += 1;
  return n;
}
