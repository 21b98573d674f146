// One simulated call: a WebSocket client acting as Twilio or as FreeSWITCH mod_audio_stream that
// speaks by a script at real time, plays Parley's audio through an emulation of the far side's
// buffer, and measures what the caller experienced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { writeWav } from '../audio/wav.js';
import { ModuleFarEnd, TwilioFarEnd, type FarEnd } from './far-end.js';
import { AudioStreamLeg, TwilioLeg, type Incoming, type Leg, type OutFrame } from './legs.js';
import { DEFAULT_SCRIPT } from './script.js';
import { percentiles } from './stats.js';
import { ticker, TICK_MS } from './ticker.js';
import type { BargeInRecord, CallReport, ScriptStep, SimCallOptions, TimelineEvent, TimelineKind, TurnRecord } from './types.js';
import { CallerVoice, silenceClip, synthClip, wavClip, type Clip } from './voice-source.js';

/** A gap in agent audio longer than this ends a run (a new response starts a new one). */
const RUN_GAP_MS = 400;
const TIMELINE_LIMIT = 2000;
const PROTOCOL_ERRORS_IN_TIMELINE = 20;

interface Turn {
  index: number;
  bargeIn: boolean;
  speechStartMs: number;
  speechEndMs?: number;
  firstAgentAudioMs?: number;
}

interface Barge {
  speechStartMs: number;
  heardAtSpeechMs: number;
  clearAtMs?: number;
  heardMs?: number;
  stale: number;
  speaking: boolean;
}

