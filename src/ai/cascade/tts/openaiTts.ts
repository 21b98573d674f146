// OpenAI TTS over HTTP streaming (POST /v1/audio/speech, response_format pcm: 24 kHz mono PCM16),
// the failover provider (docs/reference/original-engine.md#tts-providers-and-failover). Barge-in
// aborts the request through the signal: that is 'aborted', never a failure (TT3).
import { aborted, EvenBytes, failed, type TtsOutcome, type TtsProvider, type TtsRequest } from './types.js';
import { DEFAULT_TTS_TIMEOUTS, Watchdog, type TtsTimeouts } from './watchdog.js';

export const DEFAULT_OPENAI_TTS_URL = 'https://api.openai.com/v1/audio/speech';
/** OpenAI's `pcm` response format. */
export const OPENAI_TTS_RATE = 24000;

export interface OpenAiTtsOptions {
  /** PARLEY_OPENAI_TTS_URL (http:// accepted for local stand-ins). */
  readonly url: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly voice: string;
  readonly timeouts?: TtsTimeouts;
}

export class OpenAiTts implements TtsProvider {
  readonly name = 'openai' as const;
  readonly rate = OPENAI_TTS_RATE;
  readonly voice: string;
  readonly model: string;
  private readonly timeouts: TtsTimeouts;
  private readonly live = new Set<AbortController>();

  constructor(private readonly opts: OpenAiTtsOptions) {
    this.voice = opts.voice;
    this.model = opts.model;
    this.timeouts = opts.timeouts ?? DEFAULT_TTS_TIMEOUTS;
  }

  async synthesize(req: TtsRequest): Promise<TtsOutcome> {
    if (req.signal.aborted) return aborted();
    // Our own controller: aborted by the caller's signal (→ 'aborted') or by a timeout (→ 'failed').
    const ctl = new AbortController();
    this.live.add(ctl);
    let timedOut: string | undefined;
    const watchdog = new Watchdog(() => {
      timedOut = bytes > 0 ? 'audio stalled' : 'no audio in time';
      ctl.abort();
    });
    const onAbort = () => ctl.abort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    let bytes = 0;
    const even = new EvenBytes();
    try {
      watchdog.arm(this.timeouts.connectMs + this.timeouts.firstChunkMs);
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(this.opts.apiKey ? { Authorization: `Bearer ${this.opts.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.opts.model, input: req.text, voice: this.opts.voice, response_format: 'pcm' }),
        signal: ctl.signal,
      });
      if (!res.ok || !res.body) {
        const detail = (await res.text().catch(() => '')).slice(0, 300);
        return failed(`http_${res.status}`, `OpenAI TTS: HTTP ${res.status} ${detail}`.trim(), 0);
      }
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const pcm = even.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        bytes += pcm.length;
        if (pcm.length > 0) req.onChunk({ pcm, rate: this.rate });
        if (req.signal.aborted) {
          await reader.cancel().catch(() => {});
          return aborted();
        }
        watchdog.arm(this.timeouts.idleMs);
      }
      return { kind: 'ok', bytes };
    } catch (err) {
      if (req.signal.aborted) return aborted();
      if (timedOut) return failed('timeout', timedOut, bytes);
      const e = err as Error & { cause?: { code?: string } };
      return failed(e.cause?.code ?? 'fetch_failed', e.message, bytes);
    } finally {
      watchdog.stop();
      req.signal.removeEventListener('abort', onAbort);
      this.live.delete(ctl);
    }
  }

  endTurn(): void {
    // One request per sentence; nothing is held between them.
  }

  close(): void {
    for (const c of this.live) c.abort();
    this.live.clear();
  }
}
