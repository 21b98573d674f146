// One call of the JS fallback engine: the twin of native/src/core/engine/call.cc and
// call_tick.cc (rings with epochs and a consumer-executed flush, 20 ms frames paced by a
// bounded lead, per-item delivered counts, counters), on the JS thread. The "media thread"
// is the engine's timer: requests made between ticks are executed at the next tick, as the
// native consumer does, so both engines answer every MediaCall question the same way.
import { PLAYOUT_STATES, PLAYOUT_TAGS, type PlayoutState } from '../../generated/playout.js';
import { bytesPerSample } from '../engine.js';
import type { CallCounters, MediaEvent, PlayoutFrame, ResolvedCallMediaConfig, WriteResult } from '../types.js';
import { makeCallPaths, makePathsForCall, type CapturePath, type DspPathOptions, type PlayoutPath } from './paths.js';

const HEADER = 16; // bytes of a record header in the native rings (index units match)
const ITEM_SLOTS = 64;
const MAX_SEGMENTS = 8;
const MAX_CAPTURE_FRAMES_PER_TICK = 8;
const OUT_FRAMES = 25; // 500 ms of output JS has not read yet
const MAX_PENDING_EVENTS = 1024;
const NO_ITEM = 0xffffffff;

const has = (tag: keyof typeof PLAYOUT_TAGS, s: PlayoutState): boolean => PLAYOUT_TAGS[tag].includes(s);
const silenceByte = (codec: string): number => (codec === 'mulaw' ? 0xff : codec === 'alaw' ? 0xd5 : 0);

interface Rec {
  readonly epoch: number;
  readonly item: number;
  readonly payload: Uint8Array;
  off: number; // bytes already read
}

interface Segment {
  epoch: number;
  item: number;
  bytes: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface TickContext {
  tick: number;
  elapsed: number;
  produced: boolean;
}

export class JsCall {
  readonly capture: CapturePath;
  readonly playout: PlayoutPath;
  state: PlayoutState = PLAYOUT_STATES[0];
  epoch = 0;
  closing = false;
  readonly counters: Mutable<CallCounters> = {
    playoutChunks: 0, playoutBytes: 0, playoutStale: 0, playoutFull: 0, playoutClosed: 0, playoutInvalid: 0,
    captureBytes: 0, captureFull: 0, captureClosed: 0, framesEmitted: 0, samplesEmitted: 0, paddedFrames: 0,
    staleSkippedSamples: 0, flushes: 0, flushedSamples: 0, flushedEpoch: 0, underruns: 0, captureFrames: 0,
    playoutOutStalls: 0, captureOutStalls: 0,
  };
  eventsDropped = 0;

  readonly #aiBps: number;
  readonly #inFrame: number;
  readonly #leadMax: number;
  readonly #lookaheadBytes: number;
  readonly #aiSilence: number;
  readonly #playoutBound: number;
  readonly #ringCapacity: number;
  readonly #captureBound: number;
  readonly #captureOutBound: number;
  // playout ring
  readonly #recs: Rec[] = [];
  #writeIndex = 0;
  #readIndex = 0;
  #ringEpoch = 0;
  #flushTo = 0;
  #flushSeq = 0;
  #flushDoneSeq = 0;
  #payloadWritten = 0;
  #payloadRetired = 0;
  #flushFloor = 0;
  // staging and pacing
  readonly #staging: Uint8Array;
  #staged = 0;
  readonly #segs: Segment[] = [];
  #lead = 0;
  #emittedSinceDrain = false;
  #prefillArmed = true;
  readonly #frameOut: Uint8Array;
  #outFrames: PlayoutFrame[] = [];
  // capture
  #capIn: Uint8Array[] = [];
  #capInBytes = 0;
  readonly #capInBuf: Uint8Array;
  readonly #capOutBuf: Uint8Array;
  #capOut: Buffer[] = [];
  #capOutBytes = 0;
  // delivered and events
  readonly #delivered: { item: number; n: number }[] = Array.from({ length: ITEM_SLOTS }, () => ({ item: NO_ITEM, n: 0 }));
  #events: MediaEvent[] = [];

