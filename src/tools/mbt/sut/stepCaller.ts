// A telephony leg driven one message at a time (acting as Twilio Media Streams, FreeSWITCH
// mod_audio_stream or another WebSocket platform, with the simulated caller's wire code): start, caller audio, hang-up, socket
// drop, and — for Twilio — marks held like the far side's playback queue and echoed when the
// test says (in order, as Twilio does). It also watches for stale audio: a Twilio frame is
// followed by a mark named "<epoch>.<item>", and after the n-th clear no mark of an epoch
// below n may arrive (each clear is one barge-in, each barge-in bumps the epoch by one).
import { WebSocket } from 'ws';
import type { Leg, OutFrame } from '../../sim/caller/legs.js';
import { createLeg } from '../../sim/caller/leg-factory.js';
import { synthClip } from '../../sim/caller/voice-source.js';
import type { TelephonyProtocol } from '../../../telephony/types.js';

export interface HeldMark {
  readonly name: string;
  readonly epoch: number;
}

export class StepCaller {
  readonly protocol: TelephonyProtocol;
  private readonly leg: Leg;
  private frame = 0;
  /** Marks received and not yet echoed, oldest first. */
  readonly marks: HeldMark[] = [];
  framesReceived = 0;
  clears = 0;
  /** Marks of an epoch that a clear already cut, received after that clear. */
  staleMarks = 0;
  /** Messages Parley sent that the real far side would reject. */
  readonly protocolErrors: string[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(
    private readonly ws: WebSocket,
    protocol: TelephonyProtocol,
    callId: string,
  ) {
    this.protocol = protocol;
    // The platform's own caller emulator (8 kHz, its default codec).
    this.leg = createLeg(protocol, { url: ws.url, customParameters: { mbt: '1' } }, callId);
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  static async connect(url: string, protocol: TelephonyProtocol, callId: string): Promise<StepCaller> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`telephony upgrade refused: HTTP ${res.statusCode}`)));
    });
    return new StepCaller(ws, protocol, callId);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Twilio `connected` + `start`; audio-stream: the metadata frame. */
  start(): void {
    this.send(this.leg.greeting());
  }

  /** `ms` of caller speech (20 ms frames). */
  speak(ms: number): void {
    const clip = synthClip(this.leg.sampleRate, 3);
    const frames: OutFrame[] = [];
    for (let i = 0; i < Math.ceil(ms / 20); i++) frames.push(this.leg.audio(clip, this.frame++ % clip.frames.length));
    this.send(frames);
  }

  /** The far side ends the call: Twilio `stop` then close; audio-stream closes the socket. */
  hangup(): void {
    this.send(this.leg.goodbye());
    if (this.open) this.ws.close(1000, 'hangup');
  }

  /** The TCP connection breaks: no stop, no close frame. */
  drop(): void {
    this.ws.terminate();
  }

  /** Echoes held marks in order, up to and including the first one `until` accepts; returns them. */
  echoUntil(until: (m: HeldMark) => boolean): HeldMark[] {
    const i = this.marks.findIndex(until);
    if (i < 0) return [];
    const echoed = this.marks.splice(0, i + 1);
    for (const m of echoed) {
      const f = this.leg.markEcho(m.name);
      if (f) this.send([f]);
    }
    return echoed;
  }

  /** Echoes every held mark (the far side played everything it was sent). */
  echoAll(): HeldMark[] {
    const last = this.marks[this.marks.length - 1];
    return last ? this.echoUntil((m) => m === last) : [];
  }

  private send(frames: readonly OutFrame[]): void {
    for (const f of frames) if (this.open) this.ws.send(f.data, { binary: f.binary });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const m = this.leg.parse(isBinary ? data : data.toString('utf8'), isBinary, false);
    switch (m.kind) {
      case 'audio':
        this.framesReceived += 1;
        return;
      case 'clear':
        this.clears += 1;
        return;
      case 'mark': {
        const epoch = Number(m.name.split('.')[0]);
        if (Number.isInteger(epoch) && epoch < this.clears) this.staleMarks += 1;
        this.marks.push({ name: m.name, epoch });
        return;
      }
      case 'error':
        this.protocolErrors.push(m.detail);
        return;
    }
  }
}
