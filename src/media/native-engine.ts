// The MediaEngine backed by the C++ media core. JS work per tick: one wake-up, one native
// drain of events for all calls, then the listeners pull each call's output in one native
// call per call and per direction; nothing runs per frame on the native side of JS.
import { PLAYOUT_STATE_INDEX } from '../generated/playout.js';
import { loadNativeAddon, type NativeAddon, type NativeEngineHandle } from './binding.js';
import { CORE_TRACE_KINDS, decodeCoreTrace, type CoreTraceKind, type CoreTraceRecord } from './core-trace.js';
import { eventDecoder, recordFields, type EventDecoder } from './native-events.js';
import {
  MediaError,
  bytesPerSample,
  checkBytes,
  checkEpoch,
  checkTag,
  resolveCallConfig,
  resolveEngineOptions,
} from './engine.js';
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
  MediaErrorCode,
  PlayoutFrame,
  PlayoutState,
  ResolvedCallMediaConfig,
  TickInfo,
  WriteResult,
} from './types.js';

/** Events kept per call until events() is called; older ones are dropped and counted. */
const MAX_PENDING_EVENTS = 1024;
const EMPTY = Buffer.alloc(0);
const HEADER_BYTES = 16;

function nativeError(err: unknown): MediaError {
  if (err instanceof MediaError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const known: readonly MediaErrorCode[] = ['ERR_MEDIA_CONFIG', 'ERR_MEDIA_CAPACITY', 'ERR_MEDIA_CLOSED', 'ERR_MEDIA_ARG'];
  const c = known.find((k) => k === code) ?? 'ERR_MEDIA_ARG';
  return new MediaError(c, err instanceof Error ? err.message : String(err), { cause: err });
}

function reportLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

export class NativeMediaEngine implements MediaEngine {
  readonly kind = 'native' as const;
  readonly wakeEveryTicks: number;
  readonly #addon: NativeAddon;
  readonly #h: NativeEngineHandle;
  readonly #calls = new Map<number, NativeMediaCall>();
  readonly #listeners = new Set<(info: TickInfo) => void>();
  readonly #decode: EventDecoder;
  readonly #traceKind = new Map<number, CoreTraceKind>();
  readonly #codecIndex: ReadonlyMap<string, number>;
  readonly #statBuf: Float64Array;
  #closed = false;
  #jsEventsDropped = 0;

  /** Loads the addon and starts the media thread; throws MediaError. */
  constructor(options: MediaEngineOptions = {}) {
    const opts = resolveEngineOptions(options);
    this.wakeEveryTicks = opts.wakeEveryTicks;
    this.#addon = loadNativeAddon();
    const f = this.#addon.engineFields;
    this.#decode = eventDecoder(f.events);
    for (const k of CORE_TRACE_KINDS) this.#traceKind.set(f.traceKinds[k], k);
    this.#codecIndex = new Map(f.codecs.map((c, i) => [c, i]));
    this.#statBuf = new Float64Array(f.stats.length);
    try {
      this.#h = new this.#addon.Engine(Math.round(opts.tickMs * 1e6), opts.maxCalls, () => this.#onWake(), opts.wakeEveryTicks);
    } catch (err) {
      throw nativeError(err);
    }
  }

  open(config: CallMediaConfig): MediaCall {
    if (this.#closed) throw new MediaError('ERR_MEDIA_CLOSED', 'the media engine is closed');
    const cfg = resolveCallConfig(config);
    const codec = (c: string): number => this.#codecIndex.get(c) ?? -1;
    let id: number;
    try {
      const dsp = cfg.playoutDsp;
      id = this.#h.open(
        codec(cfg.telephony.codec),
        cfg.telephony.rate,
        codec(cfg.ai.codec),
        cfg.ai.rate,
        cfg.lookaheadMs,
        cfg.playoutCapacityMs,
        cfg.captureCapacityMs,
        dsp.gainDb,
        dsp.dcBlock,
        dsp.ttsChain,
        this.#addon.engineFields.limiters.indexOf(dsp.limiter),
      );
    } catch (err) {
      throw nativeError(err);
    }
    const call = new NativeMediaCall(this.#h, this.#addon, id, cfg, (n) => (this.#jsEventsDropped += n));
    this.#calls.set(id, call);
    return call;
  }

  onTick(listener: (info: TickInfo) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stats(): EngineStats {
    const names = this.#addon.engineFields.stats;
    const v = new Map<string, number>();
    if (!this.#closed) {
      this.#h.stats(this.#statBuf);
      names.forEach((n, i) => v.set(n, this.#statBuf[i] ?? 0));
    }
    const get = (n: string): number => v.get(n) ?? 0;
    const summary = (p: string): LatencySummary => ({
      p50Ns: get(`${p}P50Ns`),
      p99Ns: get(`${p}P99Ns`),
      maxNs: get(`${p}MaxNs`),
      samples: get(`${p}Samples`),
    });
    return {
      kind: 'native',
      calls: this.#calls.size,
      ticks: get('ticks'),
      wakeups: get('wakeups'),
      coalescedWakeups: get('coalescedWakeups'),
      missedTicks: get('missedTicks'),
      lateness: summary('lateness'),
      tickWork: summary('tickWork'),
      eventsDropped: get('eventsDropped') + this.#jsEventsDropped,
      sched: this.#addon.engineFields.sched[get('sched')] ?? 'default',
    };
  }

  /** The last tick the media thread completed (cheap; for measurements). */
  lastTick(): number {
    return this.#closed ? 0 : this.#h.lastTick();
  }

  /** Later stats() lateness / tickWork percentiles cover only ticks from now on (benchmarks). */
  markStats(): void {
    if (!this.#closed) this.#h.markStats();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of this.#calls.values()) call.freeze();
    this.#h.close(); // joins the media thread, frees every call, releases the wake-up TSFN
    for (const call of this.#calls.values()) call.freed();
    this.#calls.clear();
    this.#listeners.clear();
  }

  // The wake-up: runs on the JS thread at most once per media-thread tick (or per wakeEveryTicks
  // ticks). Errors are rethrown outside the native callback (Node would otherwise only warn).
  #onWake(): void {
    if (this.#closed) return;
    let info: TickInfo;
    try {
      info = { tick: this.#drain(), calls: this.#calls.size };
    } catch (err) {
      reportLater(err);
      return;
    }
    for (const listener of this.#listeners) {
      try {
        listener(info);
      } catch (err) {
        reportLater(err); // one listener's bug must not starve the others
      }
    }
  }

  #drain(): number {
    const buf = this.#h.drain();
    const f = this.#addon.engineFields;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let tick = 0;
    for (let off = 0; off + f.eventBytes <= buf.byteLength; off += f.eventBytes) {
      const callId = view.getUint32(off, true);
      const kind = view.getUint16(off + 4, true);
      const at = Number(view.getBigUint64(off + 32, true));
      if (kind === f.tickRecord) {
        tick = at;
        continue;
      }
      const call = this.#calls.get(callId);
      if (kind === f.closedAck) {
        this.#calls.delete(callId);
        call?.freed();
        continue;
      }
      const tk = this.#traceKind.get(kind);
      if (tk !== undefined) {
        call?.pushTrace(decodeCoreTrace(tk, recordFields(view, off, at), (i) => f.playoutStates[i] ?? `#${i}`));
        continue;
      }
      const ev = this.#decode(
        kind,
        view.getUint32(off + 8, true),
        view.getUint32(off + 12, true),
        Number(view.getBigUint64(off + 16, true)),
        Number(view.getBigUint64(off + 24, true)),
        at,
      );
      if (ev && call) call.push(ev);
    }
    return tick;
  }
}

export class NativeMediaCall implements MediaCall {
  readonly id: number;
  readonly config: ResolvedCallMediaConfig;
  readonly playoutDelaySamples: number;
  readonly #h: NativeEngineHandle;
  readonly #writeResults: readonly WriteResult[];
  readonly #counterNames: readonly (keyof CallCounters)[];
  readonly #stateNames: readonly string[];
  readonly #aiBytesPerMs: number;
  readonly #aiBps: number;
  readonly #onEventsDropped: (n: number) => void;
  #epoch = 0;
  #closed = false;
  #freed = false;
  #events: MediaEvent[] = [];
  #trace: CoreTraceRecord[] | undefined;
  #finalCounters: CallCounters | undefined;
  #closing: Promise<void> | undefined;
  #resolveClose: (() => void) | undefined;

  constructor(h: NativeEngineHandle, addon: NativeAddon, id: number, config: ResolvedCallMediaConfig, onEventsDropped: (n: number) => void) {
    this.#h = h;
    this.id = id;
    this.config = config;
    this.#writeResults = addon.engineFields.writeResults as readonly WriteResult[];
    this.#counterNames = addon.engineFields.counters;
    this.#stateNames = addon.engineFields.playoutStates;
    this.#aiBps = bytesPerSample(config.ai);
    this.#aiBytesPerMs = (config.ai.rate * this.#aiBps) / 1000;
    this.#onEventsDropped = onEventsDropped;
    this.playoutDelaySamples = h.pathDelay(id);
  }

  get epoch(): number {
    return this.#epoch;
  }

  get closed(): boolean {
    return this.#closed;
  }

  setState(state: PlayoutState): void {
    const index = PLAYOUT_STATE_INDEX[state];
    if (index === undefined) throw new MediaError('ERR_MEDIA_ARG', `unknown playout state '${String(state)}'`);
    if (!this.#freed) this.#h.setState(this.id, index);
  }

  writeCapture(bytes: Uint8Array): WriteResult {
    checkBytes('capture audio', bytes);
    if (this.#closed) return 'closed';
    return this.#writeResults[this.#h.writeCapture(this.id, bytes)] ?? 'invalid';
  }

  writePlayout(bytes: Uint8Array, tag: ChunkTag): WriteResult {
    checkBytes('playout audio', bytes);
    checkTag(tag);
    if (this.#closed) return 'closed';
    return this.#writeResults[this.#h.writePlayout(this.id, bytes, tag.epoch, tag.item)] ?? 'invalid';
  }

  requestFlush(newEpoch: number): void {
    checkEpoch(newEpoch, this.#epoch);
    this.#epoch = newEpoch;
    if (!this.#closed) this.#h.requestFlush(this.id, newEpoch);
  }

  readCapture(): Buffer {
    if (this.#freed) return EMPTY;
    return this.#h.readCapture(this.id) ?? EMPTY;
  }

  readPlayout(): PlayoutFrame[] {
    if (this.#freed) return [];
    const buf = this.#h.readPlayout(this.id);
    if (!buf) return [];
    const frames: PlayoutFrame[] = [];
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let off = 0; off + HEADER_BYTES <= buf.byteLength; ) {
      const len = view.getUint32(off + 8, true);
      frames.push({
        epoch: view.getUint32(off, true),
        item: view.getUint32(off + 4, true),
        samples: view.getUint32(off + 12, true),
        bytes: buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len),
      });
      off += HEADER_BYTES + len;
    }
    return frames;
  }

  setTrace(on: boolean): boolean {
    if (this.#freed) return false;
    if (on) this.#trace ??= [];
    return this.#h.setTrace(this.id, on);
  }

  coreWords(): { readonly state: PlayoutState; readonly epoch: number } | undefined {
    if (this.#freed) return undefined;
    const w = this.#h.coreWords(this.id);
    const state = w ? this.#stateNames[w[0]] : undefined;
    return w && state !== undefined ? { state: state as PlayoutState, epoch: w[1] } : undefined;
  }

  takeTrace(): CoreTraceRecord[] {
    const out = this.#trace ?? [];
    if (this.#trace) this.#trace = [];
    return out;
  }

  /** @internal A trace-mode record from the engine's drain. */
  pushTrace(rec: CoreTraceRecord): void {
    this.#trace?.push(rec);
  }

  events(): MediaEvent[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }

  delivered(item: number): number | undefined {
    if (this.#freed) return undefined;
    const n = this.#h.delivered(this.id, item);
    return n < 0 ? undefined : n;
  }

  bufferedPlayoutMs(): number {
    if (this.#freed) return 0;
    return this.#h.bufferedPlayoutBytes(this.id) / this.#aiBytesPerMs;
  }

  playoutWriteIndex(): number {
    return this.#freed ? 0 : this.#h.playoutWriteIndex(this.id);
  }

  counters(): CallCounters {
    if (this.#finalCounters) return this.#finalCounters;
    const buf = new Float64Array(this.#counterNames.length);
    if (!this.#freed) this.#h.counters(this.id, buf);
    const out: Partial<Record<keyof CallCounters, number>> = {};
    this.#counterNames.forEach((name, i) => (out[name] = buf[i] ?? 0));
    return out as CallCounters;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.freeze();
    this.#closed = true;
    this.#closing = new Promise<void>((resolve) => (this.#resolveClose = resolve));
    if (this.#freed || !this.#h.closeCall(this.id)) this.freed();
    return this.#closing;
  }

  /**
   * @internal Counters freeze at close(): the call's memory goes away with the media
   * thread's acknowledgement.
   */
  freeze(): void {
    if (!this.#finalCounters && !this.#freed) this.#finalCounters = this.counters();
  }

  /** @internal The media thread acknowledged the removal (or the engine closed). */
  freed(): void {
    this.#freed = true;
    this.#closed = true;
    this.#resolveClose?.();
  }

  /** @internal An event from the engine's drain. */
  push(ev: MediaEvent): void {
    if (this.#events.length >= MAX_PENDING_EVENTS) {
      this.#events.shift();
      this.#onEventsDropped(1);
    }
    this.#events.push(ev);
  }
}
