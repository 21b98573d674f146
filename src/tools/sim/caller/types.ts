// The simulated caller's public surface: options, the script, and the JSON it reports.
import type { TelephonyProtocol } from '../../../telephony/types.js';
import type { MarkReport } from './mark-listener.js';

export type { MarkReport } from './mark-listener.js';

/**
 * One step of a call script:
 * - say: the caller speaks for `ms` (synthesized speech-like bursts, or the next `ms` of the WAV);
 * - silence: the caller is silent for `ms` (silence frames keep flowing, like a real leg);
 * - listen: wait until the agent has spoken and then been quiet for `quietMs` (default 600 ms),
 *   or `timeoutMs` (default 15 s) passes;
 * - barge: wait until `afterMs` of the agent's audio has been heard, then speak for `sayMs`;
 * - dtmf: press a key: in band where the platform's stream carries DTMF (Twilio and the other
 *   report platforms), through `keypad` where it does not (audio-stream: FreeSWITCH reports keys
 *   on its event socket — sim-call's fake ESL);
 * - await_hangup: wait for the far side to end the call (the agent's end_call), at most
 *   `timeoutMs` (default 15 s); the call then ends without the caller hanging up;
 * - hangup: end the call (Twilio `stop`; audio-stream closes the socket).
 */
export type ScriptStep =
  | { readonly kind: 'say'; readonly ms: number }
  | { readonly kind: 'silence'; readonly ms: number }
  | { readonly kind: 'listen'; readonly quietMs?: number; readonly timeoutMs?: number }
  | { readonly kind: 'barge'; readonly afterMs: number; readonly sayMs: number; readonly timeoutMs?: number }
  | { readonly kind: 'dtmf'; readonly digit: string }
  | { readonly kind: 'await_hangup'; readonly timeoutMs?: number }
  | { readonly kind: 'hangup' };

export interface SimCallOptions {
  /** ws://host:port/twilio or ws://host:port/audio-stream (query allowed). */
  readonly url: string;
  /** Default: from the URL path ('/audio-stream' → audio-stream, else twilio). */
  readonly protocol?: TelephonyProtocol;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** audio-stream, Telnyx, Plivo, Exotel, Asterisk sample rate (default 8000); Twilio is always µ-law 8 kHz. */
  readonly sampleRate?: 8000 | 16000;
  /** Telnyx, Plivo, Asterisk wire codec (default µ-law at 8 kHz, 16-bit linear at 16 kHz). */
  readonly codec?: 'mulaw' | 'alaw' | 'pcm16';
  /** Default: say 1200, listen, say 800, barge 600/1000, listen, hangup. */
  readonly script?: readonly ScriptStep[];
  /** PCM16 WAV to take the caller's speech from (any rate, mono or stereo). */
  readonly wavPath?: string;
  /** Twilio customParameters (start.customParameters). */
  readonly customParameters?: Readonly<Record<string, string>>;
  /** audio-stream metadata object for the first text frame; null sends none. Default {callId}. */
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** Where to write `<callId>.wav` (stereo: caller | heard) and `<callId>.json` (timeline). */
  readonly outDir?: string;
  /**
   * Lead assumed when computing outbound frame lateness. Default: each run's observed initial
   * burst (audio arriving within 5 ms of the run's first frame), i.e. lateness is jitter against
   * real-time pacing with the lead the bridge actually used.
   */
  readonly leadMs?: number;
  /** audio-stream module buffer (default 5000 ms) and minimum fill (default 60 ms). */
  readonly moduleBufferMs?: number;
  readonly moduleMinFillMs?: number;
  /** Give up on the whole call after this long (default 60 s). */
  readonly maxCallMs?: number;
  /** Seed for the synthesized voice (default 7). */
  readonly seed?: number;
  /** Keep every inbound frame's arrival in the timeline (default false; large). */
  readonly recordFrames?: boolean;
  /** Call id; default generated. */
  readonly callId?: string;
  /**
   * Listen for marked speech (the TTS stand-ins' `marked` voice): the texts the agent's replies
   * say; the report then counts duplicates, reorderings and missing audio per answer.
   */
  readonly marks?: { readonly replies: readonly (readonly string[])[] };
  /**
   * Presses a key where the leg's stream cannot carry one (audio-stream): `uuid` is the channel
   * the call's metadata names. sim-call's `--fake-esl` passes its fake event socket's pressDigit.
   */
  readonly keypad?: (uuid: string, digit: string) => void;
  /** Called with each timeline event as it happens (live progress for demos and tests). */
  readonly onTimeline?: (e: TimelineEvent) => void;
}

export type TimelineKind =
  | 'connected'
  | 'speech_start'
  | 'speech_end'
  | 'agent_audio_start'
  | 'agent_audio_end'
  | 'clear'
  | 'mark_echo'
  | 'dtmf'
  | 'hangup'
  | 'closed'
  | 'protocol_error'
  | 'platform_action';

/** Milliseconds since the call connected. */
export interface TimelineEvent {
  readonly t: number;
  readonly kind: TimelineKind;
  readonly detail?: string;
}

export interface TurnRecord {
  readonly index: number;
  readonly bargeIn: boolean;
  readonly speechStartMs: number;
  readonly speechEndMs: number;
  /** Arrival of the first agent audio after this turn's speech ended (undefined if none). */
  readonly firstAgentAudioMs?: number;
  /** speechEnd → first agent audio. */
  readonly responseLatencyMs?: number;
}

