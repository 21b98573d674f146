// The JS fallback MediaEngine (PARLEY_MEDIA=js, or when the addon cannot load): the same
// MediaEngine/MediaCall contract as the native engine, with the DSP of src/media/reference
// (bit-identical to the native blocks) and a timer on absolute deadlines standing in for the
// media thread. Chosen by createMediaEngine() in src/media/index.ts.
import { PLAYOUT_STATE_INDEX, type PlayoutState } from '../../generated/playout.js';
import { MediaError, checkBytes, checkEpoch, checkTag, resolveCallConfig, resolveEngineOptions, type ResolvedEngineOptions } from '../engine.js';
import type {
  CallCounters,
  CallMediaConfig,
  ChunkTag,
  EngineStats,
  LatencySummary,
  MediaCall,
  MediaEngine,
  MediaEngineOptions,
  MediaEvent,
  PlayoutFrame,
  ResolvedCallMediaConfig,
  TickInfo,
  WriteResult,
} from '../types.js';
import { JsCall, type TickContext } from './jsCall.js';

const WINDOW = 8192; // ticks kept for the latency summaries

class Window {
  readonly #v = new Float64Array(WINDOW);
  #n = 0;
  push(x: number): void {
    this.#v[this.#n++ % WINDOW] = x;
  }
  summary(): LatencySummary {
    const n = Math.min(this.#n, WINDOW);
    if (n === 0) return { p50Ns: 0, p99Ns: 0, maxNs: 0, samples: 0 };
    const s = this.#v.slice(0, n).sort();
    const at = (q: number): number => s[Math.min(n - 1, Math.floor(q * n))]!;
    return { p50Ns: at(0.5), p99Ns: at(0.99), maxNs: s[n - 1]!, samples: n };
  }
}

export class JsMediaEngine implements MediaEngine {
  readonly kind = 'js' as const;
  readonly wakeEveryTicks: number;
  readonly #opts: ResolvedEngineOptions;
  readonly #calls = new Map<number, JsMediaCall>();
  readonly #listeners = new Set<(info: TickInfo) => void>();
  readonly #lateness = new Window();
  readonly #work = new Window();
  readonly #start = performance.now();
  #served = 0;
  #ticks = 0;
  #wakeups = 0;
  #missed = 0;
  #nextId = 1;
  /** Like the native core: work no wake-up covered yet, and ticks since the last wake-up. */
  #owed = false;
  #sinceWake = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MediaEngineOptions = {}) {
    this.#opts = resolveEngineOptions(options);
    this.wakeEveryTicks = this.#opts.wakeEveryTicks;
    this.#schedule();
  }

