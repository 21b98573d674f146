// One simulated call: a WebSocket client acting as Twilio or as FreeSWITCH mod_audio_stream that
// speaks by a script at real time, plays Parley's audio through an emulation of the far side's
// buffer, and measures what the caller experienced (experience.ts).
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { TelephonyProtocol } from '../../../telephony/types.js';
import { Experience, round } from './experience.js';
import { ModuleFarEnd, TwilioFarEnd, type FarEnd } from './far-end.js';
import { createLeg, protocolOf } from './leg-factory.js';
import type { Leg, OutFrame } from './legs.js';
import { MarkListener } from './mark-listener.js';
import { Recording } from './recording.js';
import { DEFAULT_SCRIPT } from './script.js';
import { ticker, TICK_MS } from './ticker.js';
import type { CallReport, ScriptStep, SimCallOptions, TimelineKind } from './types.js';
import { CallerVoice, silenceClip, synthClip, wavClip, type Clip } from './voice-source.js';

export { protocolOf };

export class SimCall {
  readonly callId: string;
  readonly protocol: TelephonyProtocol;
  /** Resolves when the call has ended (never rejects). */
  readonly done: Promise<CallReport>;

  private readonly leg: Leg;
  private readonly far: FarEnd;
  private readonly voice: CallerVoice;
  private readonly silence: Clip;
  private readonly rate: number;
  private readonly frameSamples: number;
  private readonly script: readonly ScriptStep[];
  private readonly xp: Experience;
  private readonly recording: Recording | undefined;
  private readonly marks: MarkListener | undefined;
  private readonly withSamples: boolean;
  private readonly maxCallMs: number;
  private ws: WebSocket | undefined;
  private resolve!: (r: CallReport) => void;
  private untick: (() => void) | undefined;
  private t0 = 0;
  private now = 0;
  private lastTick: number | undefined;
  private finished = false;
  private hungUp = false;
  private failure: string | undefined;
  private framesSent = 0;
  private ticksSkipped = 0;
  private marksEchoed = 0;
  private goodbye: CallReport['goodbye'];

  // script state
  private step = -1;
  private stepStart = 0;
  private stepHeardFrom = 0;
  private speakLeft = 0;
  private bargeStep = -1;
  private scriptDone = false;

  constructor(private readonly options: SimCallOptions) {
    this.protocol = protocolOf(options.url, options.protocol);
    this.callId = options.callId ?? randomBytes(8).toString('hex');
    this.leg = createLeg(this.protocol, options, this.callId);
    const rate = this.leg.sampleRate;
    this.rate = rate;
    this.frameSamples = (rate * TICK_MS) / 1000;
    this.maxCallMs = options.maxCallMs ?? 60_000;
    this.script = options.script ?? DEFAULT_SCRIPT;
    // Samples are kept to record a WAV or to listen for marks; otherwise lengths only…
    // …and to tell a goodbye's unplayed audio from padding when the far side is to end the call.
    const withSamples = options.outDir !== undefined || options.marks !== undefined || this.script.some((s) => s.kind === 'await_hangup');
    this.withSamples = withSamples;
    this.recording = options.outDir !== undefined ? new Recording(rate, this.frameSamples) : undefined;
    this.marks = options.marks ? new MarkListener(options.marks.replies) : undefined;
    // Every platform but mod_audio_stream plays a queue with marks (reports) and a clear.
    this.far =
      this.protocol === 'audio-stream'
        ? new ModuleFarEnd(rate, withSamples, options.moduleBufferMs, options.moduleMinFillMs)
        : new TwilioFarEnd(this.frameSamples, withSamples, this.leg.marksReturnOnClear ?? true);
    const seed = options.seed ?? 7;
    this.voice = new CallerVoice(options.wavPath ? wavClip(options.wavPath, rate) : synthClip(rate, seed), options.wavPath ? 0 : seed);
    this.silence = silenceClip(rate);
    this.xp = new Experience({ rate, leadMs: options.leadMs, recordFrames: options.recordFrames ?? false, onTimeline: options.onTimeline });
    this.done = new Promise((r) => (this.resolve = r));
  }

