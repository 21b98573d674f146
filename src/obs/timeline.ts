// One call's story as rows of (time, who, what): the caller's side (the simulated caller's
// timeline) merged with Parley's side (the highlights of its trace). Used by `parley demo` for
// the printed timeline and the HTML report.
import type { TraceRecord } from './trace.js';

export interface TimelineRow {
  /** ms since the call connected. */
  readonly t: number;
  readonly who: 'caller' | 'parley' | 'agent';
  readonly what: string;
}

export interface CallerEvent {
  readonly t: number;
  readonly kind: string;
  readonly detail?: string;
}

const CALLER_TEXT: Readonly<Record<string, string>> = {
  connected: 'connected',
  speech_start: 'starts speaking',
  speech_end: 'stops speaking',
  agent_audio_start: 'hears the agent',
  agent_audio_end: 'agent audio stops',
  clear: 'playback cleared',
  dtmf: 'presses',
  hangup: 'hangs up',
  closed: 'socket closed',
  protocol_error: 'protocol error',
};

type Data = Record<string, unknown>;
const d = (r: TraceRecord): Data => (r.data ?? {}) as Data;

/** The lines of Parley's trace worth showing, as text; undefined for the rest. */
function parleyText(r: TraceRecord): { who: TimelineRow['who']; what: string } | undefined {
  if (r.src === 'machine') {
    if (r.machine === 'aiLink' && r.from !== undefined && r.from !== r.to) return { who: 'parley', what: `AI link ${r.from} → ${r.to}` };
    if (r.machine === 'turn' && r.event === 'SPEECH_STARTED' && r.to?.startsWith('interrupted')) {
      return { who: 'parley', what: `barge-in: ${(r.actions ?? []).filter((a) => a.startsWith('send') || a === 'requestFlush').join(', ')}` };
    }
    if (r.machine === 'session' && r.from !== undefined && r.from !== r.to) return { who: 'parley', what: `call ${r.from} → ${r.to}` };
    return undefined;
  }
  const x = d(r);
  switch (`${r.src}:${r.event}`) {
    case 'ai:speech_started':
      return { who: 'agent', what: 'hears speech (speech_started)' };
    case 'ai:speech_stopped':
      return { who: 'agent', what: 'speech_stopped' };
    case 'ai:response_created':
      return { who: 'agent', what: `response ${String(x['responseId'])} created` };
    case 'ai:response_done':
      return { who: 'agent', what: `response ${String(x['responseId'])} ${String(x['status'])}` };
    case 'ai:cancel':
      return { who: 'parley', what: `response.cancel ${String(x['responseId'])}` };
    case 'ai:truncate':
      return { who: 'parley', what: `conversation.item.truncate audio_end_ms=${String(x['audioEndMs'])}` };
    case 'ai:delete':
      return { who: 'parley', what: `conversation.item.delete (nothing heard)` };
    case 'ai:closed':
      return { who: 'agent', what: `AI socket closed (${String(x['code'])}${x['error'] ? `, ${String(x['error'])}` : ''})` };
    case 'runtime:reconnect.scheduled':
      return { who: 'parley', what: `reconnect in ${String(x['delayMs'])} ms (attempt ${Number(x['attempt']) + 1})` };
    case 'runtime:barge_in':
      return { who: 'parley', what: `cut-off ${Number(x['cutoffMs']).toFixed(2)} ms after speech_started` };
    case 'media:flushed':
      return { who: 'parley', what: `media thread flushed epoch ${String(x['epoch'])} (${String(x['droppedSamples'])} samples dropped)` };
    case 'ai:greeting':
      return { who: 'parley', what: `greeting requested first (response.create, profile ${String(x['agent'])}${x['interruptible'] === false ? ', not interruptible' : ''})` };
    case 'runtime:tool.call':
      return { who: 'agent', what: `calls tool ${String(x['name'])} (${String(x['callId'])})` };
    case 'runtime:tool.result':
      return { who: 'parley', what: `tool ${String(x['name'] ?? x['callId'])} → ${String(x['outcome'])} in ${String(x['ms'])} ms` };
    case 'runtime:tool.outputs_sent':
      return { who: 'parley', what: `function_call_output ×${String(x['calls'])} sent` };
    case 'runtime:call.ended':
      return { who: 'parley', what: `call ended (${String(x['reason'])})` };
    default:
      return undefined;
  }
}

/**
 * Merges both sides. The trace's clock starts when Parley accepted the socket, the caller's when
 * its socket opened; the caller sends its first message at once, so the trace's first telephony
 * record marks the caller's time 0 and Parley's times are shifted by it.
 */
export function buildTimeline(caller: readonly CallerEvent[], trace: readonly TraceRecord[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const offset = trace.find((r) => r.src === 'telephony')?.t ?? 0;
  for (const e of caller) {
    const base = CALLER_TEXT[e.kind] ?? e.kind;
    rows.push({ t: e.t, who: 'caller', what: e.detail ? `${base} (${e.detail})` : base });
  }
  for (const r of trace) {
    const x = parleyText(r);
    if (x) rows.push({ t: Math.round((r.t - offset) * 10) / 10, ...x });
  }
  return rows.sort((a, b) => a.t - b.t);
}

/** A trace time on the caller's clock (see buildTimeline). */
export function callerTime(trace: readonly TraceRecord[], t: number): number {
  return t - (trace.find((r) => r.src === 'telephony')?.t ?? 0);
}

export function formatTimeline(rows: readonly TimelineRow[]): string {
  return rows.map((r) => `  ${r.t.toFixed(0).padStart(6)} ms  ${r.who.padEnd(6)}  ${r.what}`).join('\n');
}
