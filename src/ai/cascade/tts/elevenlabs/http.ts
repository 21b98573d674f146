// ElevenLabs over HTTP streaming (PARLEY_ELEVENLABS_ENDPOINT=http), the original engine's path:
// POST {base}/{voice_id}/stream?output_format=pcm_16000 with `xi-api-key` and
// {text, model_id, voice_settings}; the response body is the sentence's audio (raw PCM16 for
// `pcm_*` formats), complete when the body ends. One request per sentence; barge-in aborts it
// (that is 'aborted', never a failure, TT3). The base is PARLEY_ELEVENLABS_URL with ws(s)
// turned into http(s). There is no alignment on this endpoint: a failure mid-sentence is
// rescued from the start of the sentence (restart.ts).
import { aborted, EvenBytes, failed, type TtsOutcome, type TtsProvider, type TtsRequest } from '../types.js';
import { DEFAULT_TTS_TIMEOUTS, Watchdog, type TtsTimeouts } from '../watchdog.js';
import { VOICE_SETTINGS } from './messages.js';
import type { ElevenLabsOptions } from './multiContext.js';

export function elevenLabsHttpUrl(o: ElevenLabsOptions['url']): string {
  const u = new URL(o.base.replace(/^ws(s?):/, 'http$1:'));
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${encodeURIComponent(o.voice)}/stream`;
  u.searchParams.set('output_format', o.outputFormat);
  return u.toString();
}

export class ElevenLabsHttp implements TtsProvider {
  readonly name = 'elevenlabs' as const;
  readonly voice: string;
  readonly model: string;
  readonly rate: number;
  private readonly timeouts: TtsTimeouts;
  private readonly live = new Set<AbortController>();

  constructor(private readonly opts: ElevenLabsOptions) {
    this.voice = opts.url.voice;
    this.model = opts.url.model;
    this.rate = opts.rate;
    this.timeouts = opts.timeouts ?? DEFAULT_TTS_TIMEOUTS;
  }

  async synthesize(req: TtsRequest): Promise<TtsOutcome> {
    if (req.signal.aborted) return aborted();
    const ctl = new AbortController();
    this.live.add(ctl);
    let bytes = 0;
    let timedOut: string | undefined;
    const watchdog = new Watchdog(() => {
      timedOut = bytes > 0 ? 'audio stalled' : 'no audio in time';
      ctl.abort();
    });
    const onAbort = () => ctl.abort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    const even = new EvenBytes();
    try {
      watchdog.arm(this.timeouts.connectMs + this.timeouts.firstChunkMs);
      const res = await fetch(elevenLabsHttpUrl(this.opts.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(this.opts.apiKey ? { 'xi-api-key': this.opts.apiKey } : {}) },
        body: JSON.stringify({ text: req.text, model_id: this.model, voice_settings: VOICE_SETTINGS }),
        signal: ctl.signal,
      });
      if (!res.ok || !res.body) {
        const text = (await res.text().catch(() => '')).slice(0, 300);
        return failed(`http_${res.status}`, `ElevenLabs HTTP ${res.status} ${text}`.trim(), 0);
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
