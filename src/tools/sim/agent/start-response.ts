// Builds the stream for one new response of a sim-agent connection: audio (with a transcript) in an
// audio session, sentences of text in a text-only one (cascade mode's LLM). The caller starts it.
import type { AudioFormat } from '../../../media/types.js';
import type { AgentShared } from './connection.js';
import type { CallerTurn } from './input.js';
import { replyAudio, replyWords } from './reply.js';
import { withHeard } from './toolCalls.js';
import { ResponseStream } from './response.js';
import { replySentences, TextResponseStream } from './textResponse.js';

export interface NewResponse {
  readonly options: AgentShared['options'];
  readonly connId: number;
  /** 1-based count of responses on this connection. */
  readonly turn: number;
  readonly lastTurn: CallerTurn | undefined;
  /** Output format; undefined for a text-only session. */
  readonly format: AudioFormat | undefined;
  /** The test drives deltas (scripted agents). */
  readonly manual: boolean;
  /** Tool outputs the reply speaks (the words of its transcript), if any. */
  readonly heard?: readonly string[];
  nextId(prefix: string): string;
  send(ev: Record<string, unknown>): void;
  onDelta(bytes: number, bytesPerMs: number): void;
  onCancelled(): void;
  /** Further output of the completed response, before its response.done (a function call after the speech). */
  beforeDone?: (responseId: string) => void;
}

export function buildResponse(n: NewResponse): ResponseStream | TextResponseStream {
  const o = n.options;
  const timing = { deltaMs: o.deltaMs, speed: o.speed, firstAudioDelayMs: o.firstAudioDelayMs, manual: n.manual };
  const itemId = n.nextId('item');
  const eventId = () => n.nextId('event');
  const format = n.format;
  if (!format) {
    return new TextResponseStream(n.nextId('resp'), itemId, `conv_${n.connId}`, replySentences(n.turn, n.connId), timing, {
      send: n.send,
      eventId,
      onDelta: () => n.onDelta(0, 1),
      onEnd: (status) => {
        if (status === 'cancelled') n.onCancelled();
      },
    });
  }
  const audio = replyAudio({
    mode: o.replyMode,
    format,
    replyMs: o.replyMs,
    seed: o.seed + n.turn,
    ...(n.lastTurn ? { turn: n.lastTurn.audio, turnRate: n.lastTurn.rate } : {}),
  });
  const bytesPerMs = (format.rate * (format.codec === 'pcm16' ? 2 : 1)) / 1000;
  const deltas = Math.ceil(audio.length / Math.max(1, Math.round(o.deltaMs * bytesPerMs)));
  return new ResponseStream(n.nextId('resp'), itemId, `conv_${n.connId}`, audio, withHeard(replyWords(deltas, n.turn), n.heard ?? []), format, timing, {
    send: n.send,
    eventId,
    onDelta: (bytes) => n.onDelta(bytes, bytesPerMs),
    onEnd: (_r, status) => {
      if (status === 'cancelled') n.onCancelled();
    },
    ...(n.beforeDone ? { beforeDone: n.beforeDone } : {}),
  });
}
