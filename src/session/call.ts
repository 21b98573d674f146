// One call: the session, aiLink, turn and playout actors wired to the telephony socket, the
// media core and the AI client (DESIGN §2.2, §2.3). The machines decide; this file only turns
// sockets, timers and media-core events into machine events and performs the actions the
// machines name (CallEffects). Nothing here throws into a socket handler.
import type { AiClient, AiEvent, AiSessionConfig } from '../ai/types.js';
import { truncate as truncateCommand } from '../ai/openai/commands.js';
import type { ParleyConfig } from '../config/index.js';
import type { AudioFormat, MediaCall, MediaEngine, MediaEvent, PlayoutFrame } from '../media/types.js';
import { FRAME_MS } from '../media/types.js';
import type { CallEndReason, CallTrace, DropReason, Logger, Metrics } from '../obs/index.js';
import type { CallConnection, LiveCall } from '../server/types.js';
import {
  createDecoder,
  createEncoder,
  createFarSideModel,
  type CallStart,
  type FarSideModel,
  type InboundDecoder,
  type InboundEvent,
  type RawFrame,
  type Rejection,
} from '../telephony/index.js';
import type { EndReason, SessionTimer } from '../../machines/session.js';
import type { AiLinkContext } from '../../machines/aiLink.js';
import type { TurnContext, TurnEvent } from '../../machines/turn.js';
import type { PlayoutState } from '../generated/playout.js';
import { createCallActors, type CallActors, type CallEffects } from './actors.js';
import { CaptureFeed, type LinkMode } from './captureFeed.js';
import type { Clock, TimerHandle } from './clock.js';
import { ItemTable } from './items.js';
import { noticeAudio, noticeMs } from './notice.js';
import { PlayoutFeed } from './playoutFeed.js';
import { TelephonyOut } from './telephonyOut.js';
import { aiFormatFor, bytesPerMs } from './formats.js';
import { ConversationMemory } from './memory.js';

export interface CallDeps {
  readonly config: ParleyConfig;
  readonly engine: MediaEngine;
  /** A fresh AI client for this call (URL, key and batching already applied). */
  readonly createAiClient: (inputFormat: AudioFormat) => AiClient;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly openTrace: (connId: string, protocol: string) => CallTrace;
  /** Called once the call has ended and released everything. */
  readonly onEnded: (call: Call) => void;
}

/** Events a stale AI generation carries are translated to this (never matches a guard). */
const STALE_GENERATION = -1;
/** The give-up notice may take this much longer than its length to play out. */
const NOTICE_SLACK_MS = 2000;

const END_REASON: Readonly<Record<EndReason, CallEndReason>> = {
  hangup: 'hangup',
  stop: 'stop',
  socketError: 'socket_error',
  shutdown: 'shutdown',
  aiGaveUp: 'ai_gave_up',
};

let connSeq = 0;

/** What the runtime knows about a barge-in while it is being measured. */
interface BargeIn {
  readonly speechAt: number;
  clearAt?: number;
  flushRequestedAt?: number;
}

export class Call implements LiveCall, CallEffects {
  readonly connId: string;
  callId: string;
  readonly protocol: CallConnection['protocol'];
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  private log: Logger;
  private readonly trace: CallTrace;
  private readonly actors: CallActors;
  private readonly decoder: InboundDecoder;
  private readonly items = new ItemTable();
  private readonly memory = new ConversationMemory();

  private start: CallStart | undefined;
  private aiFormat: AudioFormat | undefined;
  private media: MediaCall | undefined;
  private ai: AiClient | undefined;
  private aiUnsubscribe: (() => void) | undefined;
  private out: TelephonyOut | undefined;
  private farSide: FarSideModel | undefined;
  private playoutFeed: PlayoutFeed | undefined;
  private captureFeed: CaptureFeed | undefined;

  private link: { machineGen: number; clientGen: number } | undefined;
  private readonly sessionTimers = new Map<SessionTimer, TimerHandle>();
  private reconnectTimer: TimerHandle | undefined;
  private startTimeout: TimerHandle | undefined;
  private endOverride: CallEndReason | undefined;
  private cleanupBegun = false;
  private endedFlag = false;

  /** The delta whose enqueueAudio is being decided (set around turn.send). */
  private pendingDelta: Buffer | undefined;
  /** Item of the last frame sent, and the first item queued, in the current epoch. */
  private playingItem: number | undefined;
  private firstQueuedItem: number | undefined;
  private bargeIn: BargeIn | undefined;
  private speechStoppedAt: number | undefined;
  private noticeQueued = false;
  private controlSeq = 0;
  /** The core's ring ran dry (caught up) in this epoch; PLAYOUT_DRAINED waits for the rest. */
  private drainPending: { epoch: number } | undefined;
  private lastPlayoutState: string | undefined;

