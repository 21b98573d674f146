// One sentence over a streaming HTTP TTS endpoint (OpenAI TTS, ElevenLabs' HTTP path): the
// response body is raw PCM16, handed on as it arrives (kept sample-aligned). Barge-in aborts the
// request through the caller's signal — 'aborted', never a failure (TT3); a request that gives no
// audio in time, or stalls, is aborted by the watchdog and fails as 'timeout'.
import { aborted, EvenBytes, failed, type TtsOutcome, type TtsRequest } from './types.js';
import { Watchdog, type TtsTimeouts } from './watchdog.js';

export interface HttpStreamOptions {
  /** Provider name for error messages (`OpenAI TTS`, `ElevenLabs`). */
  readonly label: string;
  readonly rate: number;
  readonly timeouts: TtsTimeouts;
  /** The provider's requests in flight (aborted on close). */
  readonly live: Set<AbortController>;
  /** Sends the request with this signal. */
  readonly send: (signal: AbortSignal) => Promise<Response>;
}

export async function streamPcmOverHttp(req: TtsRequest, o: HttpStreamOptions): Promise<TtsOutcome> {
  if (req.signal.aborted) return aborted();
  // Our own controller: aborted by the caller's signal (→ 'aborted') or by a timeout (→ 'failed').
  const ctl = new AbortController();
  o.live.add(ctl);
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
    watchdog.arm(o.timeouts.connectMs + o.timeouts.firstChunkMs);
    const res = await o.send(ctl.signal);
    if (!res.ok || !res.body) {
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      return failed(`http_${res.status}`, `${o.label}: HTTP ${res.status} ${detail}`.trim(), 0);
    }
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const pcm = even.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      bytes += pcm.length;
      if (pcm.length > 0) req.onChunk({ pcm, rate: o.rate });
      if (req.signal.aborted) {
        await reader.cancel().catch(() => {});
        return aborted();
      }
      watchdog.arm(o.timeouts.idleMs);
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
    o.live.delete(ctl);
  }
}