export interface BargeInRecord {
  readonly speechStartMs: number;
  /** Heard agent audio of the interrupted run when the caller started to speak. */
  readonly heardAtSpeechMs: number;
  /** When the clear (Twilio clear / audio-stream clear:true) arrived; undefined if it never did. */
  readonly clearAtMs?: number;
  /** speechStart → clear. */
  readonly cutoffLatencyMs?: number;
  /** Agent audio heard of the interrupted run in all (what truncation should report). */
  readonly heardMs: number;
  /**
   * Of heardMs, audio of an earlier response the far side still held when this one began and
   * played at its start (mod_audio_stream's stranded tail under its 60 ms minimum fill).
   */
  readonly carriedOverMs: number;
  /** Agent audio the far side held when the caller started to speak (what a clear would drop). */
  readonly queuedAtSpeechMs: number;
  /** Agent audio frames that arrived while the caller spoke, before any clear. */
  readonly framesBeforeClear: number;
  /** The caller finished this speech (false: the call ended while the caller was speaking). */
  readonly speechEnded: boolean;
  /** Audio frames that arrived after the clear while the caller was still speaking (should be 0). */
  readonly staleFramesAfterClear: number;
  /** Arrival (call ms) of the first of them: the bench matches it against what Parley sent. */
  readonly firstStaleAtMs?: number;
}

/** Gaps in agent audio at which one response ended and the next began (arrival side). */
export interface BetweenResponses {
  readonly count: number;
  /** The caller finished a turn in the gap. */
  readonly afterCallerTurn: number;
  /** A clear cut the earlier response. */
  readonly afterClear: number;
  /** Neither: a silence longer than RESPONSE_GAP_MS (a response Parley started, or a very long stall). */
  readonly unprompted: number;
  readonly gapMs: Percentiles;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CallReport {
  readonly callId: string;
  readonly protocol: TelephonyProtocol;
  readonly ok: boolean;
  /** Why the call did not complete its script, when it did not. */
  readonly failure?: string;
  readonly durationMs: number;
  readonly framesSent: number;
  /** 20 ms ticks this process was too busy to run (no frame sent, no playout): generator overload. */
  readonly ticksSkipped: number;
  readonly framesReceived: number;
  readonly agentAudioMs: number;
  readonly heardMs: number;
  /**
   * Outbound (Parley → caller) frame lateness over whole responses (responses.ts says where one
   * ends): for frame k of a response that began at t0 with P_k ms of audio before it,
   * max(0, arrival − (t0 + max(0, P_k − lead))). A stall inside a response makes every later frame
   * of it late by the stall.
   */
  readonly lateness: Percentiles;
  /** Median initial burst of the responses (ms): the lead the bridge actually kept. */
  readonly observedLeadMs: number;
  /** Times the far side's buffer ran dry inside a response (audio of the same response came back). */
  readonly underruns: number;
  readonly underrunMs: number;
  /** The silences between responses: not lateness, not underruns, reported on their own. */
  readonly betweenResponses: BetweenResponses;
  readonly marksSent: number;
  readonly marksEchoed: number;
  readonly clears: number;
  /** audio-stream: audio lost to the module's 20 ms alignment and buffer overflow. */
  readonly alignmentLossMs: number;
  readonly overflowDropMs: number;
  /** Messages the far side would have flagged (Twilio 31951-style; audio-stream non-audio JSON). */
  readonly protocolErrors: number;
  readonly turns: readonly TurnRecord[];
  readonly bargeIns: readonly BargeInRecord[];
  readonly timeline: readonly TimelineEvent[];
  /** Arrival (ms) and duration (ms) of each inbound frame, when recordFrames. */
  readonly frames?: readonly (readonly [number, number])[];
  /**
   * When the far side ended the call (the agent hung up): what the caller heard of the last agent
   * run (the goodbye) and what the far side still held unplayed when the call ended.
   */
  readonly goodbye?: GoodbyeReport;
  /** What the marks told, when listening for them. */
  readonly marks?: MarkReport;
  /** Paths written, when outDir was given. */
  readonly wavPath?: string;
  readonly timelinePath?: string;
}

export interface GoodbyeReport {
  /** Agent audio heard in the last run before the end, ms. */
  readonly heardMs: number;
  /** Agent audio that had arrived but was not yet played when the call ended, ms. */
  readonly unplayedMs: number;
  /**
   * The goodbye's frames missing at the far side: 20 ms frames (rounded up) of the unplayed audio
   * up to its last sample that is not digital silence (all of it when the call keeps no samples).
   */
  readonly missingFrames: number;
}

export interface LoadOptions extends SimCallOptions {
  readonly calls: number;
  /** Spread call starts over this many ms (default 20 ms per call, max 10 s). */
  readonly rampMs?: number;
}

export interface LoadSummary {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly lateness: Percentiles;
  readonly underruns: number;
  readonly underrunMs: number;
  /** Summed over the calls; maxGapMs is the longest silence between two responses of any call. */
  readonly betweenResponses: Omit<BetweenResponses, 'gapMs'> & { readonly maxGapMs: number };
  readonly bargeIns: number;
  readonly cutoffLatency: Percentiles;
  readonly responseLatency: Percentiles;
  readonly staleFramesAfterClear: number;
  readonly protocolErrors: number;
  readonly wallMs: number;
  /** The load generator's own timekeeping: 20 ms ticks it had to skip because it was too busy. */
  readonly generator: { readonly ticksSkipped: number; readonly maxTickLateMs: number; readonly cpuPct: number };
}
