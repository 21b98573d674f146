// Loads the native addon (build/Release/parley_core.node) and types its raw surface. The
// addon exports the names behind its numbers (engineFields); loading refuses a build whose
// ABI version, playout states or counters disagree with this TypeScript, so a stale addon
// fails loudly instead of misreading a state word.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PLAYOUT_STATES } from '../generated/playout.js';
import { MediaError } from './engine.js';
import { CORE_TRACE_KINDS, type CoreTraceKind } from './core-trace.js';
import { PLAYOUT_LIMITERS, type CallCounters, type MediaEventType } from './types.js';

/** The ABI version this binding speaks (native/src/addon/version.cc). */
export const ABI_VERSION = 3;

export interface NativeEngineFields {
  readonly codecs: readonly string[];
  readonly writeResults: readonly string[];
  /** Index = the limiter argument of open() (PLAYOUT_LIMITERS order). */
  readonly limiters: readonly string[];
  readonly events: Readonly<Record<MediaEventType, number>>;
  /** Kinds of the trace-mode records (core-trace.ts). */
  readonly traceKinds: Readonly<Record<CoreTraceKind, number>>;
  readonly closedAck: number;
  readonly tickRecord: number;
  readonly eventBytes: number;
  readonly counters: readonly (keyof CallCounters)[];
  readonly stats: readonly string[];
  /** Index = the 'sched' stat: how the media thread is scheduled. */
  readonly sched: readonly ('default' | 'nice' | 'fifo')[];
  readonly playoutStates: readonly string[];
}

/** The addon's Engine class. Call ids are the numbers open() returns. */
export interface NativeEngineHandle {
  open(
    telCodec: number,
    telRate: number,
    aiCodec: number,
    aiRate: number,
    lookaheadMs: number,
    playoutCapacityMs: number,
    captureCapacityMs: number,
    gainDb?: number,
    dcBlock?: boolean,
    ttsChain?: boolean,
    limiter?: number,
  ): number;
  setState(id: number, stateIndex: number): boolean;
  /** Returns an index into engineFields.writeResults. */
  writePlayout(id: number, bytes: Uint8Array, epoch: number, item: number): number;
  writeCapture(id: number, bytes: Uint8Array): number;
  requestFlush(id: number, epoch: number): boolean;
  /** Output records `[u32 epoch][u32 item][u32 len][u32 samples][len bytes]`..., or null. */
  readPlayout(id: number): Buffer | null;
  readCapture(id: number): Buffer | null;
  /** AI-rate samples, or -1 when unknown. */
  delivered(id: number, item: number): number;
  bufferedPlayoutBytes(id: number): number;
  playoutWriteIndex(id: number): number;
  pathDelay(id: number): number;
  /** Fills `out` in engineFields.counters order; false for an unknown id. */
  counters(id: number, out: Float64Array): boolean;
  closeCall(id: number): boolean;
  /** Trace mode for one call; false for an unknown id. */
  setTrace(id: number, on: boolean): boolean;
  /** [state word index, ring epoch] as the media thread reads them; null for an unknown id. */
  coreWords(id: number): [number, number] | null;
  /** A tick record, then event records, then acknowledgements (eventBytes each). */
  drain(): Buffer;
  /** Fills `out` in engineFields.stats order. */
  stats(out: Float64Array): void;
  /** Later lateness / tick-work percentiles cover only ticks from now on. */
  markStats(): void;
  /** The last tick the media thread completed. */
  lastTick(): number;
  close(): void;
}

export interface RingBench {
  /** ns for one tagged frame written and read back, one thread, hot caches. */
  readonly singleThreadNs: number;
}

export interface NativeAddon {
  readonly abiVersion: number;
  /** Micro-benchmark of the playout ring (bench/playout.ts). */
  readonly benchRing: (frameBytes: number, frames: number) => RingBench;
  readonly engineFields: NativeEngineFields;
  /** `wakeEveryTicks`: wake JS every this many ticks (1..4; the calls still tick every period). */
  readonly Engine: new (tickNs: number, maxCalls: number, onWake: () => void, wakeEveryTicks?: number) => NativeEngineHandle;
  /** malloc_trim(0) on the libuv thread pool: true when pages went back to the kernel. */
  readonly mallocTrim: () => Promise<boolean>;
}

/** Every key of CallCounters, checked exhaustively by the compiler. */
const COUNTER_KEYS = {
  playoutChunks: 1, playoutBytes: 1, playoutStale: 1, playoutFull: 1, playoutClosed: 1, playoutInvalid: 1,
  captureBytes: 1, captureFull: 1, captureClosed: 1, framesEmitted: 1, samplesEmitted: 1, paddedFrames: 1,
  staleSkippedSamples: 1, flushes: 1, flushedSamples: 1, flushedEpoch: 1, underruns: 1, captureFrames: 1,
  playoutOutStalls: 1, captureOutStalls: 1,
} satisfies Record<keyof CallCounters, 1>;

function candidates(): string[] {
  // From src/media (vitest, tsx) or dist/src/media (compiled): the repo root is 2 or 3 up.
  return ['../../build/Release/parley_core.node', '../../../build/Release/parley_core.node'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

let cached: NativeAddon | undefined;

/** Loads and checks the addon once; throws MediaError('ERR_MEDIA_UNAVAILABLE') saying why. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  const path = candidates().find((p) => existsSync(p));
  if (!path) {
    throw new MediaError('ERR_MEDIA_UNAVAILABLE', 'the media addon is not built (run `npm run build:native`)');
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    throw new MediaError('ERR_MEDIA_UNAVAILABLE', `the media addon at ${path} failed to load: ${String(err)}`, { cause: err });
  }
  const f = addon.engineFields;
  const problems: string[] = [];
  if (addon.abiVersion !== ABI_VERSION) problems.push(`ABI ${addon.abiVersion}, expected ${ABI_VERSION}`);
  if (!f) problems.push('no engineFields export');
  else {
    if (!sameList(f.playoutStates, PLAYOUT_STATES)) problems.push(`playout states [${f.playoutStates.join(', ')}] differ from the generated [${PLAYOUT_STATES.join(', ')}]`);
    if (!sameList([...f.counters].sort(), Object.keys(COUNTER_KEYS).sort())) problems.push('counter names differ from CallCounters');
    if (!sameList(Object.keys(f.traceKinds ?? {}).sort(), [...CORE_TRACE_KINDS].sort())) problems.push('trace-mode record kinds differ from core-trace.ts');
    if (!sameList(f.limiters ?? [], PLAYOUT_LIMITERS)) problems.push(`limiters [${(f.limiters ?? []).join(', ')}] differ from [${PLAYOUT_LIMITERS.join(', ')}]`);
  }
  if (problems.length > 0) {
    throw new MediaError('ERR_MEDIA_UNAVAILABLE', `the media addon at ${path} is stale (${problems.join('; ')}); run \`npm run build:native\``);
  }
  cached = addon;
  return addon;
}
