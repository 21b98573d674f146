// The media engine's TypeScript contract, shared by the native addon engine
// (src/media/native-engine.ts) and the JS fallback engine (src/media/reference). The
// session runtime uses only these types; createMediaEngine() in src/media/engine.ts picks
// the implementation.
//
// Threads and timing. The engine runs one media thread with a drift-free 20 ms tick over
// every open call. JavaScript never runs per frame: after each tick that produced anything
// the engine wakes JS once (one coalesced wake-up for all calls), pulls what it needs, and
// calls the onTick listeners; a listener then pulls each call's frames and events with
// readPlayout() / readCapture() / events(). Everything a method of MediaCall returns is a
// copy owned by JS. Units: bytes are in the format named, samples are always at the AI
// rate (so truncation points stay exact), times in ms unless the name says otherwise.
import type { CoreTraceRecord } from './core-trace.js';
import type { PlayoutState } from '../generated/playout.js';

/**
 * A state of the playout machine (machines/playout.ts), from the generated list; the media
 * thread receives its index in PLAYOUT_STATES order (src/generated/playout.ts).
 */
export type { PlayoutState };

/** Sample encodings the core speaks. */
export type Codec = 'mulaw' | 'alaw' | 'pcm16';
export type SampleRate = 8000 | 16000 | 24000 | 48000;

export interface AudioFormat {
  readonly codec: Codec;
  readonly rate: SampleRate;
}

/** Formats a telephony leg may carry (mono). */
export const TELEPHONY_FORMATS: readonly AudioFormat[] = [
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
  { codec: 'pcm16', rate: 8000 },
  { codec: 'pcm16', rate: 16000 },
];

/** Formats the AI side may speak and hear: PCM16 24 kHz, or G.711 passthrough. */
export const AI_FORMATS: readonly AudioFormat[] = [
  { codec: 'pcm16', rate: 24000 },
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
];

/** One frame of output, and the tick period, in ms. */
export const FRAME_MS = 20;

/** Defaults and bounds of CallMediaConfig (docs/ARCHITECTURE.md#audio-paths, #bounds). */
export const MEDIA_DEFAULTS = {
  lookaheadMs: 80,
  lookaheadMinMs: 40,
  lookaheadMaxMs: 200,
  playoutCapacityMs: 2000,
  captureCapacityMs: 1000,
  /** Ring bounds accepted, in ms (either ring). */
  capacityMinMs: 100,
  capacityMaxMs: 60_000,
} as const;

/**
 * How the playout limiter is chosen. 'auto' (the default): a peak limiter at -1 dBFS on a
 * converting path, none on a passthrough (both sides in one format) that does no other
 * processing. 'peak' / 'softclip' force that limiter, 'none' turns it off.
 */
export type PlayoutLimiter = 'auto' | 'none' | 'peak' | 'softclip';

/** Limiter choices in the order the native engine numbers them (PlayoutLimiter in path.h). */
export const PLAYOUT_LIMITERS: readonly PlayoutLimiter[] = ['auto', 'none', 'peak', 'softclip'];

/** Bounds of PlayoutDspOptions.gainDb. */
export const PLAYOUT_GAIN_DB = { min: -40, max: 20 } as const;

/**
 * Per-call playout DSP, run at the telephony rate after resampling, in the order
 * gain -> DC blocker -> TTS chain -> limiter -> flush fade. Every field is optional and the
 * defaults change nothing: a passthrough call stays byte-exact unless one of these asks for
 * processing (gainDb != 0, dcBlock, ttsChain, or limiter 'peak' / 'softclip').
 */
export interface PlayoutDspOptions {
  /** Gain in dB, -40..20, default 0. */
  readonly gainDb?: number;
  /** DC blocker (r = 0.995 at 8 kHz), default off. */
  readonly dcBlock?: boolean;
  /**
   * The original system's TTS chain (docs/reference/original-engine.md#tts-chain): DC blocker ->
   * noise gate (-45 dBFS) -> compressor (-18 dB, 3:1, +6 dB makeup) -> high shelf (3 kHz, +3 dB) ->
   * low-pass (3.8 kHz) -> soft clipper (0.85). Default off; cascade mode turns it on
   * (PARLEY_TTS_DSP).
   */
  readonly ttsChain?: boolean;
  /** Default 'auto'. */
  readonly limiter?: PlayoutLimiter;
}

