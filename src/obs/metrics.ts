// Prometheus metrics (prom-client) in a registry of their own, so several servers can live in one
// process (tests, the demo). Every bounded queue's drops have a reason label here
// (docs/ARCHITECTURE.md#bounds: nothing is dropped without a counter).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FRAME_MS } from '../media/types.js';
import { mediaSaturation, type MediaLoadMark, type MediaLoadSource } from './saturation.js';

export type Protocol = 'twilio' | 'audio-stream';

/** Why a unit of audio or a message was dropped. Closed list so dashboards stay stable. */
export const DROP_REASONS = [
  'capture_full', // capture ring refused caller audio
  'playout_full', // playout ring refused agent audio
  'stale_epoch', // agent audio of an older playout epoch
  'cancelled_response', // deltas of a cancelled or unknown response (BI1)
  'ai_send_buffer', // caller audio over the AI socket's bufferedAmount threshold
  'reconnect_gap', // caller audio beyond the gap buffer while the AI link was down
  'ai_not_ready', // caller audio before the AI session was ready, beyond the gap buffer
  'rate_limit', // inbound telephony messages over the per-connection rate
  'closed', // audio arriving after the call stopped accepting it
  'trace_backpressure', // trace lines while the trace file could not keep up
  'outbound_backpressure', // frames the telephony socket could not take
  'invalid_audio', // agent audio the media core refused as malformed
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export const UNDERRUN_CAUSES = ['parley', 'ai'] as const;
export type UnderrunCause = (typeof UNDERRUN_CAUSES)[number];

export const CALL_END_REASONS = ['hangup', 'stop', 'socket_error', 'shutdown', 'ai_gave_up', 'ai_fatal', 'error', 'start_timeout', 'agent_ended', 'transferred', 'idle', 'max_duration'] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

export const REFUSAL_REASONS = [
  'not_found',
  'unauthorized', // no or a wrong bearer token (HTTP 401)
  'bad_signature', // an X-Twilio-Signature that does not verify (HTTP 403)
  'draining',
  'busy',
  'header_too_large', // request head over limits.maxHeaderBytes (HTTP 431)
  'bad_request', // a malformed HTTP request (HTTP 400)
  'upgrade_timeout', // no complete request within limits.upgradeTimeoutMs
  'per_ip_limit', // over limits.maxConnectionsPerIp open connections
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface MetricsOptions {
  /** Process metrics (CPU, RSS, GC, handles). On by default. */
  readonly processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly callsActive: Gauge<'protocol'>;
  readonly callsTotal: Counter<'protocol'>;
  readonly callsEnded: Counter<'protocol' | 'reason'>;
  readonly framesIn: Counter<'protocol'>;
  readonly framesOut: Counter<'protocol'>;
  readonly underruns: Counter<'cause'>;
  readonly sendUnderruns: Counter<'cause'>;
  readonly drops: Counter<'reason'>;
  readonly droppedAudio: Counter<'reason'>;
  readonly bargeIns: Counter<'protocol'>;
  readonly cutoffLatency: Histogram;
  readonly truncationError: Histogram;
  readonly reconnects: Counter<'outcome'>;
  readonly aiFirstAudio: Histogram;
  readonly aiErrors: Counter<'kind'>;
  /** AI provider events Parley could not use (malformed or unknown), by reason. */
  readonly aiIgnored: Counter<'reason'>;
  /** Tool calls by tool and outcome (ok, unknown_tool, refused, invalid_arguments, timeout, http_error, bad_json, oversize, network, aborted). */
  readonly toolCalls: Counter<'tool' | 'outcome'>;
  readonly callControlActions: Counter<'action' | 'via' | 'outcome'>;
  readonly callControlFailures: Counter<'via'>;
  readonly dtmf: Counter<'direction' | 'outcome'>;
  readonly toolLatency: Histogram<'tool'>;
  /** Calls by the agent profile that answered them (names from the config file only). */
  readonly agentProfileCalls: Counter<'agent'>;
  /** Calls that named a profile the config does not have (answered by default). */
  readonly agentProfileUnknown: Counter;
  readonly eventLoopLag: Gauge<'quantile'>;
  readonly mediaTickLateness: Gauge<'quantile'>;
  readonly mediaTickWork: Gauge<'quantile'>;
  readonly mediaMissedTicks: Gauge;
  readonly protocolRejections: Counter<'protocol' | 'reason'>;
  readonly upgradesRefused: Counter<'reason'>;
  /** Media-thread load 0–1 (saturation.ts), read from the watched engine at each scrape. */
  readonly mediaSaturation: Gauge;
  private media: { source: MediaLoadSource; tickMs: number; mark: MediaLoadMark } | undefined;
  /** Inbound audio messages by protocol not yet in parley_frames_in_total (added at each read). */
  private readonly framesInPending = new Map<string, number>();

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.callsActive = new Gauge({ name: 'parley_calls_active', help: 'calls in progress', labelNames: ['protocol'], registers });
    this.callsTotal = new Counter({ name: 'parley_calls_total', help: 'calls accepted', labelNames: ['protocol'], registers });
    this.callsEnded = new Counter({
      name: 'parley_calls_ended_total',
      help: 'calls ended, by reason',
      labelNames: ['protocol', 'reason'],
      registers,
    });
    this.framesIn = new Counter({
      name: 'parley_frames_in_total',
      help: 'telephony audio messages received',
      labelNames: ['protocol'],
      registers,
      collect: () => this.flushFramesIn(),
    });
    this.framesOut = new Counter({ name: 'parley_frames_out_total', help: '20 ms agent frames sent to telephony', labelNames: ['protocol'], registers });
    this.underruns = new Counter({
      name: 'parley_underruns_total',
      help: 'playout ticks with a response in progress but no frame to send (parley: audio was queued upstream; ai: none had arrived)',
      labelNames: ['cause'],
      registers,
    });
    this.sendUnderruns = new Counter({
      name: 'parley_send_underruns_total',
      help:
        'agent frames of a response sent when the far side had nothing left to play (the caller heard a gap), where frames leave the process, by cause: media_late (the media thread missed its deadline), js_late (frames waited for the JS thread), ai_starved (the ring ran dry: the AI was late), socket_backpressure (frames dropped at a full socket), unattributed',
      labelNames: ['cause'],
      registers,
    });
    this.drops = new Counter({
      name: 'parley_drops_total',
      help: 'chunks, messages or lines dropped by a bound, by reason (one per dropped unit)',
      labelNames: ['reason'],
      registers,
    });
    this.droppedAudio = new Counter({
      name: 'parley_dropped_audio_seconds_total',
      help: 'duration of the audio behind parley_drops_total, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.bargeIns = new Counter({ name: 'parley_barge_ins_total', help: 'barge-ins (agent audio cut off by caller speech)', labelNames: ['protocol'], registers });
    this.cutoffLatency = new Histogram({
      name: 'parley_cutoff_latency_seconds',
      help: 'speech start → last agent frame leaving Parley',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.truncationError = new Histogram({
      name: 'parley_truncation_error_seconds',
      help: '|truncate audio_end_ms − heard position| where the heard position is known',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.5],
      registers,
    });
    this.reconnects = new Counter({
      name: 'parley_reconnects_total',
      help: 'AI link reconnects by outcome (attempt, success, gave_up)',
      labelNames: ['outcome'],
      registers,
    });
    this.aiFirstAudio = new Histogram({
      name: 'parley_ai_first_audio_seconds',
      help: 'caller end of speech → first agent audio delta',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      registers,
    });
    this.aiErrors = new Counter({ name: 'parley_ai_errors_total', help: 'AI error events by class', labelNames: ['kind'], registers });
    this.callControlActions = new Counter({
      name: 'parley_call_control_actions_total',
      help: 'platform actions (hangup, transfer) by way (twilio_rest, esl, stream_json, media_stream, none) and outcome',
      labelNames: ['action', 'via', 'outcome'],
      registers,
    });
    this.callControlFailures = new Counter({
      name: 'parley_call_control_failures_total',
      help: 'platform actions that failed (the call went on, or ended on Parley\'s side)',
      labelNames: ['via'],
      registers,
    });
    this.dtmf = new Counter({
      name: 'parley_dtmf_total',
      help: 'DTMF digits: in (outcome = twilio | esl, the way they came) and out (send_dtmf, outcome of the platform action)',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    this.toolCalls = new Counter({
      name: 'parley_tool_calls_total',
      help: 'tool calls by tool and outcome (ok, unknown_tool, refused, invalid_arguments, timeout, http_error, bad_json, oversize, network, aborted)',
      labelNames: ['tool', 'outcome'],
      registers,
    });
    this.agentProfileCalls = new Counter({ name: 'parley_agent_profile_calls_total', help: 'calls by the agent profile that answered them', labelNames: ['agent'], registers });
    this.agentProfileUnknown = new Counter({
      name: 'parley_agent_profile_unknown_total',
      help: 'calls that named an agent profile the config does not have (answered by default; the name is logged)',
      registers,
    });
    this.toolLatency = new Histogram({
      name: 'parley_tool_latency_seconds',
      help: 'tool call started → output (or error) known',
      labelNames: ['tool'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.aiIgnored = new Counter({
      name: 'parley_ai_ignored_total',
      help: 'AI provider events not used: malformed (bad_json, bad_shape) or of an unknown type (unknown_type)',
      labelNames: ['reason'],
      registers,
    });
    this.eventLoopLag = new Gauge({
      name: 'parley_event_loop_lag_seconds',
      help: 'event-loop delay over the last interval',
      labelNames: ['quantile'],
      registers,
      aggregator: 'max', // across cluster workers: the worst one
    });
    this.mediaTickLateness = new Gauge({
      name: 'parley_media_tick_lateness_seconds',
      help: 'media thread: how late ticks started after the first deadline they serve (a stall of N periods reads N periods; recent ticks)',
      labelNames: ['quantile'],
      registers,
      aggregator: 'max', // across cluster workers: the worst one
    });
    this.mediaTickWork = new Gauge({
      name: 'parley_media_tick_work_seconds',
      help: 'media thread: work per tick over all calls (recent ticks)',
      labelNames: ['quantile'],
      registers,
      aggregator: 'max', // across cluster workers: the worst one
    });
    this.mediaMissedTicks = new Gauge({
      name: 'parley_media_missed_ticks',
      help: 'media thread: ticks whose deadline passed entirely (since start)',
      registers,
    });
    this.protocolRejections = new Counter({
      name: 'parley_protocol_rejections_total',
      help: 'malformed or out-of-order telephony input, by reason',
      labelNames: ['protocol', 'reason'],
      registers,
    });
    this.upgradesRefused = new Counter({
      name: 'parley_upgrades_refused_total',
      help: 'telephony WebSocket upgrades refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.mediaSaturation = new Gauge({
      name: 'parley_media_saturation',
      help: 'media-thread load 0-1: (p99 tick lateness + p99 tick work) / tick period, or 100 x the fraction of ticks missed since the last scrape, whichever is higher',
      registers,
      aggregator: 'max', // across cluster workers: the busiest media thread
      collect: () => {
        const m = this.media;
        if (!m) return;
        const s = m.source.stats();
        this.mediaSaturation.set(mediaSaturation(s, m.tickMs, m.mark));
        m.mark = { ticks: s.ticks, missedTicks: s.missedTicks };
      },
    });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  /**
   * One telephony audio message in: ~50 a call-second, so a plain count here, added to
   * parley_frames_in_total whenever the counter is read (a labelled inc hashes its labels).
   */
  frameIn(protocol: string): void {
    this.framesInPending.set(protocol, (this.framesInPending.get(protocol) ?? 0) + 1);
  }

  private flushFramesIn(): void {
    for (const [protocol, n] of this.framesInPending) this.framesIn.inc({ protocol }, n);
    this.framesInPending.clear();
  }

  /** Feeds parley_media_saturation from this engine until the returned function is called. */
  watchMedia(source: MediaLoadSource, tickMs = FRAME_MS): () => void {
    const first = source.stats();
    const m = { source, tickMs, mark: { ticks: first.ticks, missedTicks: first.missedTicks } };
    this.media = m;
    return () => {
      if (this.media === m) this.media = undefined;
    };
  }

  /** Counts `n` dropped units; `audioSeconds` when they carried audio. */
  drop(reason: DropReason, n = 1, audioSeconds = 0): void {
    if (n > 0) this.drops.inc({ reason }, n);
    if (audioSeconds > 0) this.droppedAudio.inc({ reason }, audioSeconds);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A counter's or gauge's value (a histogram's count) with these labels, summed over the rest. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = this.registry.getSingleMetric(name);
    if (!m) throw new Error(`no metric ${name}`);
    const data = await m.get();
    return data.values
      .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
      .filter((v) => {
        const metricName = (v as { metricName?: string }).metricName;
        return metricName === undefined || metricName === `${name}_count`;
      })
      .reduce((a, v) => a + v.value, 0);
  }
}