  open(config: CallMediaConfig): MediaCall {
    if (this.#closed) throw new MediaError('ERR_MEDIA_CLOSED', 'the media engine is closed');
    const cfg = resolveCallConfig(config);
    if (this.#calls.size >= this.#opts.maxCalls) throw new MediaError('ERR_MEDIA_CAPACITY', `at most ${this.#opts.maxCalls} calls may be open`);
    let core: JsCall;
    try {
      core = new JsCall(this.#nextId, cfg);
    } catch (err) {
      throw new MediaError('ERR_MEDIA_CONFIG', err instanceof Error ? err.message : String(err), { cause: err });
    }
    const call = new JsMediaCall(core);
    this.#calls.set(this.#nextId++, call);
    return call;
  }

  onTick(listener: (info: TickInfo) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stats(): EngineStats {
    let dropped = 0;
    for (const c of this.#calls.values()) dropped += c.core.eventsDropped;
    return {
      kind: 'js',
      calls: this.#calls.size,
      ticks: this.#ticks,
      wakeups: this.#wakeups,
      coalescedWakeups: 0,
      missedTicks: this.#missed,
      lateness: this.#lateness.summary(),
      tickWork: this.#work.summary(),
      eventsDropped: dropped,
      sched: 'default',
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const c of this.#calls.values()) c.freed();
    this.#calls.clear();
    this.#listeners.clear();
  }

  // The next absolute deadline; unref'd so that an engine never keeps the process alive.
  #schedule(): void {
    const period = this.#opts.tickMs;
    const next = this.#start + (this.#served + 1) * period;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - performance.now()));
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#closed) return;
    const period = this.#opts.tickMs;
    const woke = performance.now();
    const due = Math.floor((woke - this.#start) / period);
    const elapsed = due > this.#served ? due - this.#served : 1;
    const tick = this.#served + elapsed;
    if (elapsed > 1) this.#missed += elapsed - 1;
    this.#lateness.push(Math.max(0, (woke - (this.#start + tick * period)) * 1e6));
    const ctx: TickContext = { tick, elapsed, produced: false };
    let acked = false;
    for (const [id, call] of this.#calls) {
      if (call.core.closing) {
        // The acknowledgement of close(): the "media thread" no longer touches the call.
        this.#calls.delete(id);
        call.freed();
        ctx.produced = true;
        acked = true;
        continue;
      }
      call.core.tick(ctx);
    }
    this.#work.push((performance.now() - woke) * 1e6);
    this.#served = tick;
    this.#ticks++;
    this.#schedule();
    // Like the native core: wake JS when anything happened or any call is open, every
    // wakeEveryTicks ticks, and at once when a call was released.
    this.#owed ||= ctx.produced || this.#calls.size > 0;
    if (!this.#owed) return;
    this.#sinceWake = Math.min(this.#opts.wakeEveryTicks, this.#sinceWake + elapsed); // periods: after a stall, at once
    if (this.#sinceWake < this.#opts.wakeEveryTicks && !acked) return;
    this.#owed = false;
    this.#sinceWake = 0;
    this.#wakeups++;
    const info: TickInfo = { tick, calls: this.#calls.size };
    for (const listener of this.#listeners) {
      try {
        listener(info);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        }); // one listener's bug must not starve the others
      }
    }
  }
}

export class JsMediaCall implements MediaCall {
  readonly id: number;
  readonly config: ResolvedCallMediaConfig;
  readonly playoutDelaySamples: number;
  #freed = false;
  #finalCounters: CallCounters | undefined;
  #closing: Promise<void> | undefined;
  #resolveClose: (() => void) | undefined;

  constructor(readonly core: JsCall) {
    this.id = core.id;
    this.config = core.config;
    this.playoutDelaySamples = core.playoutDelaySamples;
  }

  get epoch(): number {
    return this.core.epoch;
  }
  get closed(): boolean {
    return this.core.closing || this.#freed;
  }

  setState(state: PlayoutState): void {
    if (PLAYOUT_STATE_INDEX[state] === undefined) throw new MediaError('ERR_MEDIA_ARG', `unknown playout state '${String(state)}'`);
    if (!this.#freed) this.core.state = state;
  }

  writeCapture(bytes: Uint8Array): WriteResult {
    checkBytes('capture audio', bytes);
    if (this.closed) return 'closed';
    return this.core.writeCapture(bytes);
  }

  writePlayout(bytes: Uint8Array, tag: ChunkTag): WriteResult {
    checkBytes('playout audio', bytes);
    checkTag(tag);
    if (this.closed) return 'closed';
    return this.core.writePlayout(bytes, tag.epoch, tag.item);
  }

  requestFlush(newEpoch: number): void {
    checkEpoch(newEpoch, this.core.epoch);
    this.core.requestFlush(newEpoch);
  }

  readCapture(): Buffer {
    return this.#freed ? Buffer.alloc(0) : this.core.readCapture();
  }
  readPlayout(): PlayoutFrame[] {
    return this.#freed ? [] : this.core.readPlayout();
  }
  events(): MediaEvent[] {
    return this.core.events();
  }
  delivered(item: number): number | undefined {
    return this.#freed ? undefined : this.core.delivered(item);
  }
  bufferedPlayoutMs(): number {
    if (this.#freed) return 0;
    const ai = this.config.ai;
    return this.core.bufferedPlayoutBytes() / ((ai.rate * (ai.codec === 'pcm16' ? 2 : 1)) / 1000);
  }
  playoutWriteIndex(): number {
    return this.#freed ? 0 : this.core.playoutWriteIndex();
  }
  counters(): CallCounters {
    return this.#finalCounters ?? { ...this.core.counters };
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#finalCounters = { ...this.core.counters };
    this.core.closing = true;
    this.#closing = new Promise<void>((resolve) => (this.#resolveClose = resolve));
    if (this.#freed) this.#resolveClose?.();
    return this.#closing;
  }

  /** @internal The engine's tick acknowledged the removal (or the engine closed). */
  freed(): void {
    this.#freed = true;
    this.core.closing = true;
    this.#finalCounters ??= { ...this.core.counters };
    this.#resolveClose?.();
  }
}

/** The factory createMediaEngine() looks up (src/media/index.ts). */
export function createJsMediaEngine(options: MediaEngineOptions = {}): MediaEngine {
  return new JsMediaEngine(options);
}
