// OpenAI TTS over HTTP streaming (POST /v1/audio/speech, response_format pcm: 24 kHz mono PCM16),
// the failover provider (docs/reference/original-engine.md#tts-providers-and-failover). Barge-in
// aborts the request through the signal: that is 'aborted', never a failure (TT3).
import type { TtsOutcome, TtsProvider, TtsRequest } from './types.js';
import { streamPcmOverHttp } from './httpStream.js';
import { DEFAULT_TTS_TIMEOUTS, type TtsTimeouts } from './watchdog.js';

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

  synthesize(req: TtsRequest): Promise<TtsOutcome> {
    const { url, apiKey, model, voice } = this.opts;
    return streamPcmOverHttp(req, {
      label: 'OpenAI TTS',
      rate: this.rate,
      timeouts: this.timeouts,
      live: this.live,
      send: (signal) =>
        fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
          body: JSON.stringify({ model, input: req.text, voice, response_format: 'pcm' }),
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
