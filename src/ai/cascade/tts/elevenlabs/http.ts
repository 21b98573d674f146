// ElevenLabs over HTTP streaming (PARLEY_ELEVENLABS_ENDPOINT=http), the original engine's path:
// POST {base}/{voice_id}/stream?output_format=pcm_16000 with `xi-api-key` and
// {text, model_id, voice_settings}; the response body is the sentence's audio (raw PCM16 for
// `pcm_*` formats), complete when the body ends. One request per sentence; barge-in aborts it
// (that is 'aborted', never a failure, TT3). The base is PARLEY_ELEVENLABS_URL with ws(s)
// turned into http(s). There is no alignment on this endpoint: a failure mid-sentence is
// rescued from the start of the sentence (restart.ts).
import type { TtsOutcome, TtsProvider, TtsRequest } from '../types.js';
import { streamPcmOverHttp } from '../httpStream.js';
import { DEFAULT_TTS_TIMEOUTS, type TtsTimeouts } from '../watchdog.js';
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

  synthesize(req: TtsRequest): Promise<TtsOutcome> {
    const { url, apiKey } = this.opts;
    return streamPcmOverHttp(req, {
      label: 'ElevenLabs',
      rate: this.rate,
      timeouts: this.timeouts,
      live: this.live,
      send: (signal) =>
        fetch(elevenLabsHttpUrl(url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(apiKey ? { 'xi-api-key': apiKey } : {}) },
          body: JSON.stringify({ text: req.text, model_id: this.model, voice_settings: VOICE_SETTINGS }),
          signal,
        }),
    });
  }

  endTurn(): void {
    // One request per sentence; nothing is held between them.
  }

  close(): void {
    for (const c of this.live) c.abort();
    this.live.clear();
  }
}