  constructor(
    readonly conn: CallConnection,
    private readonly deps: CallDeps,
  ) {
    this.protocol = conn.protocol;
    this.connId = `${conn.protocol}-${Date.now().toString(36)}-${++connSeq}`;
    this.callId = this.connId;
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.log = deps.log.child({ callId: this.callId, protocol: this.protocol });
    this.trace = deps.openTrace(this.connId, this.protocol);
    const cfg = deps.config;
    const rate = Number(conn.url.searchParams.get('rate'));
    this.decoder = createDecoder(conn.protocol, {
      maxMessageBytes: cfg.limits.maxMessageBytes,
      defaultSampleRate: rate === 16000 || rate === 8000 ? rate : cfg.telephony.audioStreamRate,
    });
    this.actors = createCallActors(this, this.trace, {
      maxAttempts: cfg.reconnect.attempts,
      lookaheadMs: cfg.media.lookaheadMs,
      turn: { position: conn.protocol === 'twilio' ? 'marks' : 'delivered', bargeIn: true },
    });
    this.actors.playout.subscribe((s) => this.publishPlayoutState(String(s.value)));
    for (const a of [this.actors.playout, this.actors.turn, this.actors.aiLink, this.actors.session]) a.start();
    deps.metrics.callsActive.inc({ protocol: this.protocol });
    deps.metrics.callsTotal.inc({ protocol: this.protocol });
    this.startTimeout = deps.clock.setTimer(cfg.limits.startTimeoutMs, () => {
      if (this.actors.session.getSnapshot().value === 'connecting') {
        this.endOverride = 'start_timeout';
        this.log.warn('no start message in time; closing');
        this.actors.session.send({ type: 'STOP' });
      }
    });
    this.log.info({ remote: conn.remoteAddress }, 'telephony connected');
  }

  // ---- telephony inbound -------------------------------------------------------------------

  onMessage(data: RawFrame, isBinary: boolean): void {
    // The call is over: what the leg still sends is dropped, and counted (DESIGN §2.4).
    if (this.cleanupBegun) return this.drop('closed', 1, 0);
    const r = this.decoder.decode(data, isBinary);
    if (!r.ok) return this.rejected(r);
    for (const ev of r.events) this.inbound(ev);
  }

  private rejected(r: Rejection): void {
    this.deps.metrics.protocolRejections.inc({ protocol: this.protocol, reason: r.reason });
    this.trace.record('telephony', 'rejected', { data: { reason: r.reason, detail: r.detail } });
    this.log.debug({ reason: r.reason, detail: r.detail }, 'telephony message rejected');
  }

  private inbound(ev: InboundEvent): void {
    switch (ev.kind) {
      case 'start':
        return this.onStart(ev);
      case 'media': {
        this.deps.metrics.framesIn.inc({ protocol: this.protocol });
        const media = this.media;
        if (!media) return this.drop('closed', 1, 0);
        if (!this.actors.session.getSnapshot().hasTag('media.capture')) return;
        const w = media.writeCapture(ev.payload);
        if (w === 'full') this.drop('capture_full', 1, ev.payload.length / bytesPerMs(media.config.telephony));
        else if (w !== 'ok') this.drop('closed', 1, 0);
        return;
      }
      case 'mark':
        return this.onMark(ev.name);
      case 'dtmf':
        this.trace.record('telephony', 'dtmf', { data: { digit: ev.digit } });
        this.log.info({ digit: ev.digit }, 'dtmf');
        return;
      case 'stop':
        this.trace.record('telephony', 'stop');
        this.actors.session.send({ type: 'HANGUP' });
        return;
      case 'connected':
        this.trace.record('telephony', 'connected', { data: { protocol: ev.protocol, version: ev.version } });
        return;
      case 'text':
        this.trace.record('telephony', 'text', { data: { length: ev.text.length } });
        return;
    }
  }

  private onStart(start: CallStart): void {
    this.startTimeout?.cancel();
    this.start = start;
    this.callId = start.callId;
    this.log = this.deps.log.child({ callId: this.callId, protocol: this.protocol });
    this.trace.rename(start.callId);
    this.trace.record('telephony', 'start', {
      data: { callId: start.callId, streamId: start.streamId, format: start.format, implicit: start.implicit, connId: this.connId },
    });
    this.log.info({ format: start.format, params: Object.keys(start.customParameters) }, 'call started');
    this.actors.session.send({ type: 'CALL_STARTED' });
  }

