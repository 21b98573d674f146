// ElevenLabs single-context stream-input
// (docs/reference/tts-providers.md#single-context-stream-input), the option beside multi-context:
// one socket per sentence — initialize, the flushed text, end of input ("") — complete when the
// server sends its final message. There is no cancel message on this endpoint: barge-in closes the
// socket (1000), which is the documented way to stop generation.
import { WebSocket } from 'ws';
import { aborted, EvenBytes, failed, type TtsOutcome, type TtsProvider, type TtsRequest } from '../types.js';
import { DEFAULT_TTS_TIMEOUTS, Watchdog, type TtsTimeouts } from '../watchdog.js';
import { elevenLabsUrl, endOfInput, initStream, parseElevenLabsMessage, streamText } from './messages.js';
import type { ElevenLabsOptions } from './multiContext.js';

export class ElevenLabsSingleContext implements TtsProvider {
  readonly name = 'elevenlabs' as const;
  readonly voice: string;
  readonly model: string;
  readonly rate: number;
  private readonly timeouts: TtsTimeouts;
  private readonly live = new Set<WebSocket>();

  constructor(private readonly opts: ElevenLabsOptions) {
    this.voice = opts.url.voice;
    this.model = opts.url.model;
    this.rate = opts.rate;
    this.timeouts = opts.timeouts ?? DEFAULT_TTS_TIMEOUTS;
  }

  synthesize(req: TtsRequest): Promise<TtsOutcome> {
    if (req.signal.aborted) return Promise.resolve(aborted());
    const url = elevenLabsUrl({ ...this.opts.url, endpoint: 'single' });
    return new Promise((resolve) => {
      const ws = new WebSocket(url, {
        headers: this.opts.apiKey ? { 'xi-api-key': this.opts.apiKey } : {},
        handshakeTimeout: this.timeouts.connectMs,
        perMessageDeflate: false,
      });
      this.live.add(ws);
      const even = new EvenBytes();
      let bytes = 0;
      let seen: number | undefined;
      let settled = false;
      const watchdog = new Watchdog(() => done(failed('timeout', bytes > 0 ? 'audio stalled' : 'no audio in time', bytes, seen)));
      const onAbort = () => done(aborted());
      const done = (o: TtsOutcome) => {
        if (settled) return;
        settled = true;
        watchdog.stop();
        req.signal.removeEventListener('abort', onAbort);
        this.live.delete(ws);
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, o.kind === 'ok' ? 'done' : 'stop');
        else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        resolve(o);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      ws.on('open', () => {
        ws.send(JSON.stringify(initStream()));
        ws.send(JSON.stringify(streamText(req.text)));
        ws.send(JSON.stringify(endOfInput()));
        watchdog.arm(this.timeouts.firstChunkMs);
      });
      ws.on('message', (data, isBinary) => {
        if (settled) return;
        if (isBinary) return this.opts.onIgnored?.('binary');
        for (const m of parseElevenLabsMessage(String(data))) {
          if (m.kind === 'audio') {
            const pcm = even.push(m.audio);
            bytes += pcm.length;
            if (m.alignedChars !== undefined) seen = (seen ?? 0) + m.alignedChars;
            if (pcm.length > 0) req.onChunk({ pcm, rate: this.rate });
            if (settled) return;
            watchdog.arm(this.timeouts.idleMs);
          } else if (m.kind === 'final') return done({ kind: 'ok', bytes });
          else if (m.kind === 'error') return done(failed(m.code, m.message, bytes, seen));
          else this.opts.onIgnored?.(m.why);
        }
      });
      ws.on('error', (err: Error & { code?: string }) => {
        const status = /Unexpected server response: (\d+)/.exec(err.message);
        done(failed(status ? `http_${status[1]}` : (err.code ?? 'socket_error'), err.message, bytes, seen));
      });
      ws.on('close', (code, reason) => done(failed(`close_${code}`, `socket closed before the final message: ${code} ${String(reason)}`.trim(), bytes, seen)));
    });
  }

  endTurn(): void {
    // Nothing is held between sentences.
  }

  close(): void {
    for (const ws of this.live) ws.terminate();
    this.live.clear();
  }
}