export function protocolOf(url: string, explicit?: TelephonyProtocol): TelephonyProtocol {
  if (explicit) return explicit;
  return new URL(url).pathname.endsWith('/audio-stream') ? 'audio-stream' : 'twilio';
}

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
  private readonly recording: boolean;
  private ws: WebSocket | undefined;
  private resolve!: (r: CallReport) => void;
  private untick: (() => void) | undefined;
  private t0 = 0;
  private now = 0;
  private finished = false;
  private hungUp = false;
  private failure: string | undefined;

  // script state
  private step = -1;
  private stepStart = 0;
  private speakLeft = 0;
  private stepHeard = 0;
  private quietMs = 0;
  private bargeStep = -1;
  private scriptDone = false;

  // measurements
  private readonly timeline: TimelineEvent[] = [];
  private readonly turns: Turn[] = [];
  private readonly barges: Barge[] = [];
  private readonly lateness: number[] = [];
  private readonly frames: [number, number][] = [];
  private framesSent = 0;
  private ticksSkipped = 0;
  private lastTick: number | undefined;
  private framesReceived = 0;
  private agentSamples = 0;
  private heardSamples = 0;
  private marksSent = 0;
  private marksEchoed = 0;
  private clears = 0;
  private protocolErrors = 0;
  private underruns = 0;
  private underrunSamples = 0;
  // run (far-side playout) state
  private runActive = false;
  private runHeard = 0;
  private runQuietTicks = 0;
  private starved = 0;
  // pacing (arrival) state
  private paceT0 = 0;
  private paceMs = 0;
  private lastArrival = -Infinity;
  private clearedSinceArrival = false;
  private readonly left: Int16Array[] = [];
  private readonly right: Int16Array[] = [];

  constructor(private readonly options: SimCallOptions) {
    this.protocol = protocolOf(options.url, options.protocol);
    this.callId = options.callId ?? randomBytes(8).toString('hex');
    const rate = this.protocol === 'twilio' ? 8000 : (options.sampleRate ?? 8000);
    this.rate = rate;
    this.frameSamples = (rate * TICK_MS) / 1000;
    this.recording = options.outDir !== undefined;
    this.script = options.script ?? DEFAULT_SCRIPT;
    this.leg =
      this.protocol === 'twilio'
        ? new TwilioLeg(this.callId, options.customParameters ?? {})
        : new AudioStreamLeg(rate as 8000 | 16000, options.metadata === undefined ? { callId: this.callId, sampleRate: rate } : options.metadata);
    this.far =
      this.protocol === 'twilio'
        ? new TwilioFarEnd(this.frameSamples, this.recording)
        : new ModuleFarEnd(rate, this.recording, options.moduleBufferMs, options.moduleMinFillMs);
    const seed = options.seed ?? 7;
    this.voice = new CallerVoice(options.wavPath ? wavClip(options.wavPath, rate) : synthClip(rate, seed), options.wavPath ? 0 : seed);
    this.silence = silenceClip(rate);
    this.done = new Promise((r) => (this.resolve = r));
  }

  /** Connect and run the script. */
  start(): this {
    const headers: Record<string, string> = {};
    if (this.options.token) headers['Authorization'] = `Bearer ${this.options.token}`;
    const ws = new WebSocket(this.options.url, { headers, perMessageDeflate: this.protocol === 'audio-stream' });
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
      if (!this.failure) this.failure = /Unexpected server response: (\d+)/.exec(err.message) ? `refused: HTTP ${/(\d+)$/.exec(err.message)![1]}` : `socket: ${err.message}`;
    });
    ws.on('close', (code, reason) => {
      this.event('closed', `${code}${reason.length ? ` ${reason.toString()}` : ''}`);
      if (!this.hungUp && !this.failure) this.failure = `server closed the call (${code}) during step ${this.step + 1}/${this.script.length}`;
      this.finish();
    });
    setTimeout(() => {
      if (this.finished) return;
      this.failure ??= 'max call time exceeded';
      this.hangup();
    }, this.options.maxCallMs ?? 60_000).unref();
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

  /** Agent audio heard in the current run, ms (what a barge-in offset is measured against). */
  get heardRunMs(): number {
    return (this.runHeard / this.rate) * 1000;
  }

  /** Raw per-frame lateness samples (ms), for aggregation across calls. */
  latenessSamples(): readonly number[] {
    return this.lateness;
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
    const pcm = clip.frames[index]!;
    this.send(this.leg.audio(clip, index));
    this.framesSent++;
    if (speaking) {
      this.speakLeft -= TICK_MS;
      if (this.speakLeft <= 0) this.endSpeech();
    }
    // 2. the far side plays one frame
    const t = this.far.tick();
    for (const name of t.echoes) {
      const f = this.leg.markEcho(name);
      if (f) this.send(f);
      this.marksEchoed++;
    }
    this.account(t.played);
    if (this.recording) {
      this.left.push(pcm);
      this.right.push(t.frame ?? new Int16Array(this.frameSamples));
    }
    // 3. the script
    this.advanceScript();
    if (this.now > (this.options.maxCallMs ?? 60_000) + 5000) this.finish();
  }

  private account(played: number): void {
    this.heardSamples += played;
    if (played > 0) {
      this.stepHeard += played;
      this.quietMs = 0;
      if (!this.runActive) {
        this.runActive = true;
        this.runHeard = 0;
        this.starved = 0;
        this.event('agent_audio_start');
      }
      if (this.starved > 0) {
        // audio came back within the run: the gap was an underrun
        this.underruns++;
        this.underrunSamples += this.starved;
        this.starved = 0;
      }
      this.runHeard += played;
      this.runQuietTicks = 0;
      if (played < this.frameSamples) this.starved += this.frameSamples - played;
      return;
    }
    this.quietMs += TICK_MS;
    if (!this.runActive) return;
    this.starved += this.frameSamples;
    if (++this.runQuietTicks * TICK_MS >= RUN_GAP_MS) this.endRun();
  }

  private endRun(at = this.now): void {
    if (!this.runActive) return;
    this.runActive = false;
    this.starved = 0;
    this.event('agent_audio_end', `${Math.round(this.heardRunMs)} ms heard`, at);
  }

  // ---- script --------------------------------------------------------------------------------

  private nextStep(): void {
    this.step++;
    this.stepStart = this.now;
    this.stepHeard = 0;
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
    switch (s.kind) {
      case 'say':
        if (this.speakLeft <= 0) this.nextStep();
        return;
      case 'silence':
        if (elapsed >= s.ms) this.nextStep();
        return;
      case 'listen': {
        if (this.stepHeard > 0 && this.quietMs >= (s.quietMs ?? 600)) this.nextStep();
        else if (elapsed >= (s.timeoutMs ?? 15_000)) {
          if (this.stepHeard === 0) this.failure ??= `listen timed out with no agent audio (step ${this.step + 1})`;
          this.nextStep();
        }
        return;
      }
      case 'barge': {
        if (this.speakLeft > 0) return; // speaking over the agent
        const active = this.barges[this.barges.length - 1];
        if (active?.speaking === false && this.step === this.bargeStep) {
          this.nextStep();
          return;
        }
        if (this.runActive && this.heardRunMs >= s.afterMs) {
          this.bargeStep = this.step;
          this.barges.push({ speechStartMs: this.now, heardAtSpeechMs: this.heardRunMs, stale: 0, speaking: true });
          this.beginSpeech(s.sayMs, true);
        } else if (elapsed >= (s.timeoutMs ?? 15_000)) {
          this.failure ??= `barge-in timed out waiting for ${s.afterMs} ms of agent audio (step ${this.step + 1})`;
          this.nextStep();
        }
        return;
      }
      default:
        return;
    }
  }

  private beginSpeech(ms: number, bargeIn: boolean): void {
    this.speakLeft = ms;
    this.turns.push({ index: this.turns.length, bargeIn, speechStartMs: this.now });
    this.event('speech_start', bargeIn ? `barge-in after ${Math.round(this.heardRunMs)} ms of agent audio` : undefined);
  }

  private endSpeech(): void {
    this.speakLeft = 0;
    const turn = this.turns[this.turns.length - 1];
    if (turn) turn.speechEndMs = this.now + TICK_MS;
    const barge = this.barges[this.barges.length - 1];
    if (barge?.speaking) {
      barge.speaking = false;
      barge.heardMs ??= this.heardRunMs;
    }
    this.event('speech_end');
  }

  // ---- from Parley ---------------------------------------------------------------------------

  private onMessage(data: string | Buffer, isBinary: boolean): void {
    if (this.finished) return;
    const now = performance.now() - this.t0;
    const inc: Incoming = this.leg.parse(data, isBinary, this.recording);
    switch (inc.kind) {
      case 'audio':
        return this.onAudio(inc.samples, inc.pcm, now);
      case 'mark':
        this.marksSent++;
        this.far.pushMark(inc.name);
        return;
      case 'clear': {
        this.clears++;
        const returned = this.far.clear();
        for (const name of returned) {
          const f = this.leg.markEcho(name);
          if (f) this.send(f);
        }
        this.marksEchoed += returned.length;
        const barge = this.barges[this.barges.length - 1];
        if (barge && barge.clearAtMs === undefined) {
          barge.clearAtMs = now;
          barge.heardMs = this.heardRunMs;
        }
        this.event('clear', returned.length > 0 ? `${returned.length} pending marks returned unplayed` : undefined, now);
        this.endRun(now);
        this.clearedSinceArrival = true;
        return;
      }
      case 'error':
        this.protocolErrors++;
        if (this.protocolErrors <= PROTOCOL_ERRORS_IN_TIMELINE) this.event('protocol_error', inc.detail, now);
        return;
    }
  }

  private onAudio(samples: number, pcm: Int16Array | undefined, now: number): void {
    this.framesReceived++;
    this.agentSamples += samples;
    const durMs = (samples / this.rate) * 1000;
    // Lateness against real-time pacing with a lead, anchored at the start of each arrival run.
    if (this.clearedSinceArrival || now - this.lastArrival > RUN_GAP_MS) {
      this.paceT0 = now;
      this.paceMs = 0;
      this.clearedSinceArrival = false;
    }
    const expected = this.paceT0 + Math.max(0, this.paceMs - (this.options.leadMs ?? 80));
    this.lateness.push(Math.max(0, now - expected));
    this.paceMs += durMs;
    this.lastArrival = now;
    if (this.options.recordFrames) this.frames.push([Math.round(now * 10) / 10, durMs]);
    const turn = this.turns[this.turns.length - 1];
    if (turn?.speechEndMs !== undefined && turn.firstAgentAudioMs === undefined && now >= turn.speechEndMs) turn.firstAgentAudioMs = now;
    const barge = this.barges[this.barges.length - 1];
    if (barge?.speaking && barge.clearAtMs !== undefined) barge.stale++;
    this.far.pushAudio(pcm ?? samples);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private send(f: OutFrame): void {
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(f.data, { binary: f.binary });
  }

  private event(kind: TimelineKind, detail?: string, at = this.now): void {
    if (this.timeline.length >= TIMELINE_LIMIT) return;
    const e: TimelineEvent = { t: Math.round(at * 10) / 10, kind, ...(detail !== undefined ? { detail } : {}) };
    this.timeline.push(e);
    this.options.onTimeline?.(e);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.untick?.();
    if (this.ws && this.ws.readyState !== this.ws.CLOSED) this.ws.terminate();
    if (!this.scriptDone && !this.failure) this.failure = `ended at step ${this.step + 1}/${this.script.length}`;
    this.resolve(this.report());
  }

  private report(): CallReport {
    const ms = (samples: number) => Math.round((samples / this.rate) * 1000);
    const turns: TurnRecord[] = this.turns.map((t) => ({
      index: t.index,
      bargeIn: t.bargeIn,
      speechStartMs: round(t.speechStartMs),
      speechEndMs: round(t.speechEndMs ?? this.now),
      ...(t.firstAgentAudioMs !== undefined
        ? { firstAgentAudioMs: round(t.firstAgentAudioMs), responseLatencyMs: round(t.firstAgentAudioMs - (t.speechEndMs ?? this.now)) }
        : {}),
    }));
    const bargeIns: BargeInRecord[] = this.barges.map((b) => ({
      speechStartMs: round(b.speechStartMs),
      heardAtSpeechMs: round(b.heardAtSpeechMs),
      ...(b.clearAtMs !== undefined ? { clearAtMs: round(b.clearAtMs), cutoffLatencyMs: round(b.clearAtMs - b.speechStartMs) } : {}),
      heardMs: round(b.heardMs ?? b.heardAtSpeechMs),
      staleFramesAfterClear: b.stale,
    }));
    const report: CallReport = {
      callId: this.callId,
      protocol: this.protocol,
      ok: this.failure === undefined,
      ...(this.failure !== undefined ? { failure: this.failure } : {}),
      durationMs: round(this.now),
      framesSent: this.framesSent,
      ticksSkipped: this.ticksSkipped,
      framesReceived: this.framesReceived,
      agentAudioMs: ms(this.agentSamples),
      heardMs: ms(this.heardSamples),
      lateness: percentiles(this.lateness),
      underruns: this.underruns,
      underrunMs: ms(this.underrunSamples),
      marksSent: this.marksSent,
      marksEchoed: this.marksEchoed,
      clears: this.clears,
      alignmentLossMs: ms(this.far.alignmentLoss),
      overflowDropMs: ms(this.far.overflowDrop),
      protocolErrors: this.protocolErrors,
      turns,
      bargeIns,
      timeline: this.timeline,
      ...(this.options.recordFrames ? { frames: this.frames } : {}),
    };
    return this.options.outDir ? this.write(report, this.options.outDir) : report;
  }

  private write(report: CallReport, dir: string): CallReport {
    mkdirSync(dir, { recursive: true });
    const wavPath = join(dir, `${this.callId}.wav`);
    const timelinePath = join(dir, `${this.callId}.json`);
    const n = this.left.length * this.frameSamples;
    const stereo = new Int16Array(n * 2);
    for (let f = 0; f < this.left.length; f++) {
      const l = this.left[f]!;
      const r = this.right[f]!;
      for (let i = 0; i < this.frameSamples; i++) {
        stereo[2 * (f * this.frameSamples + i)] = l[i] ?? 0;
        stereo[2 * (f * this.frameSamples + i) + 1] = r[i] ?? 0;
      }
    }
    writeWav(wavPath, { sampleRate: this.rate, channels: 2, samples: stereo });
    const withPaths = { ...report, wavPath, timelinePath };
    writeFileSync(timelinePath, JSON.stringify(withPaths, null, 2));
    return withPaths;
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

/** ws keeps its net.Socket in `_socket` (not in its public types); used only to cork a tick's writes. */
function socketOf(ws: WebSocket | undefined): { cork(): void; uncork(): void } | undefined {
  const s = (ws as unknown as { _socket?: { cork?: unknown; uncork?: unknown } } | undefined)?._socket;
  return s && typeof s.cork === 'function' && typeof s.uncork === 'function' ? (s as { cork(): void; uncork(): void }) : undefined;
}

/** Run one call to completion. */
export function simCall(options: SimCallOptions): Promise<CallReport> {
  return new SimCall(options).start().done;
}