  private onMark(name: string): void {
    const far = this.farSide;
    if (!far) return;
    const now = this.deps.clock.now();
    const outcome = far.onMark(name, now);
    const [epochText, itemText] = name.split('.');
    const epoch = Number(epochText);
    const item = Number(itemText);
    if (outcome === 'unknown' || !Number.isInteger(epoch) || !Number.isInteger(item)) {
      this.trace.record('telephony', 'mark.unknown', { data: { name } });
      return;
    }
    const itemId = this.items.idOf(item) ?? `#${item}`;
    // A cleared mark carries its (old) epoch: the turn machine ignores it (BI4).
    this.actors.turn.send({ type: 'MARK_ECHO', epoch, itemId, ms: far.heardMs(item, now) });
  }

  onSocketClose(code: number, reason: string): void {
    this.trace.record('telephony', 'socket.close', { data: { code, reason } });
    if (this.cleanupBegun) return;
    // audio-stream ends a call by closing; Twilio closes after `stop` (else it is a failure).
    const hangup = this.protocol === 'audio-stream' || this.decoder.stopped;
    this.actors.session.send({ type: hangup ? 'HANGUP' : 'SOCKET_ERROR' });
  }

  onSocketError(err: Error): void {
    this.trace.record('telephony', 'socket.error', { data: { message: err.message } });
    this.log.warn({ err: err.message }, 'telephony socket error');
    if (!this.cleanupBegun) this.actors.session.send({ type: 'SOCKET_ERROR' });
  }

  drain(): void {
    this.actors.session.send({ type: 'SHUTDOWN' });
  }

  /** Operator stop (API): ends the call like a hang-up, with reason 'stop'. */
  stop(): void {
    this.actors.session.send({ type: 'STOP' });
  }

  /** Operator pause / resume of caller capture (agent audio keeps playing). */
  pause(): void {
    this.actors.session.send({ type: 'PAUSE' });
  }

  resume(): void {
    this.actors.session.send({ type: 'RESUME' });
  }

  /** The call's machine actors, for inspection (the model-based tests read them): never send through this. */
  get machineActors(): CallActors {
    return this.actors;
  }

  forceClose(): void {
    this.log.error({ state: this.actors.session.getSnapshot().value }, 'call still alive after the drain deadline; forcing it closed');
    this.conn.ws.terminate();
    if (!this.cleanupBegun) this.actors.session.send({ type: 'STOP' });
    // Whatever is still pending (a media release that never came) is abandoned.
    this.finish();
  }

  // ---- media core --------------------------------------------------------------------------

  /** Once per media-thread wake-up: frames out, events in, caller audio on, backlog in. */
  onTick(): void {
    const media = this.media;
    if (!media || media.closed) return;
    const now = this.deps.clock.now();
    const frames = media.readPlayout();
    // One write per tick for the frames and their marks, not one per message.
    const uncork = frames.length > 0 ? this.conn.cork() : undefined;
    try {
      this.sendFrames(frames, media, now);
    } finally {
      uncork?.();
    }
    for (const e of media.events()) this.onMediaEvent(e, media, now);
    const captured = media.readCapture();
    if (captured.length > 0) this.captureFeed?.push(captured, this.linkMode());
    this.playoutFeed?.pump();
    this.reportDrainIfDone(now);
  }

  /** mod_audio_stream: push the end of the reply past the module's minimum-fill gate. */
  private flushModuleTail(media: MediaCall, now: number): void {
    if (this.protocol !== 'audio-stream' || !this.out) return;
    if (!this.actors.session.getSnapshot().hasTag('media.playout')) return;
    const fmt = media.config.telephony;
    const ms = Math.ceil(this.deps.config.telephony.audioStreamMinFillMs / FRAME_MS) * FRAME_MS;
    this.out.silence(Math.round(ms * bytesPerMs(fmt)), ms, media.epoch % this.turnCtx().epochModulus, now);
  }

  /**
   * Tells the turn machine the agent's audio is over (PLAYOUT_DRAINED) once the core's ring ran
   * dry with nothing written since, the response is no longer active (a mid-response gap is the
   * AI running late, not the end of the agent's turn), and the far side has played what it holds
   * (mod_audio_stream strands less than its minimum fill; that never plays on its own).
   */
  private reportDrainIfDone(now: number): void {
    const d = this.drainPending;
    const media = this.media;
    if (!d || !media) return;
    if (d.epoch !== media.epoch) {
      this.drainPending = undefined;
      return;
    }
    const turn = this.turnCtx();
    if (!this.noticeQueued && turn.activeResponse !== null) return;
    const queued = this.farSide?.queuedMs(now) ?? 0;
    const stranded = this.protocol === 'audio-stream' ? this.deps.config.telephony.audioStreamMinFillMs : 0;
    if (queued > 0 && queued >= stranded) return;
    this.drainPending = undefined;
    this.playingItem = undefined;
    this.firstQueuedItem = undefined;
    this.actors.turn.send({ type: 'PLAYOUT_DRAINED', epoch: d.epoch % turn.epochModulus, written: turn.written });
    if (this.noticeQueued) this.actors.session.send({ type: 'PLAYOUT_DRAINED' });
  }

