// The far side's playout buffer, as the simulated caller hears it, advanced one 20 ms tick at a time.
// - Twilio (and the other report platforms): plays queued media at real time, echoes each mark
//   when playback reaches it, and on `clear` drops the queue and echoes every pending mark at once
//   (Plivo and chan_websocket drop them unanswered) (docs/reference/twilio-media-streams.md#marks-and-clear).
// - mod_audio_stream: the module's inject buffer (5000 ms, drop-oldest, 60 ms minimum fill), the
//   caller's own emulation written from the module's source (module-inject.ts), not Parley's model
//   of it, so audio-stream truncation accuracy is not Parley agreeing with itself.
// Audio can be tracked as lengths only (load generation) or with samples (WAV recording).
import { ModuleInject } from './module-inject.js';

export interface TickResult {
  /** Samples played this tick (0..frameSamples). */
  readonly played: number;
  /** The played audio, zero-padded to a frame, when tracking samples. */
  readonly frame: Int16Array | undefined;
  /** Marks reached this tick (Twilio). */
  readonly echoes: readonly string[];
}

export interface FarEnd {
  /** Queue agent audio: a sample count, or the samples themselves. */
  pushAudio(samplesOrPcm: number | Int16Array): void;
  /** Queue a mark after the audio queued so far (Twilio). */
  pushMark(name: string): void;
  /** Drop queued audio; returns the marks to echo now (Twilio) — they were not played. */
  clear(): readonly string[];
  tick(): TickResult;
  /** Samples queued and not yet played. */
  readonly queuedSamples: number;
  /** Of those, up to the last one that is not digital silence (undefined when tracking lengths only). */
  readonly queuedAudibleSamples: number | undefined;
  /** Audio lost to the module's alignment cut and overflow (samples). */
  readonly alignmentLoss: number;
  readonly overflowDrop: number;
}

type Entry = { kind: 'audio'; n: number; pcm: Int16Array | undefined; pos: number } | { kind: 'mark'; name: string };

export class TwilioFarEnd implements FarEnd {
  private queue: Entry[] = [];
  private queued = 0;
  readonly alignmentLoss = 0;
  readonly overflowDrop = 0;

  constructor(
    private readonly frameSamples: number,
    private readonly withSamples: boolean,
    /** Twilio, Telnyx, Exotel echo pending marks on clear; Plivo and chan_websocket drop them. */
    private readonly marksReturnOnClear = true,
  ) {}

  get queuedSamples(): number {
    return this.queued;
  }

  get queuedAudibleSamples(): number | undefined {
    let total = 0;
    let audible = 0;
    for (const e of this.queue) {
      if (e.kind === 'mark') continue;
      if (!e.pcm) return undefined;
      for (let i = e.n - 1; i >= e.pos; i--) {
        if (e.pcm[i] !== 0) {
          audible = total + (i - e.pos + 1);
          break;
        }
      }
      total += e.n - e.pos;
    }
    return audible;
  }

  pushAudio(x: number | Int16Array): void {
    const n = typeof x === 'number' ? x : x.length;
    if (n === 0) return;
    this.queue.push({ kind: 'audio', n, pcm: typeof x === 'number' ? undefined : x, pos: 0 });
    this.queued += n;
  }

  pushMark(name: string): void {
    this.queue.push({ kind: 'mark', name });
  }

  clear(): readonly string[] {
    const marks = this.queue.flatMap((e) => (e.kind === 'mark' ? [e.name] : []));
    this.queue = [];
    this.queued = 0;
    return this.marksReturnOnClear ? marks : [];
  }

  tick(): TickResult {
    const echoes: string[] = [];
    const frame = this.withSamples ? new Int16Array(this.frameSamples) : undefined;
    let played = 0;
    this.collectMarks(echoes);
    while (played < this.frameSamples && this.queue.length > 0) {
      const e = this.queue[0]!;
      if (e.kind === 'mark') {
        echoes.push(e.name);
        this.queue.shift();
        continue;
      }
      const take = Math.min(e.n - e.pos, this.frameSamples - played);
      if (frame && e.pcm) frame.set(e.pcm.subarray(e.pos, e.pos + take), played);
      e.pos += take;
      played += take;
      if (e.pos === e.n) this.queue.shift();
    }
    this.queued -= played;
    this.collectMarks(echoes); // marks right after the audio just played are reached now
    return { played, frame, echoes };
  }

  private collectMarks(echoes: string[]): void {
    while (this.queue[0]?.kind === 'mark') echoes.push((this.queue.shift() as { name: string }).name);
  }
}

export class ModuleFarEnd implements FarEnd {
  private readonly module: ModuleInject;
  alignmentLoss = 0;
  overflowDrop = 0;

  constructor(
    sampleRate: number,
    private readonly withSamples: boolean,
    capacityMs?: number,
    minFillMs?: number,
  ) {
    this.module = new ModuleInject({
      rate: sampleRate,
      ...(capacityMs !== undefined ? { bufferMs: capacityMs } : {}),
      ...(minFillMs !== undefined ? { minBufferMs: minFillMs } : {}),
    });
  }

  get queuedSamples(): number {
    return this.module.inuse / 2;
  }

  get queuedAudibleSamples(): number | undefined {
    const b = this.module.audibleInuse;
    return b === undefined ? undefined : b / 2;
  }

  pushAudio(x: number | Int16Array): void {
    const r = this.module.inject(typeof x === 'number' ? x * 2 : new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    this.alignmentLoss += r.cut / 2;
    this.overflowDrop += r.lost / 2;
  }

  pushMark(): void {
    // mod_audio_stream has no marks.
  }

  clear(): readonly string[] {
    this.module.clear();
    return [];
  }

  tick(): TickResult {
    const r = this.module.writeReplace();
    const bytes = this.module.frameBytes;
    const frame = this.withSamples ? (r.frame ? new Int16Array(r.frame.buffer, r.frame.byteOffset, bytes / 2) : new Int16Array(bytes / 2)) : undefined;
    return { played: r.got / 2, frame, echoes: [] };
  }
}
