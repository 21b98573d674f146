// Both sides of the conversation as final turns with start and end times (ms since the call
// started). Caller turns: the provider's speech start/stop and its transcription of the item.
// Agent turns: from the first to the last frame of the item that left Parley, with the output
// transcript; a turn the caller cut off keeps only the text heard (types.ts, `cut`). A turn is
// final once its audio is over and its text is known; each final turn is handed to `onTurn`.
import type { AiEvent } from '../ai/types.js';
import { bytesPerMs } from '../base/audio.js';
import type { AudioFormat } from '../media/types.js';
import type { TranscriptTurn } from './types.js';

/** Turns kept per call for call.ended (older ones were already sent as call.transcript). */
export const MAX_TURNS = 200;
const MAX_TEXT = 4000;

interface CallerTurn {
  readonly itemId: string;
  startMs: number;
  endMs: number | undefined;
}

interface AgentTurn {
  readonly itemId: string;
  responseId: string | undefined;
  startMs: number | undefined;
  endMs: number;
  /** Audio of the item received from the AI so far, ms. */
  receivedMs: number;
  /** Transcript deltas with the item's audio received when each arrived. */
  readonly deltas: { at: number; text: string }[];
  done: string | undefined;
  heard: { ms: number; text?: string } | undefined;
  closed: boolean;
  responseDone: boolean;
  /** The provider confirmed the truncation (item_truncated), or the call ended. */
  truncated: boolean;
}

export class Transcript {
  private readonly turns: TranscriptTurn[] = [];
  private readonly callers = new Map<string, CallerTurn>();
  private readonly agents = new Map<string, AgentTurn>();
  private playing: AgentTurn | undefined;

  constructor(private readonly onTurn: (t: TranscriptTurn) => void) {}

  get final(): readonly TranscriptTurn[] {
    return this.turns;
  }

  onAiEvent(ev: AiEvent, fmt: AudioFormat | undefined, ms: number): void {
    switch (ev.type) {
      case 'speech_started':
        this.callers.set(ev.itemId, { itemId: ev.itemId, startMs: ms, endMs: undefined });
        return;
      case 'speech_stopped': {
        const t = this.callers.get(ev.itemId);
        if (t) t.endMs = ms;
        return;
      }
      case 'input_transcript': {
        const t = this.callers.get(ev.itemId);
        this.callers.delete(ev.itemId);
        this.emit({ role: 'caller', text: clip(ev.transcript), startMs: t?.startMs ?? ms, endMs: t?.endMs ?? ms });
        return;
      }
      case 'audio_delta':
        this.agent(ev.itemId, ev.responseId).receivedMs += fmt ? ev.audio.length / bytesPerMs(fmt) : 0;
        return;
      case 'transcript_delta': {
        const a = this.agent(ev.itemId, ev.responseId);
        if (a.deltas.length < 2000) a.deltas.push({ at: a.receivedMs, text: ev.delta });
        return;
      }
      case 'transcript_done': {
        const a = this.agent(ev.itemId, ev.responseId);
        a.done = ev.transcript;
        return this.settle(a);
      }
      case 'item_truncated': {
        const a = this.agents.get(ev.itemId);
        if (!a) return;
        a.truncated = true;
        if (ev.heardTranscript !== undefined) a.heard = { ms: a.heard?.ms ?? ev.audioEndMs, text: ev.heardTranscript };
        return this.settle(a);
      }
      case 'response_done':
        for (const a of this.agents.values()) {
          if (a.responseId !== ev.responseId) continue;
          a.responseDone = true;
          this.settle(a);
        }
        return;
      default:
        return;
    }
  }

  /** A frame of `itemId` left Parley at `ms`: the item is what the caller hears now. */
  onFrame(itemId: string, ms: number): void {
    if (this.playing && this.playing.itemId !== itemId) this.close(this.playing);
    const a = this.agent(itemId, undefined);
    a.startMs ??= ms;
    a.endMs = ms + 20;
    this.playing = a;
  }

  /** The agent's audio is over: the item playing was heard to its end. */
  onDrained(): void {
    if (this.playing) this.close(this.playing);
  }

  /** Barge-in: the item cut was heard up to `cut.ms`. */
  onBargeIn(cut: { itemId: string; ms: number } | null, ms: number): void {
    const a = cut ? this.agents.get(cut.itemId) : this.playing;
    if (a) {
      a.heard = { ms: cut?.ms ?? 0, ...(a.heard?.text !== undefined ? { text: a.heard.text } : {}) };
      a.endMs = Math.max(a.startMs ?? ms, Math.min(a.endMs, ms));
      this.close(a);
    }
  }

  /** The call ended: whatever is still open becomes final with what is known. */
  end(ms: number): void {
    for (const a of [...this.agents.values()]) {
      a.closed = true;
      a.responseDone = true;
      a.truncated = true;
      a.done ??= joined(a.deltas);
      this.settle(a);
    }
    for (const t of this.callers.values()) this.emit({ role: 'caller', text: '', startMs: t.startMs, endMs: t.endMs ?? ms, untranscribed: true });
    this.callers.clear();
  }

  private agent(itemId: string, responseId: string | undefined): AgentTurn {
    let a = this.agents.get(itemId);
    if (!a) {
      a = { itemId, responseId, startMs: undefined, endMs: 0, receivedMs: 0, deltas: [], done: undefined, heard: undefined, closed: false, responseDone: false, truncated: false };
      this.agents.set(itemId, a);
      if (this.agents.size > 64) this.agents.delete(this.agents.keys().next().value as string); // bounded
    }
    a.responseId ??= responseId;
    return a;
  }

  private close(a: AgentTurn): void {
    a.closed = true;
    if (this.playing === a) this.playing = undefined;
    this.settle(a);
  }

  /** Emits the agent turn once its audio is over and its text is known. */
  private settle(a: AgentTurn): void {
    if (!a.closed || !this.agents.has(a.itemId)) return;
    if (a.heard === undefined && a.done === undefined) return;
    // A cut turn waits for the provider's item_truncated (the client may know the text heard).
    if (a.heard !== undefined && a.heard.ms > 0 && !a.truncated) return;
    if (a.heard !== undefined && a.heard.text === undefined && !a.responseDone && a.done === undefined) return;
    this.agents.delete(a.itemId);
    if (a.startMs === undefined) return; // never heard at all: no turn
    const base = { role: 'agent' as const, startMs: a.startMs, endMs: a.endMs };
    if (a.heard === undefined) return this.emit({ ...base, text: clip(a.done ?? joined(a.deltas)) });
    const cut = a.heard.text !== undefined ? 'sentence_timing' : 'delta_position';
    const text = a.heard.text ?? joined(a.deltas.filter((d) => d.at < a.heard!.ms));
    this.emit({ ...base, text: clip(text), interrupted: true, heardMs: Math.round(a.heard.ms), cut });
  }

  private emit(t: TranscriptTurn): void {
    this.turns.push(t);
    if (this.turns.length > MAX_TURNS) this.turns.shift();
    this.onTurn(t);
  }
}

const joined = (deltas: readonly { text: string }[]): string => deltas.map((d) => d.text).join('').replace(/\s+/g, ' ').trim();
const clip = (s: string): string => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s.trim());