export interface ResolvedPlayoutDspOptions {
  readonly gainDb: number;
  readonly dcBlock: boolean;
  readonly ttsChain: boolean;
  readonly limiter: PlayoutLimiter;
}

export interface CallMediaConfig {
  /** What the telephony leg carries (capture input, playout output). */
  readonly telephony: AudioFormat;
  /** What the AI speaks and hears (playout input, capture output). */
  readonly ai: AudioFormat;
  /**
   * Output lead over real time, 40..200 ms, default 80 (docs/ARCHITECTURE.md#audio-paths): the
   * media thread keeps at most this much audio emitted ahead of the far side's playback clock.
   */
  readonly lookaheadMs?: number;
  /** Playout ring bound, in ms of AI-format audio (default 2000); overflow is refused and counted. */
  readonly playoutCapacityMs?: number;
  /** Capture ring bound, in ms of telephony audio (default 1000); overflow is refused and counted. */
  readonly captureCapacityMs?: number;
  /** Playout DSP (default: none beyond the converting path's peak limiter). */
  readonly playoutDsp?: PlayoutDspOptions;
}

/** A CallMediaConfig with every default filled in, as the engine runs it. */
export interface ResolvedCallMediaConfig {
  readonly telephony: AudioFormat;
  readonly ai: AudioFormat;
  readonly lookaheadMs: number;
  readonly playoutCapacityMs: number;
  readonly captureCapacityMs: number;
  readonly playoutDsp: ResolvedPlayoutDspOptions;
}

/** Every playout chunk carries its epoch and a per-call small integer naming its AI item. */
export interface ChunkTag {
  /** uint32; must equal the call's current epoch (older: 'stale'; newer: 'invalid'). */
  readonly epoch: number;
  /** uint32 chosen by the caller, e.g. a per-call counter of AI items. */
  readonly item: number;
}

/**
 * Outcome of a write. Nothing on the data path throws for bad data; every refusal is
 * counted in CallCounters.
 *  ok      queued (an empty chunk is 'ok' and queues nothing)
 *  stale   playout chunk of an epoch older than the current one: dropped (PL3)
 *  full    does not fit beside unread data: refused whole, nothing overwritten (PL4)
 *  closed  the call's state forbids it (playout: no media.accept tag; capture: media.closing
 *          tag) or close() was called
 *  invalid playout chunk whose length is not a whole number of AI samples, or whose epoch
 *          is newer than the current one (requestFlush first)
 */
export type WriteResult = 'ok' | 'stale' | 'full' | 'closed' | 'invalid';

/** One 20 ms frame of output in the telephony format, emitted by the media thread. */
export interface PlayoutFrame {
  /** Telephony-format bytes, exactly one frame (a short tail is padded with silence). */
  readonly bytes: Buffer;
  /** Epoch of the audio in the frame (always the current epoch when it was emitted). */
  readonly epoch: number;
  /** Item of the frame's first sample (a frame that spans an item boundary names the first). */
  readonly item: number;
  /** AI-rate samples of real audio the frame carries (less than a frame for a padded tail). */
  readonly samples: number;
}

/**
 * What the media thread tells JS about one call, in the order it happened. `tick` is the
 * media thread's tick counter. `readIndex` values are in the units of
 * MediaCall.playoutWriteIndex(): equal values mean the media thread had consumed every
 * chunk JS had written.
 */
