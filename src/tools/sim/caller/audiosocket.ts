// An Asterisk AudioSocket caller, independent of Parley's adapter: it speaks the documented wire
// protocol (docs/reference/audiosocket.md) over TCP — UUID first, slin 8 kHz frames every 20 ms,
// DTMF, hang-up — and emulates Asterisk's side of the audio it is sent: each slin message plays
// at real time after the one before, and nothing can recall it (there is no clear). It records
// what it heard and how far ahead of real time Parley kept it (the lead an unflushable far side
// turns into audio a barge-in cannot stop).
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { synthClip, silenceClip, type Clip } from './voice-source.js';

const HEADER = 3;

function msg(kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(HEADER);
  h.writeUInt8(kind, 0);
  h.writeUInt16BE(payload.length, 1);
  return Buffer.concat([h, payload]);
}

export interface AudioSocketCallerOptions {
  /** tcp://host:port */
  readonly url: string;
  readonly uuid?: string;
}

export interface HeardSpan {
  readonly startMs: number;
  readonly endMs: number;
}

export class AudioSocketCaller {
  readonly uuid: string;
  /** Agent audio as played: spans on this caller's clock (ms since connect). */
  readonly heard: HeardSpan[] = [];
  /** The most audio queued, not yet played, just after a message arrived (what a barge-in then cannot recall). */
  maxQueuedMs = 0;
  /** The queue just after each audio message arrived (ms). */
  readonly queued: number[] = [];
  /** Times the far side ran dry less than 1 s before the next audio message (ms it had nothing to play): gaps inside a reply. */
  readonly dryGaps: number[] = [];
  /** Messages that were not whole slin/hang-up/error messages. */
  malformed = 0;
  /** Parley sent the hang-up message (0x00), or an error (0xff). */
  hangupReceived = false;
  errorReceived = false;
  closed = false;
  private readonly socket: Socket;
  private readonly t0 = performance.now();
  private playEnd = 0;
  private held = Buffer.alloc(0);
  private speaking: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly voice: Clip = synthClip(8000, 7);
  private readonly silence: Clip = silenceClip(8000);
  readonly ready: Promise<void>;
  readonly ended: Promise<void>;

  constructor(opts: AudioSocketCallerOptions) {
    const u = new URL(opts.url);
    if (u.protocol !== 'tcp:') throw new Error(`AudioSocket needs tcp://host:port, got ${opts.url}`);
    this.uuid = opts.uuid ?? randomUUID();
    this.socket = connect({ host: u.hostname, port: Number(u.port) });
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.ended = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.stopTalking();
    });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** The UUID message, then silence every 20 ms (a channel always carries audio). */
  start(): void {
    this.send(msg(0x01, Buffer.from(this.uuid.replace(/-/g, ''), 'hex')));
    this.speaking = setInterval(() => this.tick(), 20);
  }

  private talking = false;
  say(on: boolean): void {
    this.talking = on;
  }

  dtmf(digit: string): void {
    this.send(msg(0x03, Buffer.from(digit, 'latin1')));
  }

  /** Raw bytes, for malformed-input tests. */
  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  hangup(): void {
    this.stopTalking();
    this.send(msg(0x00));
    this.socket.end();
  }

  /** Agent audio heard after `t` (ms on this caller's clock). */
  heardAfter(t: number): number {
    return this.heard.reduce((n, s) => n + Math.max(0, s.endMs - Math.max(s.startMs, t)), 0);
  }

  /**
   * The 95th percentile of the queue at arrival: robust to this process's own event-loop stalls
   * (a stalled caller takes a burst of frames late and sees them as queued).
   */
  queuedP95(): number {
    if (this.queued.length === 0) return 0;
    const s = [...this.queued].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
  }

  heardMs(): number {
    return this.heardAfter(-Infinity);
  }

  private tick(): void {
    const clip = this.talking ? this.voice : this.silence;
    const f = clip.frames[this.frame++ % clip.frames.length]!;
    const b = Buffer.alloc(f.length * 2);
    for (let i = 0; i < f.length; i++) b.writeInt16LE(f[i]!, i * 2);
    this.send(msg(0x10, b));
  }

  private stopTalking(): void {
    if (this.speaking) clearInterval(this.speaking);
    this.speaking = undefined;
  }

  private receive(chunk: Buffer): void {
    let buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    while (buf.length >= HEADER) {
      const size = HEADER + buf.readUInt16BE(1);
      if (buf.length < size) break;
      this.onMessage(buf.readUInt8(0), buf.subarray(HEADER, size));
      buf = buf.subarray(size);
    }
    this.held = Buffer.from(buf);
  }

  private onMessage(kind: number, payload: Buffer): void {
    if (kind === 0x00) this.hangupReceived = true;
    else if (kind === 0xff) this.errorReceived = true;
    else if (kind === 0x10 && payload.length > 0 && payload.length % 2 === 0) {
      // Asterisk plays what it is handed in order, at real time; nothing is ever taken back.
      const now = this.now();
      if (this.playEnd > 0 && now > this.playEnd && now - this.playEnd < 1000) this.dryGaps.push(now - this.playEnd);
      const start = Math.max(now, this.playEnd);
      this.playEnd = start + (payload.length / 16000) * 1000;
      this.maxQueuedMs = Math.max(this.maxQueuedMs, this.playEnd - now);
      this.queued.push(this.playEnd - now);
      if (!payload.every((v) => v === 0)) this.heard.push({ startMs: start, endMs: this.playEnd });
    } else this.malformed += 1;
  }
}