  private sendFrames(frames: readonly PlayoutFrame[], media: MediaCall, now: number): void {
    const sent: string[] = [];
    for (const f of frames) {
      // Frames emitted between requestFlush and its execution belong to the old epoch: they
      // never leave Parley (the cut-off is the clear, not the media thread's next tick).
      if (f.epoch !== media.epoch) {
        this.drop('stale_epoch', 1, FRAME_MS / 1000);
        continue;
      }
      const ms = (f.samples / media.config.ai.rate) * 1000;
      const tEpoch = f.epoch % this.turnCtx().epochModulus;
      if (this.out?.frame(f.bytes, tEpoch, f.item, ms, now)) {
        this.deps.metrics.framesOut.inc({ protocol: this.protocol });
        if (f.samples > 0) this.playingItem = f.item;
        sent.push(this.items.idOf(f.item) ?? `#${f.item}`);
      } else this.drop(this.out?.open ? 'outbound_backpressure' : 'closed', 1, FRAME_MS / 1000); // a gone socket is not backpressure
    }
    // One trace line per tick for the frames that left Parley (trace validation checks them
    // against the machines: playout allowed, current epoch, not of a cut response).
    if (sent.length > 0) this.trace.record('media', 'frames', { data: { epoch: media.epoch, items: sent } });
  }

  private onMediaEvent(e: MediaEvent, media: MediaCall, now: number): void {
    switch (e.type) {
      case 'flushed': {
        this.trace.record('media', 'flushed', { data: { epoch: e.epoch, droppedSamples: e.droppedSamples, tick: e.tick } });
        this.actors.playout.send({ type: 'MEDIA_FLUSHED' });
        this.actors.turn.send({ type: 'MEDIA_FLUSHED', epoch: e.epoch % this.turnCtx().epochModulus });
        return;
      }
      case 'drained': {
        const caughtUp = e.readIndex === media.playoutWriteIndex() && (this.playoutFeed?.backlogEmpty ?? true);
        this.trace.record('media', 'drained', { data: { epoch: e.epoch, caughtUp, tick: e.tick } });
        if (this.turnCtx().activeResponse !== null && !this.noticeQueued) this.deps.metrics.underruns.inc({ cause: 'ai' });
        this.actors.playout.send({ type: 'MEDIA_DRAINED', caughtUp });
        if (caughtUp) {
          if (!this.drainPending) this.flushModuleTail(media, now);
          this.drainPending = { epoch: e.epoch };
          this.reportDrainIfDone(now);
        }
        return;
      }
      case 'underrun':
        this.deps.metrics.underruns.inc({ cause: 'parley' }, e.missedFrames);
        this.trace.record('media', 'underrun', { data: { missedFrames: e.missedFrames, tick: e.tick } });
        return;
      case 'prefilled':
        this.trace.record('media', 'prefilled', { data: { epoch: e.epoch, bufferedMs: e.bufferedMs, tick: e.tick } });
        return;
      case 'speech-start':
      case 'speech-stop':
        // Local VAD: informational; barge-in follows the AI's speech_started (the embedded
        // agent in local mode has its own server VAD, like OpenAI).
        this.trace.record('media', e.type, { data: { tick: e.tick, at: now } });
        return;
    }
  }

  private publishPlayoutState(state: string): void {
    if (state === this.lastPlayoutState) return;
    this.lastPlayoutState = state;
    if (this.media && !this.media.closed) this.media.setState(state as PlayoutState);
  }

  // ---- AI link -----------------------------------------------------------------------------

  private linkMode(): LinkMode {
    const s = this.actors.aiLink.getSnapshot();
    return s.hasTag('ai.send') ? 'send' : s.hasTag('ai.buffer') ? 'buffer' : 'down';
  }

  private generationOf(ev: AiEvent): number {
    return this.link !== undefined && ev.gen === this.link.clientGen ? this.link.machineGen : STALE_GENERATION;
  }

