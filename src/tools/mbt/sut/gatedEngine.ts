// The real media engine with two test seams, both on the JS side of the boundary:
//  - a gate on the coalesced wake-up: while held, the media thread keeps running (it paces,
//    emits, executes flushes on its side) but JS does not hear about it — exactly what a busy
//    JS thread looks like — so a test decides when MEDIA_FLUSHED / MEDIA_DRAINED reach the
//    machines, relative to provider and caller events;
//  - an observer per call: the state word JS published, and the core's counters when that
//    word became 'closed' (to check that nothing is emitted once cleanup began).
import type {
  CallCounters,
  CallMediaConfig,
  ChunkTag,
  EngineStats,
  MediaCall,
  MediaEngine,
  MediaEvent,
  PlayoutFrame,
  PlayoutState,
  ResolvedCallMediaConfig,
  TickInfo,
  WriteResult,
} from '../../../media/types.js';
import { PLAYOUT_INITIAL } from '../../../generated/playout.js';
import type { CoreTraceRecord } from '../../../media/core-trace.js';

/** A MediaCall that remembers what the runtime told the core and what the core did. */
export class ObservedCall implements MediaCall {
  /** The state word: the machine's initial state until JS publishes another (media/types.ts). */
  stateWord: PlayoutState = PLAYOUT_INITIAL;
  /** Counters when the state word first became 'closed' (cleanup began for the core). */
  countersAtClose: CallCounters | undefined;
  /** Counters when close() was called (the last reading before the core lets go). */
  finalCounters: CallCounters | undefined;
  /** Playout frames JS read, and those read after the state word became 'closed'. */
  framesRead = 0;
  framesReadAfterClose = 0;
  /** Epochs requested by requestFlush, in order. */
  readonly flushEpochs: number[] = [];

  /** Whether the core records this call in trace mode (on from open, when it can). */
  readonly tracing: boolean;
  readonly #core: CoreTraceRecord[] = [];

  constructor(private readonly inner: MediaCall) {
    this.tracing = inner.setTrace?.(true) ?? false;
  }

  setTrace(on: boolean): boolean {
    return this.inner.setTrace?.(on) ?? false;
  }

  /**
   * The runtime takes the core's records on every wake-up (session/in/media.ts writes them into
   * the call trace); the harness keeps a copy of each, so its trace starts at the call's first tick.
   */
  takeTrace(): CoreTraceRecord[] {
    const taken = this.inner.takeTrace?.() ?? [];
    this.#core.push(...taken);
    return taken;
  }

  coreWords(): { readonly state: PlayoutState; readonly epoch: number } | undefined {
    return this.inner.coreWords?.();
  }

  /** Every trace-mode record of the call so far (complete once close() resolved). */
  coreTrace(): readonly CoreTraceRecord[] {
    this.takeTrace();
    return this.#core;
  }

  get id(): number {
    return this.inner.id;
  }
  get config(): ResolvedCallMediaConfig {
    return this.inner.config;
  }
  get epoch(): number {
    return this.inner.epoch;
  }
  get closed(): boolean {
    return this.inner.closed;
  }
  get playoutDelaySamples(): number | undefined {
    return this.inner.playoutDelaySamples;
  }

  setState(state: PlayoutState): void {
    this.inner.setState(state);
    this.stateWord = state;
    if (state === 'closed' && !this.countersAtClose && !this.inner.closed) this.countersAtClose = this.inner.counters();
  }

  writeCapture(bytes: Uint8Array): WriteResult {
    return this.inner.writeCapture(bytes);
  }

  writePlayout(bytes: Uint8Array, tag: ChunkTag): WriteResult {
    return this.inner.writePlayout(bytes, tag);
  }

  requestFlush(newEpoch: number): void {
    this.flushEpochs.push(newEpoch);
    this.inner.requestFlush(newEpoch);
  }

  readCapture(): Buffer {
    return this.inner.readCapture();
  }

  readPlayout(): PlayoutFrame[] {
    const frames = this.inner.readPlayout();
    this.framesRead += frames.length;
    if (this.stateWord === 'closed') this.framesReadAfterClose += frames.length;
    return frames;
  }

  events(): MediaEvent[] {
    return this.inner.events();
  }

  delivered(item: number): number | undefined {
    return this.inner.delivered(item);
  }

  bufferedPlayoutMs(): number {
    return this.inner.bufferedPlayoutMs();
  }

  playoutWriteIndex(): number {
    return this.inner.playoutWriteIndex();
  }

  counters(): CallCounters {
    return this.inner.closed && this.finalCounters ? this.finalCounters : this.inner.counters();
  }

  close(): Promise<void> {
    if (!this.inner.closed) this.finalCounters = this.inner.counters();
    return this.inner.close();
  }
}

export class GatedEngine implements MediaEngine {
  private readonly listeners = new Set<(info: TickInfo) => void>();
  private readonly unsubscribe: () => void;
  private holding = false;
  private missed: TickInfo | undefined;
  /** Every call opened, in order. */
  readonly calls: ObservedCall[] = [];

  constructor(private readonly inner: MediaEngine) {
    this.unsubscribe = inner.onTick((info) => {
      if (this.holding) this.missed = info;
      else this.deliver(info);
    });
  }

  get kind(): 'native' | 'js' {
    return this.inner.kind;
  }

  get held(): boolean {
    return this.holding;
  }

  /** JS stops hearing wake-ups (they coalesce into one, delivered on release). */
  hold(): void {
    this.holding = true;
  }

  /** Wake-ups flow again; one missed while holding is delivered at once. */
  release(): void {
    this.holding = false;
    const m = this.missed;
    this.missed = undefined;
    if (m) this.deliver(m);
  }

  open(config: CallMediaConfig): MediaCall {
    const call = new ObservedCall(this.inner.open(config));
    this.calls.push(call);
    return call;
  }

  onTick(listener: (info: TickInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): EngineStats {
    return this.inner.stats();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.listeners.clear();
    await this.inner.close();
  }

  private deliver(info: TickInfo): void {
    for (const l of this.listeners) l(info);
  }
}