  constructor(
    readonly id: number,
    readonly config: ResolvedCallMediaConfig,
    options?: DspPathOptions,
  ) {
    // Explicit path options (tests, benches) bypass the call's playoutDsp options.
    const paths = options ? makeCallPaths(config.telephony, config.ai, options) : makePathsForCall(config.telephony, config.ai, config.playoutDsp);
    this.capture = paths.capture;
    this.playout = paths.playout;
    const ai = config.ai;
    this.#aiBps = bytesPerSample(ai);
    this.#inFrame = this.playout.inFrameBytes;
    this.#leadMax = Math.ceil(config.lookaheadMs / 20);
    const bytesForMs = (f: typeof ai, ms: number): number => Math.floor((f.rate * ms) / 1000) * bytesPerSample(f);
    this.#lookaheadBytes = bytesForMs(ai, config.lookaheadMs);
    this.#aiSilence = silenceByte(ai.codec);
    this.#playoutBound = bytesForMs(ai, config.playoutCapacityMs);
    this.#ringCapacity = this.#playoutBound + HEADER * (Math.floor(config.playoutCapacityMs / 20) + 1);
    this.#captureBound = bytesForMs(config.telephony, config.captureCapacityMs);
    this.#captureOutBound = Math.max(bytesForMs(ai, 500), this.capture.outMaxBytes * (MAX_CAPTURE_FRAMES_PER_TICK + 1));
    this.#staging = new Uint8Array(this.#inFrame);
    this.#frameOut = new Uint8Array(this.playout.outFrameBytes);
    this.#capInBuf = new Uint8Array(this.capture.inFrameBytes);
    this.#capOutBuf = new Uint8Array(this.capture.outMaxBytes);
  }

  get playoutDelaySamples(): number {
    return this.playout.delayAiSamples;
  }

  // ---- JS side (MediaCall) -----------------------------------------------------------