  /** Connect and run the script. */
  start(): this {
    const token = this.options.token;
    const { url, headers } = token
      ? (this.leg.credentials?.(this.options.url, token) ?? { url: this.options.url, headers: { Authorization: `Bearer ${token}` } })
      : { url: this.options.url, headers: {} };
    const ws = new WebSocket(url, { headers, perMessageDeflate: this.protocol === 'audio-stream' });
    this.ws = ws;
    ws.on('open', () => {
      this.t0 = performance.now();
      this.event('connected');
      for (const f of this.leg.greeting()) this.send(f);
      this.nextStep();
      this.untick = ticker.add((now) => this.tick(now));
    });
    ws.on('message', (data, isBinary) => this.onMessage(isBinary ? (data as Buffer) : String(data), isBinary));
    ws.on('error', (err) => {
      const status = /Unexpected server response: (\d+)/.exec(err.message);
      this.failure ??= status ? `refused: HTTP ${status[1]}` : `socket: ${err.message}`;
    });
    ws.on('close', (code, reason) => {
      this.event('closed', `${code}${reason.length ? ` ${reason.toString()}` : ''}`);
      if (!this.hungUp) {
        // The far side ended the call: what was still queued there is never heard.
        // A tail of digital silence (padding) still queued is not missed; with lengths only, all of it counts.
        const unplayedMs = (this.far.queuedSamples / this.rate) * 1000;
        const missingMs = ((this.far.queuedAudibleSamples ?? this.far.queuedSamples) / this.rate) * 1000;
        this.goodbye = { heardMs: round(this.xp.heardRunMs), unplayedMs: round(unplayedMs), missingFrames: Math.max(0, Math.ceil(missingMs / TICK_MS - 1e-9)) };
        if (this.script[this.step]?.kind === 'await_hangup') this.scriptDone = true; // the call is over: so is the script
        else this.failure ??= `server closed the call (${code}) during step ${this.step + 1}/${this.script.length}`;
      }
      this.finish();
    });
    setTimeout(() => {
      if (this.finished) return;
      this.failure ??= 'max call time exceeded';
      this.hangup();
    }, this.maxCallMs).unref();
    return this;
  }

  /** End the call now (as the script's hangup step does). */
  hangup(): void {
    if (this.hungUp || this.finished) return;
    this.hungUp = true;
    this.event('hangup');
    for (const f of this.leg.goodbye()) this.send(f);
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.close(1000, 'hangup');
    else if (ws && ws.readyState === ws.CONNECTING) ws.terminate();
    setTimeout(() => this.finish(), 2000).unref();
  }