  private onAi(ev: AiEvent): void {
    const gen = this.generationOf(ev);
    const current = gen !== STALE_GENERATION;
    switch (ev.type) {
      case 'open':
        this.trace.record('ai', 'open', { data: { gen: ev.gen } });
        return;
      case 'session_created':
        // The link is open once the provider has created the session (its first event): an
        // error or close before it is a failed connect (AI_ERROR / AI_CLOSE while connecting).
        // The provider's session id ties the call to the provider's side (support, chaos runs).
        this.trace.record('ai', 'session_created', { data: { gen: ev.gen, sessionId: ev.sessionId.slice(0, 80) } });
        if (current && this.actors.aiLink.getSnapshot().context.everOpened) this.deps.metrics.reconnects.inc({ outcome: 'success' });
        this.actors.aiLink.send({ type: 'AI_OPEN', generation: gen });
        return;
      case 'closed': {
        const fatal = ev.error?.severity === 'fatal';
        this.trace.record('ai', 'closed', { data: { gen: ev.gen, code: ev.code, error: ev.error?.code, fatal } });
        // Caller audio batched for this socket when it went: lost to the gap (or to the call's end).
        if (ev.droppedAudioBytes > 0 && this.aiFormat) {
          this.drop(this.cleanupBegun ? 'closed' : 'reconnect_gap', 1, ev.droppedAudioBytes / bytesPerMs(this.aiFormat) / 1000);
        }
        if (current && !this.cleanupBegun) this.log.warn({ code: ev.code, error: ev.error?.code }, 'AI connection closed');
        this.actors.aiLink.send({ type: 'AI_CLOSE', generation: gen, fatal });
        return;
      }
      case 'ignored':
        // Malformed or unknown provider input, whatever its generation: counted, never acted on.
        this.deps.metrics.aiIgnored.inc({ reason: ev.why });
        this.trace.record('ai', 'ignored', { data: { why: ev.why, serverType: ev.serverType.slice(0, 80) } });
        return;
      case 'error': {
        const { severity, code, message } = ev.error;
        this.deps.metrics.aiErrors.inc({ kind: severity });
        this.trace.record('ai', 'error', { data: { gen: ev.gen, severity, code } });
        if (severity === 'benign') {
          this.log.debug({ code, message }, 'AI refused a request (benign)');
          return;
        }
        this.log.warn({ code, message, severity }, 'AI error');
        this.actors.aiLink.send({ type: 'AI_ERROR', generation: gen, fatal: severity === 'fatal' });
        return;
      }
      default:
        break;
    }
    if (!current) {
      this.trace.record('ai', 'stale', { data: { type: ev.type, gen: ev.gen } });
      return;
    }
    switch (ev.type) {
      case 'speech_started': {
        const now = this.deps.clock.now();
        this.trace.record('ai', 'speech_started', { data: { itemId: ev.itemId } });
        this.bargeIn = { speechAt: now };
        this.actors.turn.send({ type: 'SPEECH_STARTED', ...this.position(now) });
        return;
      }
      case 'speech_stopped':
        this.speechStoppedAt = this.deps.clock.now();
        this.trace.record('ai', 'speech_stopped', { data: { itemId: ev.itemId } });
        this.actors.turn.send({ type: 'SPEECH_STOPPED' });
        return;
      case 'response_created':
        this.trace.record('ai', 'response_created', { data: { responseId: ev.responseId } });
        this.actors.turn.send({ type: 'RESPONSE_CREATED', responseId: ev.responseId });
        return;
      case 'output_item_added':
        this.items.numberOf(ev.itemId, ev.gen);
        return;
      case 'audio_delta':
        this.pendingDelta = ev.audio;
        try {
          this.actors.turn.send({ type: 'AUDIO_DELTA', responseId: ev.responseId, itemId: ev.itemId });
        } finally {
          this.pendingDelta = undefined;
        }
        return;
      case 'transcript_delta':
        this.actors.turn.send({ type: 'TEXT_DELTA', responseId: ev.responseId });
        return;
      case 'transcript_done':
        if (this.turnCtx().activeResponse === ev.responseId) this.memory.add('assistant', ev.transcript);
        this.trace.record('ai', 'transcript', { data: { responseId: ev.responseId, chars: ev.transcript.length } });
        return;
      case 'input_transcript':
        this.memory.add('user', ev.transcript);
        return;
      case 'response_done':
        this.trace.record('ai', 'response_done', { data: { responseId: ev.responseId, status: ev.status } });
        if (this.turnCtx().activeResponse === ev.responseId) this.actors.playout.send({ type: 'END_OF_RESPONSE' });
        this.actors.turn.send({ type: 'RESPONSE_DONE', responseId: ev.responseId });
        return;
      case 'item_truncated':
        this.trace.record('ai', 'item_truncated', { data: { itemId: ev.itemId, audioEndMs: ev.audioEndMs } });
        return;
      case 'session_updated':
      case 'input_committed':
      case 'audio_done':
      case 'rate_limits':
        return;
    }
  }

  /** The playout position of the item playing (or queued first) for SPEECH_STARTED. */
  private position(now: number): { itemId: string | null; deliveredMs: number; sentMs: number } {
    const item = this.playingItem ?? this.firstQueuedItem;
    const itemId = item === undefined ? undefined : this.items.idOf(item);
    if (item === undefined || itemId === undefined || !this.farSide) return { itemId: null, deliveredMs: 0, sentMs: 0 };
    return { itemId, deliveredMs: this.farSide.heardMs(item, now), sentMs: this.items.received(item) };
  }

