// The parts of one call that its inputs (in/) and effects (effects/) share: what the call was
// given (deps, the socket), what it opens once the call starts (media call, far-side model,
// encoder, feeds, AI client) and the little the runtime must remember between machine steps
// (the AI connection's generations, the item playing, a barge-in being measured). The call
// (call.ts) owns it; nothing else keeps a reference after the call has ended.
import type { AiClient } from '../ai/types.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import type { ParleyConfig } from '../config/index.js';
import type { AudioFormat, MediaCall, MediaEngine } from '../media/types.js';
import type { CallEndReason, CallTrace, DropReason, Logger, Metrics } from '../obs/index.js';
import { platformOf, type CallStart, type FarSideModel, type InboundDecoder, type Platform } from '../telephony/index.js';
import type { SessionTimer } from '../../machines/session.js';
import type { TurnContext } from '../../machines/turn.js';
import type { CaptureFeed } from './feeds/captureFeed.js';
import type { PlayoutFeed } from './feeds/playoutFeed.js';
import type { TelephonyOut } from './feeds/telephonyOut.js';
import { ItemTable } from './items.js';
import { ConversationMemory } from './memory.js';
import type { CallConnection } from './seam.js';
import type { CallActors } from './system.js';
import { ToolCallRuns } from './toolCalls.js';
import { chooseProfile, type CallProfile } from './profile.js';
import { CallControlRuns, type PlatformDrivers } from './callControl.js';
import type { ToolRegistry } from '../functions/registry.js';
import { NO_OBSERVER, type CallObserver, type CallRecorder } from '../records/index.js';

export interface CallDeps {
  readonly config: ParleyConfig;
  readonly engine: MediaEngine;
  /** A fresh AI client for this call (URL, key and batching already applied). */
  readonly createAiClient: (inputFormat: AudioFormat) => AiClient;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly openTrace: (connId: string, protocol: string) => CallTrace;
  /** Randomness for backoff jitter, in [0, 1); Math.random unless a test seeds it. */
  readonly random?: () => number;
  /** The functions the model may call (config `tools:`); none when absent. */
  readonly tools?: ToolRegistry;
  /** How calls are hung up and transferred (Twilio REST, FreeSWITCH ESL); defaults when absent. */
  readonly platform?: PlatformDrivers;
  /** The call record (transcripts, events, recording); nothing is recorded when absent. */
  readonly records?: CallRecorder;
}

/** The parts opened when the call starts (session's startAiLink); all or nothing. */
export interface OpenParts {
  readonly start: CallStart;
  readonly aiFormat: AudioFormat;
  readonly media: MediaCall;
  readonly farSide: FarSideModel;
  readonly out: TelephonyOut;
  readonly playoutFeed: PlayoutFeed;
  readonly captureFeed: CaptureFeed;
  readonly ai: AiClient;
}

/** What the runtime knows about a barge-in while it is being measured. */
export interface BargeIn {
  readonly speechAt: number;
  clearAt?: number;
  flushRequestedAt?: number;
}

/** The playout position as the runtime tracks it for SPEECH_STARTED and the drain report. */
export interface PlayoutPosition {
  /** Item of the last frame sent, and the first item queued, in the current epoch. */
  playingItem: number | undefined;
  firstQueuedItem: number | undefined;
  /** The core's ring ran dry (caught up) in this epoch; PLAYOUT_DRAINED waits for the rest. */
  drainPending: { epoch: number } | undefined;
  /** The give-up notice is queued: its drain ends the call. */
  noticeQueued: boolean;
  /** The active response is done but some of its audio still waits in the JS backlog. */
  endPending: boolean;
  /** The module's tail was padded for this drain (cleared by the next write). */
  tailPadded: boolean;
  /** The ring ran dry since the last frame was sent (an underrun then is the AI's). */
  ranDry: boolean;
}

let connSeq = 0;