export type MediaEvent =
  /** A requestFlush() was executed on the media thread's side of the ring (MEDIA_FLUSHED). */
  | { readonly type: 'flushed'; readonly tick: number; readonly epoch: number; readonly droppedSamples: number; readonly readIndex: number }
  /** The playout ring ran empty while playing, after at least one frame (MEDIA_DRAINED). */
  | { readonly type: 'drained'; readonly tick: number; readonly epoch: number; readonly readIndex: number }
  /** The ring first held at least the lookahead of current-epoch audio (re-armed by flush and drain). */
  | { readonly type: 'prefilled'; readonly tick: number; readonly epoch: number; readonly bufferedMs: number }
  /** The media thread was late: the far side's lead ran out while audio was queued. */
  | { readonly type: 'underrun'; readonly tick: number; readonly missedFrames: number }
  /** Local VAD on the capture path (reported by DSP capture paths; the identity path never does). */
  | { readonly type: 'speech-start'; readonly tick: number }
  | { readonly type: 'speech-stop'; readonly tick: number };

export type MediaEventType = MediaEvent['type'];

/** Per-call counters; monotone, read at any time. */
export interface CallCounters {
  /** Playout chunks / bytes accepted by writePlayout. */
  readonly playoutChunks: number;
  readonly playoutBytes: number;
  /** Playout writes refused, by reason. */
  readonly playoutStale: number;
  readonly playoutFull: number;
  readonly playoutClosed: number;
  readonly playoutInvalid: number;
  /** Capture bytes accepted / writes refused. */
  readonly captureBytes: number;
  readonly captureFull: number;
  readonly captureClosed: number;
  /** Playout frames emitted by the media thread and the AI-rate samples they carried. */
  readonly framesEmitted: number;
  readonly samplesEmitted: number;
  /** Frames completed with silence (a short tail at the end of the audio). */
  readonly paddedFrames: number;
  /** AI-rate samples dropped by the read-side epoch filter (PL3) and by executed flushes. */
  readonly staleSkippedSamples: number;
  readonly flushes: number;
  readonly flushedSamples: number;
  /** Epoch of the last flush the media thread executed. */
  readonly flushedEpoch: number;
  readonly underruns: number;
  /** Capture frames converted by the media thread. */
  readonly captureFrames: number;
  /** Ticks on which output waited because JS had not read the previous output. */
  readonly playoutOutStalls: number;
  readonly captureOutStalls: number;
}

/** A call registered with the media thread. Methods are for the JS thread only. */
export interface MediaCall {
  /** Engine-unique id. */
  readonly id: number;
  readonly config: ResolvedCallMediaConfig;
  /** The current playout epoch (0 at open; raised by requestFlush). */
  readonly epoch: number;
  /** True once close() was called. */
  readonly closed: boolean;
  /**
   * Publishes the playout machine's state to the media thread (the per-call state word).
   * The media thread emits frames only in states tagged media.playout; writePlayout is
   * refused ('closed') in states without media.accept; writeCapture in states tagged
   * media.closing. The initial state is the machine's initial state.
   */
  setState(state: PlayoutState): void;
  /** Queues telephony-format caller audio (any length; bytes are a stream). */
  writeCapture(bytes: Uint8Array): WriteResult;
  /** Queues one AI-format chunk tagged with epoch and item; all or nothing. */
  writePlayout(bytes: Uint8Array, tag: ChunkTag): WriteResult;
  /**
   * Barge-in: makes `newEpoch` (> epoch) current and asks the media thread to drop every
   * chunk written so far, at its next tick, on its own side of the ring (flush-to-index).
   * Chunks written after this call with the new epoch survive. A 'flushed' event follows.
   */
  requestFlush(newEpoch: number): void;
  /** AI-format capture audio converted since the last call (possibly empty). */
  readCapture(): Buffer;
  /** Playout frames emitted since the last call, oldest first. */
  readPlayout(): PlayoutFrame[];
  /** Events since the last call, oldest first. */
  events(): MediaEvent[];
  /**
   * AI-rate samples of `item` the media thread has emitted (counted on emit, never on
   * write), or undefined when the item never played or is older than the last 64 items.
   */
  delivered(item: number): number | undefined;
  /** Current-epoch playout audio queued and not yet emitted, in ms. */
  bufferedPlayoutMs(): number;
  /**
   * Filter delay of the playout path in AI-rate samples (0 for pass-through; a resampling
   * path reports its group delay): what left Parley of an item is delivered(item) minus
   * this. Absent means 0.
   */
  readonly playoutDelaySamples?: number;
  /** The playout ring's write index, comparable with events' readIndex. */
  playoutWriteIndex(): number;
  counters(): CallCounters;
  /**
   * Trace mode (the native core only; core-trace.ts): records per tick what the Playout
   * spec's actions talk about. False when the engine has no trace mode or the call is gone.
   */
  setTrace?(on: boolean): boolean;
  /** The trace-mode records since the last call (empty when trace mode was never on). */
  takeTrace?(): CoreTraceRecord[];
  /**
   * The state word and epoch word as the media thread reads them (the core's own memory, not
   * what JS last wrote); undefined once the call is gone or on an engine without them.
   */
  coreWords?(): { readonly state: PlayoutState; readonly epoch: number } | undefined;
  /**
   * Unregisters the call. Resolves once the media thread has acknowledged that it no longer
   * touches the call; its memory is freed only then. Idempotent.
   */
  close(): Promise<void>;
}