  private turnCtx(): TurnContext {
    return this.actors.turn.getSnapshot().context;
  }

  private sessionConfig(): AiSessionConfig {
    const c = this.deps.config.ai;
    const f = this.aiFormat ?? { codec: 'pcm16', rate: 24000 };
    return {
      instructions: c.instructions,
      voice: c.voice,
      inputFormat: f,
      outputFormat: f,
      turnDetection: { type: 'server_vad', interruptResponse: c.interruptResponse, createResponse: true },
      transcription: null,
    };
  }

  // ---- effects: session --------------------------------------------------------------------

  startAiLink(): void {
    const start = this.start;
    if (!start) return;
    const cfg = this.deps.config;
    const aiFormat = aiFormatFor(start.format);
    this.aiFormat = aiFormat;
    try {
      this.media = this.deps.engine.open({
        telephony: start.format,
        ai: aiFormat,
        lookaheadMs: cfg.media.lookaheadMs,
        playoutCapacityMs: cfg.media.playoutRingMs,
        captureCapacityMs: cfg.media.captureRingMs,
        // The TTS chain runs on every call of a cascade process (tts.dsp resolves to true there).
        playoutDsp: { gainDb: cfg.media.playoutGainDb, ttsChain: cfg.tts.dsp },
      });
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'media core refused the call');
      this.endOverride = 'error';
      queueMicrotask(() => this.actors.session.send({ type: 'STOP' }));
      return;
    }
    this.publishPlayoutState(String(this.actors.playout.getSnapshot().value));
    this.farSide = createFarSideModel(this.protocol, start.format, {
      moduleBufferMs: cfg.telephony.audioStreamBufferMs,
      moduleMinFillMs: cfg.telephony.audioStreamMinFillMs,
    });
    this.out = new TelephonyOut(this.conn.ws, createEncoder(this.protocol, start), this.farSide);
    const aiBpm = bytesPerMs(aiFormat);
    this.playoutFeed = new PlayoutFeed(this.media, aiFormat.codec === 'pcm16', {
      backlogBytes: Math.round(cfg.media.playoutBacklogMs * aiBpm),
      bytesPerMs: aiBpm,
      onDrop: (reason, bytes) => this.drop(reason, 1, bytes / aiBpm / 1000),
      onWritten: (bufferedMs) => {
        this.drainPending = undefined;
        this.actors.playout.send({ type: 'WRITE', bufferedMs });
      },
    });
    this.captureFeed = new CaptureFeed(() => this.ai, {
      gapBytes: Math.round(cfg.ai.gapBufferMs * aiBpm),
      sendBufferBytes: cfg.ai.sendBufferBytes,
      bytesPerMs: aiBpm,
      onDrop: (reason, units, ms) => this.drop(reason, units, ms / 1000),
    });
    this.ai = this.deps.createAiClient(aiFormat);
    this.aiUnsubscribe = this.ai.on((ev) => this.onAi(ev));
    this.actors.aiLink.send({ type: 'START' });
  }

  startTimer(timer: SessionTimer): void {
    this.sessionTimers.get(timer)?.cancel();
    const ms = timer === 'drainDeadline' ? this.deps.config.shutdown.drainMs : noticeMs() + this.deps.config.media.lookaheadMs + NOTICE_SLACK_MS;
    this.sessionTimers.set(
      timer,
      this.deps.clock.setTimer(ms, () => {
        this.sessionTimers.delete(timer);
        this.actors.session.send({ type: 'TIMER_FIRED', timer });
      }),
    );
  }

  playNotice(): void {
    this.deps.metrics.reconnects.inc({ outcome: 'gave_up' });
    const media = this.media;
    const fmt = this.aiFormat;
    if (this.deps.config.reconnect.giveUpNotice === 'none' || !media || !fmt || !this.playoutFeed) {
      queueMicrotask(() => this.actors.session.send({ type: 'PLAYOUT_DRAINED' }));
      return;
    }
    this.noticeQueued = true;
    const item = this.items.anonymous('notice');
    this.playoutFeed.write(noticeAudio(fmt), { epoch: media.epoch, item });
    this.actors.playout.send({ type: 'END_OF_RESPONSE' });
  }

  beginCleanup(): void {
    this.cleanupBegun = true;
    this.startTimeout?.cancel();
    this.actors.playout.send({ type: 'CLOSE' });
    this.actors.turn.send({ type: 'END' });
  }

  cancelTimers(): void {
    for (const t of this.sessionTimers.values()) t.cancel();
    this.sessionTimers.clear();
  }

  closeTelephony(reason: string | null): void {
    const ws = this.conn.ws;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      // The protocol's goodbye: closing the socket ends a Twilio stream (TwiML resumes) and a
      // mod_audio_stream session alike; 1001 says the server is going away.
      if (reason === 'shutdown') ws.close(1001, 'server shutting down');
      else if (this.endOverride === 'error') ws.close(1011, 'internal error');
      else ws.close(1000, this.endOverride ?? reason ?? 'call ended');
      const ws2 = ws;
      this.deps.clock.setTimer(2000, () => ws2.terminate());
    }
  }

  stopAiLink(): void {
    this.actors.aiLink.send({ type: 'STOP' });
  }

  requestMediaRelease(): void {
    const media = this.media;
    if (!media) {
      queueMicrotask(() => this.actors.session.send({ type: 'MEDIA_RELEASED' }));
      return;
    }
    media.close().then(
      () => this.actors.session.send({ type: 'MEDIA_RELEASED' }),
      (err: unknown) => {
        this.log.error({ err: String(err) }, 'media release failed');
        this.actors.session.send({ type: 'MEDIA_RELEASED' });
      },
    );
  }

  freeCall(): void {
    this.aiUnsubscribe?.();
    this.aiUnsubscribe = undefined;
    this.reconnectTimer?.cancel();
    this.playoutFeed?.flush();
    this.captureFeed?.discard('closed');
  }

  reportEnded(reason: string | null): void {
    const r = this.endOverride ?? END_REASON[(reason ?? 'stop') as EndReason] ?? 'error';
    this.deps.metrics.callsEnded.inc({ protocol: this.protocol, reason: r });
    this.trace.record('runtime', 'call.ended', { data: { reason: r } });
    this.log.info({ reason: r, framesOut: this.out?.framesSent ?? 0 }, 'call ended');
    this.finish();
  }

  private finish(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.startTimeout?.cancel();
    this.deps.metrics.callsActive.dec({ protocol: this.protocol });
    // Runs from inside the session's last step (reportEnded): let that step complete (and be
    // traced) before the actors stop and the trace closes.
    setImmediate(() => {
      for (const a of [this.actors.session, this.actors.aiLink, this.actors.turn, this.actors.playout]) a.stop();
      void this.trace.close().finally(() => {
        this.deps.onEnded(this);
        this.resolveEnded();
      });
    });
  }

  // ---- effects: aiLink ---------------------------------------------------------------------

  openConnection(ctx: AiLinkContext): void {
    if (!this.ai) return;
    const clientGen = this.ai.connect();
    this.link = { machineGen: ctx.generation, clientGen };
    this.trace.record('ai', 'connect', { data: { generation: ctx.generation, clientGen, attempt: ctx.attempt } });
  }

  configureSession(): void {
    this.ai?.updateSession(this.sessionConfig());
  }

  replayConversation(): void {
    const ai = this.ai;
    if (!ai) return;
    for (const m of this.memory.items()) {
      ai.sendRaw({
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: m.role,
          content: [{ type: m.role === 'user' ? 'input_text' : 'output_text', text: m.text }],
        },
      });
    }
  }

  flushCaptureBacklog(): void {
    if (this.captureFeed) this.captureFeed.linkEverOpened = true;
    this.captureFeed?.flushBacklog();
  }

  dropConnection(): void {
    // Detach first: whatever this socket reports from now on is stale by construction (AL1).
    this.link = undefined;
    this.ai?.close(1000, 'dropped');
  }

  scheduleReconnect(ctx: AiLinkContext): void {
    const { delaysMs, jitter } = this.deps.config.reconnect;
    const base = delaysMs[Math.min(ctx.attempt, delaysMs.length - 1)] ?? 1000;
    const delay = Math.max(0, Math.round(base * (1 + jitter * (2 * Math.random() - 1))));
    const generation = ctx.generation;
    this.reconnectTimer?.cancel();
    this.deps.metrics.reconnects.inc({ outcome: 'attempt' });
    this.trace.record('runtime', 'reconnect.scheduled', { data: { generation, attempt: ctx.attempt, delayMs: delay } });
    this.reconnectTimer = this.deps.clock.setTimer(delay, () => {
      this.reconnectTimer = undefined;
      this.actors.aiLink.send({ type: 'TIMER_FIRED', timer: 'reconnect', generation });
    });
  }

  reportLinkLost(): void {
    this.actors.turn.send({ type: 'AI_LINK_LOST' });
  }

  giveUp(): void {
    this.captureFeed?.discard('reconnect_gap');
    this.log.error('AI link gave up');
    this.actors.session.send({ type: 'AI_GAVE_UP' });
  }

  cancelReconnectTimer(): void {
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
  }

  reportStopped(): void {
    this.actors.session.send({ type: 'AI_STOPPED' });
  }

  // ---- effects: turn -----------------------------------------------------------------------

  enqueueAudio(_ctx: TurnContext, ev: Extract<TurnEvent, { type: 'AUDIO_DELTA' }>): void {
    const audio = this.pendingDelta;
    const media = this.media;
    if (!audio || !media || !this.playoutFeed || !this.aiFormat) return;
    const item = this.items.numberOf(ev.itemId, this.link?.clientGen);
    this.items.addReceived(item, audio.length / bytesPerMs(this.aiFormat));
    this.firstQueuedItem ??= item;
    if (this.speechStoppedAt !== undefined) {
      this.deps.metrics.aiFirstAudio.observe((this.deps.clock.now() - this.speechStoppedAt) / 1000);
      this.speechStoppedAt = undefined;
    }
    this.playoutFeed.write(audio, { epoch: media.epoch, item });
  }

  dropStaleAudio(): void {
    const bytes = this.pendingDelta?.length ?? 0;
    this.drop('cancelled_response', 1, this.aiFormat ? bytes / bytesPerMs(this.aiFormat) / 1000 : 0);
  }

  forwardText(): void {
    // Transcripts are kept for the reconnect replay (transcript_done); nothing is spoken here.
  }

  dropStaleText(): void {
    this.drop('cancelled_response', 1, 0);
  }

  requestFlush(ctx: TurnContext): void {
    const media = this.media;
    if (!media) return;
    const next = media.epoch + 1;
    if (next % ctx.epochModulus !== ctx.epoch) this.log.error({ media: next, turn: ctx.epoch }, 'playout epoch out of step with the turn machine');
    media.requestFlush(next);
    this.playoutFeed?.flush();
    this.drainPending = undefined;
    this.playingItem = undefined;
    this.firstQueuedItem = undefined;
    if (this.bargeIn) this.bargeIn.flushRequestedAt = this.deps.clock.now();
    this.actors.playout.send({ type: 'FLUSH' });
  }

  sendClear(): void {
    const now = this.deps.clock.now();
    this.out?.clear(now);
    if (this.bargeIn) this.bargeIn.clearAt = now;
  }

  sendCancel(ctx: TurnContext): void {
    if (ctx.cancelledResponse === null) return;
    const r = this.ai?.cancelResponse(ctx.cancelledResponse);
    this.trace.record('ai', 'cancel', { data: { responseId: ctx.cancelledResponse, result: r ?? 'no_client' } });
  }

  sendTruncate(ctx: TurnContext): void {
    const t = ctx.truncate;
    if (!t || !this.ai) return;
    // An item exists only in the conversation of the connection that produced it: after a
    // reconnect the new session has never heard of it (the provider would refuse the request).
    const source = this.items.sourceOf(t.itemId);
    if (source !== undefined && source !== this.link?.clientGen) {
      this.trace.record('ai', `${t.op}.skipped`, { data: { itemId: t.itemId, audioEndMs: t.ms, why: 'item of an earlier connection' } });
      return;
    }
    // The event id names the call, so a provider error about it (echoed with its event_id) and
    // an agent's record of it can be tied back to the call.
    const eventId = `${this.callId}.${t.op}.${++this.controlSeq}`;
    const r =
      t.op === 'truncate'
        ? this.ai.sendRaw({ ...truncateCommand(t.itemId, t.ms), event_id: eventId })
        : this.ai.sendRaw({ type: 'conversation.item.delete', item_id: t.itemId, event_id: eventId });
    this.trace.record('ai', t.op, { data: { itemId: t.itemId, audioEndMs: t.ms, result: r } });
  }

  reportBargeIn(ctx: TurnContext): void {
    const b = this.bargeIn;
    this.deps.metrics.bargeIns.inc({ protocol: this.protocol });
    if (b) {
      // Parley's part of the cut-off: speech_started in → clear out (no older frame leaves after).
      const cutoffMs = (b.clearAt ?? this.deps.clock.now()) - b.speechAt;
      this.deps.metrics.cutoffLatency.observe(cutoffMs / 1000);
      this.trace.record('runtime', 'barge_in', { data: { cutoffMs, epoch: ctx.epoch, truncate: ctx.truncate } });
    }
  }

  dropStaleMark(): void {
    // A mark echoed for a cleared epoch: it says nothing about what was heard (BI4).
  }

  // ---- effects: playout --------------------------------------------------------------------

  requestPlayoutFlush(): void {
    // Already posted to the media thread by the turn machine's requestFlush in the same step.
  }

  releasePlayout(): void {
    // The state word now says media.closing; the session's requestMediaRelease unregisters.
  }

  // ---- helpers -----------------------------------------------------------------------------

  private drop(reason: DropReason, units: number, seconds: number): void {
    this.deps.metrics.drop(reason, units, seconds);
  }
}