  writePlayout(bytes: Uint8Array, epoch: number, item: number): WriteResult {
    const c = this.counters;
    if (this.closing || !has('media.accept', this.state)) return (c.playoutClosed++, 'closed');
    if (epoch > this.epoch || bytes.length % this.#aiBps !== 0) return (c.playoutInvalid++, 'invalid');
    if (this.#payloadWritten - this.#payloadRetired + bytes.length > this.#playoutBound) return (c.playoutFull++, 'full');
    if (epoch < this.#ringEpoch) return (c.playoutStale++, 'stale');
    if (bytes.length === 0) return 'ok';
    const need = HEADER + bytes.length;
    if (need > this.#ringCapacity - (this.#writeIndex - this.#readIndex)) return (c.playoutFull++, 'full');
    this.#recs.push({ epoch, item, payload: Uint8Array.from(bytes), off: 0 });
    this.#writeIndex += need;
    c.playoutChunks++;
    c.playoutBytes += bytes.length;
    this.#payloadWritten += bytes.length;
    return 'ok';
  }

  writeCapture(bytes: Uint8Array): WriteResult {
    const c = this.counters;
    if (this.closing || has('media.closing', this.state)) return (c.captureClosed++, 'closed');
    if (this.#capInBytes + bytes.length > this.#captureBound) return (c.captureFull++, 'full');
    if (bytes.length > 0) this.#capIn.push(Uint8Array.from(bytes));
    this.#capInBytes += bytes.length;
    c.captureBytes += bytes.length;
    return 'ok';
  }

  requestFlush(newEpoch: number): void {
    this.epoch = newEpoch;
    this.#flushFloor = this.#payloadWritten;
    if (this.#writeIndex > this.#flushTo) this.#flushTo = this.#writeIndex;
    this.#ringEpoch = newEpoch;
    this.#flushSeq++;
  }

  readPlayout(): PlayoutFrame[] {
    const out = this.#outFrames;
    this.#outFrames = [];
    return out;
  }

  readCapture(): Buffer {
    const out = Buffer.concat(this.#capOut, this.#capOutBytes);
    this.#capOut = [];
    this.#capOutBytes = 0;
    return out;
  }

  events(): MediaEvent[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }

  delivered(item: number): number | undefined {
    const slot = this.#delivered[item % ITEM_SLOTS]!;
    return item !== NO_ITEM && slot.item === item ? slot.n : undefined;
  }

  bufferedPlayoutBytes(): number {
    const gone = Math.max(this.#payloadRetired, this.#flushFloor);
    return this.#payloadWritten > gone ? this.#payloadWritten - gone : 0;
  }

  playoutWriteIndex(): number {
    return this.#writeIndex;
  }

  // ---- media side (the engine's timer) -----------------------------------------------

  tick(ctx: TickContext): void {
    this.#tickPlayout(ctx);
    this.#tickCapture(ctx);
  }

  #report(ctx: TickContext, ev: MediaEvent): void {
    if (this.#events.length >= MAX_PENDING_EVENTS) {
      this.#events.shift();
      this.eventsDropped++;
    }
    this.#events.push(ev);
    ctx.produced = true;
  }

  #tickPlayout(ctx: TickContext): void {
    this.#executeFlush(ctx);
    const leadBefore = this.#lead;
    this.#lead = this.#lead > ctx.elapsed ? this.#lead - ctx.elapsed : 0;
    if (has('media.playout', this.state)) {
      // A short tail is padded only once the response's audio is complete (media.tail, PL6), and
      // then at once (call_tick.cc: mod_audio_stream would strand it under its minimum fill).
      const mayPad = has('media.tail', this.state);
      this.#fillStaging();
      if (this.#emittedSinceDrain && leadBefore < ctx.elapsed && this.#staged === this.#inFrame) {
        this.counters.underruns++;
        this.#report(ctx, { type: 'underrun', tick: ctx.tick, missedFrames: ctx.elapsed - leadBefore });
      }
      let emitted = false;
      while (this.#lead < this.#leadMax) {
        this.#fillStaging();
        const full = this.#staged === this.#inFrame;
        const tail = this.#staged > 0 && mayPad;
        if (!(full || tail) || !this.#emitFrame(!full)) break;
        emitted = true;
        this.#emittedSinceDrain = true;
        this.#lead++;
      }
      if (emitted) ctx.produced = true;
      if (!emitted && this.#staged === 0 && this.#emittedSinceDrain) {
        this.#emittedSinceDrain = false;
        this.#prefillArmed = true;
        this.#report(ctx, { type: 'drained', tick: ctx.tick, epoch: this.#ringEpoch, readIndex: this.#readIndex });
      }
    }
    if (this.#prefillArmed) {
      const buffered = this.bufferedPlayoutBytes();
      if (buffered >= this.#lookaheadBytes && buffered > 0) {
        this.#prefillArmed = false;
        const ms = Math.floor((Math.floor(buffered / this.#aiBps) * 1000) / this.config.ai.rate);
        this.#report(ctx, { type: 'prefilled', tick: ctx.tick, epoch: this.#ringEpoch, bufferedMs: ms });
      }
    }
  }

  #executeFlush(ctx: TickContext): void {
    if (this.#flushSeq === this.#flushDoneSeq) return;
    this.#flushDoneSeq = this.#flushSeq;
    const epoch = this.#ringEpoch;
    let dropped = 0;
    // Drop every record before the flush point (a record boundary); later ones survive.
    while (this.#recs.length > 0 && this.#readIndex < this.#flushTo) {
      const r = this.#recs[0]!;
      dropped += r.payload.length - r.off;
      this.#readIndex = this.#advance(r);
      this.#recs.shift();
    }
    dropped += this.#dropStaleStaging(epoch);
    this.#retire(dropped);
    const c = this.counters;
    c.flushes++;
    c.flushedSamples += dropped / this.#aiBps;
    c.flushedEpoch = epoch;
    this.playout.onFlush();
    this.#emittedSinceDrain = false;
    this.#prefillArmed = true;
    this.#report(ctx, { type: 'flushed', tick: ctx.tick, epoch: this.epoch, droppedSamples: dropped / this.#aiBps, readIndex: this.#readIndex });
  }

  // The read index after consuming what is left of `r` (header counted at its start).
  #advance(r: Rec): number {
    return this.#readIndex + (r.off === 0 ? HEADER : 0) + (r.payload.length - r.off);
  }

  #fillStaging(): void {
    while (this.#staged < this.#inFrame) {
      const r = this.#recs[0];
      if (!r) break;
      if (r.epoch < this.#ringEpoch) {
        // PL3 on read: a stale record (or its rest) is skipped and retired.
        const left = r.payload.length - r.off;
        this.#readIndex = this.#advance(r);
        this.#recs.shift();
        this.#retire(left);
        this.counters.staleSkippedSamples += left / this.#aiBps;
        continue;
      }
      const last = this.#segs.at(-1);
      const same = last !== undefined && last.epoch === r.epoch && last.item === r.item;
      if (!same && this.#segs.length === MAX_SEGMENTS) break;
      const n = Math.min(this.#inFrame - this.#staged, r.payload.length - r.off);
      this.#staging.set(r.payload.subarray(r.off, r.off + n), this.#staged);
      if (r.off === 0) this.#readIndex += HEADER;
      r.off += n;
      this.#readIndex += n;
      if (r.off === r.payload.length) this.#recs.shift();
      if (same) last.bytes += n;
      else this.#segs.push({ epoch: r.epoch, item: r.item, bytes: n });
      this.#staged += n;
    }
  }

  #dropStaleStaging(epoch: number): number {
    let k = 0;
    let bytes = 0;
    while (k < this.#segs.length && this.#segs[k]!.epoch < epoch) bytes += this.#segs[k++]!.bytes;
    if (k === 0) return 0;
    this.#staging.copyWithin(0, bytes, this.#staged);
    this.#segs.splice(0, k);
    this.#staged -= bytes;
    return bytes;
  }

  #emitFrame(pad: boolean): boolean {
    const stale = this.#dropStaleStaging(this.#ringEpoch);
    if (stale > 0) {
      this.#retire(stale);
      this.counters.staleSkippedSamples += stale / this.#aiBps;
      if (this.#staged === 0 || (!pad && this.#staged < this.#inFrame)) return false;
    }
    if (this.#outFrames.length >= OUT_FRAMES) {
      this.counters.playoutOutStalls++;
      return false;
    }
    if (pad) {
      this.#staging.fill(this.#aiSilence, this.#staged);
      this.counters.paddedFrames++;
    }
    this.playout.process(this.#staging, this.#frameOut);
    const samples = this.#staged / this.#aiBps;
    const first = this.#segs[0]!;
    this.#outFrames.push({ epoch: first.epoch, item: first.item, samples, bytes: Buffer.from(this.#frameOut) });
    for (const s of this.#segs) this.#addDelivered(s.item, s.bytes / this.#aiBps);
    this.counters.framesEmitted++;
    this.counters.samplesEmitted += samples;
    this.#retire(this.#staged);
    this.#staged = 0;
    this.#segs.length = 0;
    return true;
  }

  #retire(bytes: number): void {
    this.#payloadRetired += bytes;
  }

  #addDelivered(item: number, samples: number): void {
    const slot = this.#delivered[item % ITEM_SLOTS]!;
    const have = slot.item === item ? slot.n : 0;
    slot.item = item;
    slot.n = Math.min(have + samples, 0xffffffff);
  }

  #tickCapture(ctx: TickContext): void {
    if (has('media.closing', this.state)) return;
    const inFrame = this.capture.inFrameBytes;
    for (let k = 0; k < MAX_CAPTURE_FRAMES_PER_TICK; k++) {
      if (this.#capInBytes < inFrame) break;
      if (this.#captureOutBound - this.#capOutBytes < this.capture.outMaxBytes) {
        this.counters.captureOutStalls++;
        break;
      }
      this.#takeCapture(inFrame);
      const r = this.capture.process(this.#capInBuf, this.#capOutBuf);
      this.#capOut.push(Buffer.from(this.#capOutBuf.subarray(0, r.bytes)));
      this.#capOutBytes += r.bytes;
      this.counters.captureFrames++;
      ctx.produced = true;
      if (r.vad !== 'none') this.#report(ctx, { type: r.vad, tick: ctx.tick });
    }
  }

  #takeCapture(n: number): void {
    let o = 0;
    while (o < n) {
      const head = this.#capIn[0]!;
      const k = Math.min(n - o, head.length);
      this.#capInBuf.set(head.subarray(0, k), o);
      o += k;
      if (k === head.length) this.#capIn.shift();
      else this.#capIn[0] = head.subarray(k);
    }
    this.#capInBytes -= n;
  }
}
