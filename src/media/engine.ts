// What every MediaEngine implementation shares: the error type with stable codes, and the
// validation of engine options and call configs (so the native and the JS engine accept and
// refuse exactly the same inputs, with the same messages).
import {
  AI_FORMATS,
  FRAME_MS,
  MEDIA_DEFAULTS,
  PLAYOUT_GAIN_DB,
  PLAYOUT_LIMITERS,
  TELEPHONY_FORMATS,
  type AudioFormat,
  type CallMediaConfig,
  type ChunkTag,
  type MediaEngineOptions,
  type MediaErrorCode,
  type PlayoutDspOptions,
  type PlayoutLimiter,
  type ResolvedCallMediaConfig,
  type ResolvedPlayoutDspOptions,
} from './types.js';

export class MediaError extends Error {
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaError';
    this.code = code;
  }
}

export interface ResolvedEngineOptions {
  readonly tickMs: number;
  readonly maxCalls: number;
  readonly wakeEveryTicks: number;
}

/** The largest wakeEveryTicks (native kMaxWakeEvery): the far side's lead must cover the frames of one wake-up. */
export const MAX_WAKE_EVERY_TICKS = 4;

export const ENGINE_DEFAULTS: ResolvedEngineOptions = { tickMs: FRAME_MS, maxCalls: 2048, wakeEveryTicks: 1 };

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function inRange(key: string, v: unknown, min: number, max: number): number {
  if (!isInt(v) || v < min || v > max) {
    throw new MediaError('ERR_MEDIA_CONFIG', `${key} must be an integer within ${min}..${max} (got ${String(v)})`);
  }
  return v;
}

/** Fills defaults and checks ranges; throws MediaError('ERR_MEDIA_CONFIG') naming the key. */
export function resolveEngineOptions(opts: MediaEngineOptions = {}): ResolvedEngineOptions {
  const tickMs = opts.tickMs ?? ENGINE_DEFAULTS.tickMs;
  if (typeof tickMs !== 'number' || !Number.isFinite(tickMs) || tickMs < 1 || tickMs > 1000) {
    throw new MediaError('ERR_MEDIA_CONFIG', `tickMs must be a number within 1..1000 (got ${String(tickMs)})`);
  }
  return {
    tickMs,
    maxCalls: inRange('maxCalls', opts.maxCalls ?? ENGINE_DEFAULTS.maxCalls, 1, 65535),
    wakeEveryTicks: inRange('wakeEveryTicks', opts.wakeEveryTicks ?? ENGINE_DEFAULTS.wakeEveryTicks, 1, MAX_WAKE_EVERY_TICKS),
  };
}

function formatIn(key: string, f: AudioFormat | undefined, allowed: readonly AudioFormat[]): AudioFormat {
  const ok = f !== undefined && allowed.some((a) => a.codec === f.codec && a.rate === f.rate);
  if (!ok) {
    const list = allowed.map((a) => `${a.codec}/${a.rate}`).join(', ');
    const got = f === undefined ? 'nothing' : `${String(f.codec)}/${String(f.rate)}`;
    throw new MediaError('ERR_MEDIA_CONFIG', `${key} must be one of ${list} (got ${got})`);
  }
  return { codec: f.codec, rate: f.rate };
}

const bad = (msg: string): MediaError => new MediaError('ERR_MEDIA_CONFIG', msg);

function flag(key: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(`${key} must be true or false (got ${String(v)})`);
  return v;
}

