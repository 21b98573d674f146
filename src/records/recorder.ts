// One call's stereo recording at the telephony rate: left = the caller's audio as it arrived,
// right = what the caller heard. Agent frames are placed where the far side plays them (after
// what it still holds, as a phone plays a stream); a clear removes what the far side held and
// had not played yet, so cleared audio is never in the file. Samples are written once they are
// HOLD_MS old (a later clear can no longer touch them): memory stays bounded by that window.
import { FRAME_MS, type AudioFormat } from '../media/types.js';
import { alawDecode, ulawDecode } from '../media/codec.js';
import { WavFile, type WavFailure } from './wavFile.js';

/**
 * Caller audio this far behind real time is placed at real time (a gap in the caller's stream);
 * less than that is network jitter, and the stream stays contiguous as the phone sent it.
 */
const CALLER_SLACK_MS = 1000;
/** Samples younger than this stay in memory: the slack, plus the lead over real time (≤ 200 ms). */
export const HOLD_MS = CALLER_SLACK_MS + 300;

/** Samples of one channel not yet written, from `base` (absolute sample index) on. */
class Track {
  private buf: Int16Array;
  base = 0;
  end = 0;

  constructor(capacity: number) {
    this.buf = new Int16Array(capacity);
  }

  /** Places samples at absolute position `pos`; what falls outside the window is lost. */
  put(pos: number, s: Int16Array): number {
    let lost = 0;
    for (let i = 0; i < s.length; i++) {
      const at = pos + i - this.base;
      if (at < 0 || at >= this.buf.length) {
        lost++;
        continue;
      }
      this.buf[at] = s[i]!;
    }
    this.end = Math.max(this.end, Math.min(pos + s.length, this.base + this.buf.length));
    return lost;
  }

  /** Silences everything from absolute position `pos` on. */
  cut(pos: number): void {
    const from = Math.max(0, pos - this.base);
    if (from < this.buf.length) this.buf.fill(0, from);
    this.end = Math.min(this.end, Math.max(pos, this.base));
  }

  /** The samples [base, upTo), then the window moves on. */
  take(upTo: number): Int16Array {
    const n = Math.max(0, Math.min(upTo - this.base, this.buf.length));
    const out = this.buf.slice(0, n);
    this.buf.copyWithin(0, n);
    this.buf.fill(0, this.buf.length - n);
    this.base += n;
    this.end = Math.max(this.end, this.base);
    return out;
  }
}

export class CallRecording {
  private readonly file: WavFile;
  private readonly rate: number;
  private readonly left: Track;
  private readonly right: Track;
  private t0: number | undefined;
  /** Where the far side's queue ends (absolute sample index). */
  private playEnd = 0;
  lostSamples = 0;

  constructor(
    path: string,
    private readonly format: AudioFormat,
    onFail: (why: WavFailure, err?: unknown) => void,
  ) {
    this.rate = format.rate;
    const capacity = Math.ceil((this.rate * (HOLD_MS + 500)) / 1000);
    this.left = new Track(capacity);
    this.right = new Track(capacity);
    this.file = new WavFile(path, this.rate, 2, onFail);
  }

  get path(): string {
    return this.file.path;
  }

  get failed(): WavFailure | undefined {
    return this.file.failed;
  }

  caller(payload: Buffer, now: number): void {
    if (this.file.failed) return;
    const pcm = this.decode(payload);
    const at = this.pos(now);
    // Sequential while the caller streams in real time; a gap (or a late start) moves it on.
    const expected = at - pcm.length;
    const pos = this.left.end < expected - this.samples(CALLER_SLACK_MS) ? expected : this.left.end;
    this.lostSamples += this.left.put(pos, pcm);
    this.commit(now);
  }

  /**
   * An agent frame sent at `now`: the far side plays it right after what it still holds, or at
   * once when it holds nothing (`aheadMs`, Parley's model of the far side, is not used: mark
   * echoes lag the playback by a tick and more).
   */
  agent(bytes: Buffer, now: number, _aheadMs: number): void {
    if (this.file.failed) return;
    const pcm = this.decode(bytes);
    const start = Math.max(this.phone(now), this.playEnd);
    this.lostSamples += this.right.put(start, pcm);
    this.playEnd = start + pcm.length;
    this.commit(now);
  }

  /** The far side dropped what it had not played yet. */
  clear(now: number): void {
    const at = this.phone(now);
    if (this.playEnd > at) this.right.cut(at);
    this.playEnd = Math.min(this.playEnd, at);
  }

  /** Writes the rest (what the far side played until now) and closes the file. */
  async close(now: number): Promise<void> {
    if (!this.file.failed && this.t0 !== undefined) {
      const end = Math.max(this.left.end, Math.min(this.right.end, this.pos(now)));
      this.right.cut(this.pos(now));
      this.write(end);
    }
    await this.file.close();
  }

  private commit(now: number): void {
    const upTo = this.pos(now) - this.samples(HOLD_MS);
    if (upTo - this.left.base >= this.samples(FRAME_MS * 5)) this.write(upTo);
  }

  private write(upTo: number): void {
    const l = this.left.take(upTo);
    const r = this.right.take(upTo);
    const n = Math.max(l.length, r.length);
    if (n === 0) return;
    const stereo = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) {
      stereo[2 * i] = l[i] ?? 0;
      stereo[2 * i + 1] = r[i] ?? 0;
    }
    this.file.append(stereo);
  }

  /**
   * Where the phone is now, on the recording's timeline: the caller's samples received so far.
   * The phone sends the caller's audio and plays the agent's on one clock, so placing agent audio
   * by that clock (rather than Parley's) keeps the two channels aligned as the caller lived them.
   * Without caller audio for a while, real time (less the slack) takes over.
   */
  private phone(now: number): number {
    return Math.max(this.left.end, this.pos(now) - this.samples(CALLER_SLACK_MS));
  }

  private pos(now: number): number {
    this.t0 ??= now;
    return Math.round(((now - this.t0) * this.rate) / 1000);
  }

  private samples(ms: number): number {
    return Math.round((ms * this.rate) / 1000);
  }

  private decode(b: Buffer): Int16Array {
    if (this.format.codec === 'pcm16') {
      const out = new Int16Array(b.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(2 * i);
      return out;
    }
    const out = new Int16Array(b.length);
    (this.format.codec === 'mulaw' ? ulawDecode : alawDecode)(new Uint8Array(b.buffer, b.byteOffset, b.length), out);
    return out;
  }
}