export interface MediaEngineOptions {
  /** Tick period in ms (default 20). Tests may shorten it to run faster than real time. */
  readonly tickMs?: number;
  /** Most calls open at once (default 2048); open() beyond it throws ERR_MEDIA_CAPACITY. */
  readonly maxCalls?: number;
  /**
   * Wake JS every this many ticks, 1..4 (default 1). The calls still tick every period; the
   * frames of the ticks between wake-ups wait in each call's output ring and reach JS together,
   * so the far side's lead must exceed this many frames. A released call wakes JS at once.
   */
  readonly wakeEveryTicks?: number;
}

/** Passed to onTick listeners, once per wake-up (every tick, or every wakeEveryTicks ticks). */
export interface TickInfo {
  /** The newest media-thread tick the wake-up covers (a slow JS thread may skip some). */
  readonly tick: number;
  /** Calls open. */
  readonly calls: number;
}

export interface LatencySummary {
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly maxNs: number;
  /** How many ticks the summary covers (the most recent ones, at most 8192). */
  readonly samples: number;
}

export interface EngineStats {
  readonly kind: 'native' | 'js';
  readonly calls: number;
  readonly ticks: number;
  /** JS wake-ups delivered, and ticks that found a wake-up still pending (coalesced). */
  readonly wakeups: number;
  readonly coalescedWakeups: number;
  /** Ticks whose deadline passed entirely before the thread ran (it resynchronised). */
  readonly missedTicks: number;
  /** How late each tick started after its absolute deadline. */
  readonly lateness: LatencySummary;
  /** How long each tick's work over all calls took. */
  readonly tickWork: LatencySummary;
  /** Events lost because JS did not drain them in time (the counters stay exact). */
  readonly eventsDropped: number;
  /**
   * How the media thread is scheduled (native engine): a low real-time priority when the
   * process may have one, else a raised nice value, else the default.
   */
  readonly sched?: 'fifo' | 'nice' | 'default';
}

export interface MediaEngine {
  readonly kind: 'native' | 'js';
  /** Registers a call with the media thread. Throws MediaError on bad config or capacity. */
  open(config: CallMediaConfig): MediaCall;
  /** JS is woken every this many ticks (MediaEngineOptions.wakeEveryTicks); absent means 1. */
  readonly wakeEveryTicks?: number;
  /** Called once per wake-up, after the engine collected what the media thread produced. */
  onTick(listener: (info: TickInfo) => void): () => void;
  stats(): EngineStats;
  /** Closes every call and stops the media thread; no thread or callback stays alive. */
  close(): Promise<void>;
}

/** Stable codes of MediaError. */
export type MediaErrorCode =
  | 'ERR_MEDIA_CONFIG' // a CallMediaConfig / MediaEngineOptions value is out of range
  | 'ERR_MEDIA_CAPACITY' // maxCalls reached
  | 'ERR_MEDIA_CLOSED' // the engine was closed
  | 'ERR_MEDIA_ARG' // a method got an argument of the wrong type or range
  | 'ERR_MEDIA_UNAVAILABLE'; // the requested engine cannot be loaded