/** Fills the playout DSP defaults and checks each field; throws MediaError naming it. */
export function resolvePlayoutDsp(o: PlayoutDspOptions | undefined): ResolvedPlayoutDspOptions {
  if (o === undefined) return { gainDb: 0, dcBlock: false, ttsChain: false, limiter: 'auto' };
  if (typeof o !== 'object' || o === null) throw bad('playoutDsp must be an object');
  const { min, max } = PLAYOUT_GAIN_DB;
  const gainDb = o.gainDb ?? 0;
  if (typeof gainDb !== 'number' || !Number.isFinite(gainDb) || gainDb < min || gainDb > max) {
    throw bad(`playoutDsp.gainDb must be a number within ${min}..${max} (got ${String(o.gainDb)})`);
  }
  const limiter = o.limiter ?? 'auto';
  if (!PLAYOUT_LIMITERS.includes(limiter as PlayoutLimiter)) {
    throw bad(`playoutDsp.limiter must be one of ${PLAYOUT_LIMITERS.join(', ')} (got ${String(o.limiter)})`);
  }
  return { gainDb, dcBlock: flag('playoutDsp.dcBlock', o.dcBlock), ttsChain: flag('playoutDsp.ttsChain', o.ttsChain), limiter };
}

/** Whether a passthrough call (one format on both sides) must run a DSP playout path. */
export function playoutDspProcesses(o: ResolvedPlayoutDspOptions): boolean {
  return o.gainDb !== 0 || o.dcBlock || o.ttsChain || o.limiter === 'peak' || o.limiter === 'softclip';
}

/** Fills defaults and checks every field; throws MediaError('ERR_MEDIA_CONFIG') naming it. */
export function resolveCallConfig(cfg: CallMediaConfig): ResolvedCallMediaConfig {
  if (typeof cfg !== 'object' || cfg === null) throw new MediaError('ERR_MEDIA_CONFIG', 'call config must be an object');
  const d = MEDIA_DEFAULTS;
  return {
    telephony: formatIn('telephony', cfg.telephony, TELEPHONY_FORMATS),
    ai: formatIn('ai', cfg.ai, AI_FORMATS),
    lookaheadMs: inRange('lookaheadMs', cfg.lookaheadMs ?? d.lookaheadMs, d.lookaheadMinMs, d.lookaheadMaxMs),
    playoutCapacityMs: inRange('playoutCapacityMs', cfg.playoutCapacityMs ?? d.playoutCapacityMs, d.capacityMinMs, d.capacityMaxMs),
    captureCapacityMs: inRange('captureCapacityMs', cfg.captureCapacityMs ?? d.captureCapacityMs, d.capacityMinMs, d.capacityMaxMs),
    playoutDsp: resolvePlayoutDsp(cfg.playoutDsp),
  };
}

const U32_MAX = 0xffff_ffff;

/** Epochs and items are uint32 (items below 2^32 - 1); throws MediaError('ERR_MEDIA_ARG'). */
export function checkTag(tag: ChunkTag): void {
  if (typeof tag !== 'object' || tag === null || !isInt(tag.epoch) || tag.epoch < 0 || tag.epoch > U32_MAX) {
    throw new MediaError('ERR_MEDIA_ARG', `chunk tag epoch must be a uint32 (got ${String(tag?.epoch)})`);
  }
  if (!isInt(tag.item) || tag.item < 0 || tag.item >= U32_MAX) {
    throw new MediaError('ERR_MEDIA_ARG', `chunk tag item must be an integer within 0..${U32_MAX - 1} (got ${String(tag.item)})`);
  }
}

export function checkEpoch(newEpoch: number, current: number): void {
  if (!isInt(newEpoch) || newEpoch <= current || newEpoch > U32_MAX) {
    throw new MediaError('ERR_MEDIA_ARG', `requestFlush needs a uint32 epoch above the current ${current} (got ${String(newEpoch)})`);
  }
}

export function checkBytes(what: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new MediaError('ERR_MEDIA_ARG', `${what} must be a Uint8Array or Buffer`);
}

/** Bytes per sample of a codec (PCM16 2, G.711 1). */
export function bytesPerSample(f: AudioFormat): number {
  return f.codec === 'pcm16' ? 2 : 1;
}

/** Bytes of one 20 ms frame. */
export function frameBytes(f: AudioFormat): number {
  return ((f.rate * FRAME_MS) / 1000) * bytesPerSample(f);
}