export class CallParts {
  readonly connId: string;
  readonly protocol: CallConnection['protocol'];
  /** The call's platform: its far-side kind and descriptor fields are the policy inputs. */
  readonly platform: Platform;
  callId: string;
  log: Logger;
  readonly trace: CallTrace;
  readonly decoder: InboundDecoder;
  readonly items = new ItemTable();
  readonly memory = new ConversationMemory();
  readonly toolCalls: ToolCallRuns = new ToolCallRuns(this);
  readonly callControl: CallControlRuns = new CallControlRuns(this);
  readonly random: () => number;
  /** The agent profile answering the call: `default` until the telephony `start` names one. */
  profile: CallProfile;
  /**
   * The greeting: sent once on the first open link (never after a reconnect); `holdPending` until
   * the provider created its response when it may not be interrupted; `item` its audio item.
   */
  readonly greeting: { sent: boolean; holdPending: boolean; item: number | undefined } = { sent: false, holdPending: false, item: undefined };
  /** The call record's hook: told what the call did (src/records). */
  readonly observer: CallObserver;

  /** Set by the telephony `start`; the rest opens with it in startAiLink. */
  start: CallStart | undefined;
  open: OpenParts | undefined;
  aiUnsubscribe: (() => void) | undefined;
  /** The AI connection the machine's generation maps to (client generations are the socket's). */
  link: { machineGen: number; clientGen: number } | undefined;

  readonly sessionTimers = new Map<SessionTimer, TimerHandle>();
  reconnectTimer: TimerHandle | undefined;
  startTimeout: TimerHandle | undefined;
  /** An end reason the session machine does not know (start timeout, media refused). */
  endOverride: CallEndReason | undefined;
  cleanupBegun = false;

  readonly playout: PlayoutPosition = { playingItem: undefined, firstQueuedItem: undefined, drainPending: undefined, noticeQueued: false, endPending: false, tailPadded: false, ranDry: false };
  bargeIn: BargeIn | undefined;
  speechStoppedAt: number | undefined;
  /** Sequence of control commands (truncate/delete) sent to the AI: their event ids. */
  controlSeq = 0;
  lastPlayoutState: string | undefined;

  private actorsRef: CallActors | undefined;

  constructor(
    readonly conn: CallConnection,
    readonly deps: CallDeps,
    /** Ends the call (call.ts): stops the actors, closes the trace, resolves `ended`. */
    readonly finish: () => void,
  ) {
    this.protocol = conn.protocol;
    this.platform = platformOf(conn.protocol);
    this.connId = `${conn.protocol}-${Date.now().toString(36)}-${++connSeq}`;
    this.callId = this.connId;
    this.log = deps.log.child({ callId: this.callId, protocol: this.protocol });
    this.trace = deps.openTrace(this.connId, this.protocol);
    this.random = deps.random ?? Math.random;
    this.profile = chooseProfile(deps.config, {}).profile;
    this.observer = deps.records?.observe(this.connId) ?? NO_OBSERVER;
    const rate = Number(conn.url.searchParams.get('rate'));
    this.decoder = this.platform.createDecoder({
      maxMessageBytes: deps.config.limits.maxMessageBytes,
      url: conn.url,
      defaultSampleRate: rate === 16000 || rate === 8000 ? rate : deps.config.telephony.audioStreamRate,
    });
  }

  /** The call's machines; bound once, right after they are created from these parts' effects. */
  get actors(): CallActors {
    if (!this.actorsRef) throw new Error('call actors used before they were bound');
    return this.actorsRef;
  }

  bind(actors: CallActors): void {
    this.actorsRef = actors;
  }

  turnCtx(): TurnContext {
    return this.actors.turn.getSnapshot().context;
  }

  now(): number {
    return this.deps.clock.now();
  }

  drop(reason: DropReason, units: number, seconds: number): void {
    this.deps.metrics.drop(reason, units, seconds);
    this.observer.drop(reason, units);
  }
}