  /**
   * Fault injection: the caller's TCP connection dies in the middle of a WebSocket message (a
   * frame header announcing more bytes than follow), as when a leg's network fails mid-send.
   * The call then ends on the caller's side without a close handshake. False (nothing done)
   * when the caller had already hung up — its `stop` went out, so the call ends as a hangup —
   * or the socket is not open: the caller of this must not count a drop then.
   */
  dropMidMessage(): boolean {
    if (this.hungUp || this.finished) return false;
    const socket = (this.ws as unknown as { _socket?: { write(b: Buffer): boolean; destroy(): void } } | undefined)?._socket;
    if (!socket || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.hungUp = true;
    this.event('hangup', 'dropped mid-message');
    // FIN + text opcode, masked (client frames must be), 126 → 16-bit length 1000; then 10 bytes of payload.
    const header = Buffer.from([0x81, 0x80 | 126, 0x03, 0xe8, 1, 2, 3, 4]);
    socket.write(Buffer.concat([header, Buffer.alloc(10, 0x7b)]));
    socket.destroy();
    this.finish();
    return true;
  }

  /** Agent audio heard in the current run, ms. */
  get heardRunMs(): number {
    return this.xp.heardRunMs;
  }

  /** Raw per-frame lateness samples (ms), for aggregation across calls. */
  latenessSamples(): readonly number[] {
    return this.xp.latenessSamples();
  }

  // ---- the 20 ms tick ------------------------------------------------------------------------

  private tick(now: number): void {
    if (this.finished || this.hungUp) return;
    if (this.lastTick !== undefined && now - this.lastTick > TICK_MS * 1.5) this.ticksSkipped += Math.round((now - this.lastTick) / TICK_MS) - 1;
    this.lastTick = now;
    this.now = now - this.t0;
    // Everything this tick sends goes out in one write per socket (frame + mark echoes).
    const socket = socketOf(this.ws);
    socket?.cork();
    try {
      this.tickBody();
    } finally {
      socket?.uncork();
    }
  }

  private tickBody(): void {
    // 1. one caller frame, speech or silence
    const speaking = this.speakLeft > 0;
    const clip = speaking ? this.voice.clip : this.silence;
    const index = speaking ? this.voice.next() : 0;
    this.send(this.leg.audio(clip, index));
    this.framesSent++;
    if (speaking) {
      this.speakLeft -= TICK_MS;
      if (this.speakLeft <= 0) this.endSpeech();
    }
    // 2. the far side plays one frame
    const t = this.far.tick();
    for (const name of t.echoes) this.echo(name);
    this.xp.played(t.played, this.now);
    this.recording?.frame(clip.frames[index]!, t.frame);
    this.marks?.frame(t.frame, t.played);
    // 3. the script
    this.advanceScript();
    if (this.now > this.maxCallMs + 5000) this.finish();
  }

  // ---- script --------------------------------------------------------------------------------

  private nextStep(): void {
    this.step++;
    this.stepStart = this.now;
    this.stepHeardFrom = this.xp.heardTotal;
    const s = this.script[this.step];
    if (!s) {
      this.scriptDone = true;
      return;
    }
    switch (s.kind) {
      case 'say':
        this.beginSpeech(s.ms, false);
        break;
      case 'dtmf': {
        const f = this.leg.dtmf(s.digit);
        if (f) this.send(f);
        else if (this.options.keypad) this.options.keypad(this.channelUuid(), s.digit);
        else this.failure ??= `dtmf: the ${this.protocol} stream carries no keys; give the call a keypad (sim-call --fake-esl)`;
        this.event('dtmf', s.digit);
        this.nextStep();
        break;
      }
      case 'hangup':
        this.scriptDone = true;
        this.hangup();
        break;
      default:
        break;
    }
  }

  private advanceScript(): void {
    const s = this.script[this.step];
    if (!s) return;
    const elapsed = this.now - this.stepStart;
    const heardInStep = this.xp.heardTotal > this.stepHeardFrom;
    switch (s.kind) {
      case 'say':
        if (this.speakLeft <= 0) this.nextStep();
        return;
      case 'silence':
        if (elapsed >= s.ms) this.nextStep();
        return;
      case 'await_hangup':
        if (elapsed < (s.timeoutMs ?? 15_000)) return;
        this.failure ??= `the far side did not end the call within ${s.timeoutMs ?? 15_000} ms (step ${this.step + 1})`;
        this.nextStep();
        return;
      case 'listen':
        if (heardInStep && this.xp.quietMs >= (s.quietMs ?? 600)) this.nextStep();
        else if (elapsed >= (s.timeoutMs ?? 15_000)) {
          if (!heardInStep) this.failure ??= `listen timed out with no agent audio (step ${this.step + 1})`;
          this.nextStep();
        }
        return;
      case 'barge':
        if (this.speakLeft > 0) return; // speaking over the agent
        if (this.bargeStep === this.step && this.xp.lastBargeDone) this.nextStep();
        else if (this.bargeStep !== this.step && this.xp.runPlaying && this.xp.heardRunMs >= s.afterMs) {
          this.bargeStep = this.step;
          this.beginSpeech(s.sayMs, true);
        } else if (this.bargeStep !== this.step && elapsed >= (s.timeoutMs ?? 15_000)) {
          this.failure ??= `barge-in timed out waiting for ${s.afterMs} ms of agent audio (step ${this.step + 1})`;
          this.nextStep();
        }
        return;
      default:
        return;
    }
  }

  private beginSpeech(ms: number, bargeIn: boolean): void {
    this.speakLeft = ms;
    this.xp.speechStarted(this.now, bargeIn, this.far.queuedSamples);
    if (bargeIn) this.marks?.barged();
  }

  private endSpeech(): void {
    this.speakLeft = 0;
    this.xp.speechEnded(this.now, this.now + TICK_MS);
    this.marks?.turnEnded();
  }

  // ---- from Parley ---------------------------------------------------------------------------

  private onMessage(data: string | Buffer, isBinary: boolean): void {
    if (this.finished) return;
    const now = performance.now() - this.t0;
    const inc = this.leg.parse(data, isBinary, this.withSamples);
    switch (inc.kind) {
      case 'audio':
        this.xp.arrival(inc.samples, now, this.far.queuedSamples);
        this.far.pushAudio(inc.pcm ?? inc.samples);
        return;
      case 'mark':
        this.xp.marksSent++;
        this.far.pushMark(inc.name);
        return;
      case 'clear': {
        const returned = this.far.clear(); // Twilio returns pending marks at once, unplayed
        for (const name of returned) this.echo(name);
        for (const f of this.leg.cleared?.() ?? []) this.send(f);
        this.xp.cleared(now, returned.length);
        return;
      }
      case 'hangup':
        // The bridge asked the far side to hang up: it does, by closing (a bridge-side end).
        this.event('hangup', 'requested by the bridge');
        this.ws?.close(1000, 'hangup');
        return;
      case 'error':
        this.xp.protocolError(inc.detail, now);
        return;
      case 'action':
        this.event('platform_action', inc.body.slice(0, 300));
        return;
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** The channel uuid the platform knows the call by: the metadata's callId, else the call id. */
  private channelUuid(): string {
    const named = this.options.metadata?.['callId'];
    return typeof named === 'string' ? named : this.callId;
  }

  private echo(name: string): void {
    const f = this.leg.markEcho(name);
    if (f) this.send(f);
    this.marksEchoed++;
  }

  private send(f: OutFrame): void {
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(f.data, { binary: f.binary });
  }

  private event(kind: TimelineKind, detail?: string): void {
    this.xp.event(kind, this.now, detail);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.untick?.();
    if (this.ws && this.ws.readyState !== this.ws.CLOSED) this.ws.terminate();
    if (!this.scriptDone) this.failure ??= `ended at step ${this.step + 1}/${this.script.length}`;
    const ms = (samples: number) => Math.round((samples / this.rate) * 1000);
    const report: CallReport = {
      callId: this.callId,
      protocol: this.protocol,
      ok: this.failure === undefined,
      ...(this.failure !== undefined ? { failure: this.failure } : {}),
      durationMs: round(this.now),
      ...this.xp.report(this.now, {
        framesSent: this.framesSent,
        ticksSkipped: this.ticksSkipped,
        marksEchoed: this.marksEchoed,
        alignmentLossMs: ms(this.far.alignmentLoss),
        overflowDropMs: ms(this.far.overflowDrop),
      }),
      ...(this.goodbye ? { goodbye: this.goodbye } : {}),
      ...(this.marks ? { marks: this.marks.report() } : {}),
    };
    this.resolve(this.recording && this.options.outDir ? this.recording.write(report, this.options.outDir) : report);
  }
}

/** ws keeps its net.Socket in `_socket` (not in its public types); used only to cork a tick's writes. */
function socketOf(ws: WebSocket | undefined): { cork(): void; uncork(): void } | undefined {
  const s = (ws as unknown as { _socket?: { cork?: unknown; uncork?: unknown } } | undefined)?._socket;
  return s && typeof s.cork === 'function' && typeof s.uncork === 'function' ? (s as { cork(): void; uncork(): void }) : undefined;
}

/** Run one call to completion. */
export function simCall(options: SimCallOptions): Promise<CallReport> {
  return new SimCall(options).start().done;
}
