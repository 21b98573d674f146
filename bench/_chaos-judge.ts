// How the chaos bench decides whether each call ended rightly, and the trace checks it runs on
// every call (pure functions over the call's NDJSON trace, the faults the agent fired and what
// the caller did, so they can be unit-tested).
//
// The rule: a call whose AI connection got a fatal error must end by giving up (ai_gave_up:
// notice, then close) — or by the caller, if the caller was already leaving; every other call
// ends the way the caller ended it (hangup; a Twilio socket that died mid-message is a
// socket_error, a dead mod_audio_stream socket is how that module hangs up). AI drops, stalls,
// retryable errors, slow reading and a stopped agent process must never end a call.
import type { TraceRecord } from '../src/obs/trace.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';

export interface FiredFault {
  readonly session: string;
  readonly kind: string;
  /** Wall-clock ms. */
  readonly t: number;
}

export type CallerAction =
  | { readonly kind: 'script'; readonly at: number | undefined }
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'backoff_hangup'; readonly at: number };

export interface CallFacts {
  readonly callId: string;
  readonly protocol: TelephonyProtocol;
  readonly action: CallerAction;
  /** The caller saw the server close the call (not after its own hangup). */
  readonly serverClosed: boolean;
  readonly staleFramesAfterClear: number;
  /**
   * The caller hung up but its close handshake did not finish in its 2 s, so it reset the socket:
   * a reset discards what Parley had not read yet (its stop and close frame among it), so Parley
   * may see the socket fail instead of the hang-up.
   */
  readonly callerReset?: boolean;
}

export interface TraceSummary {
  readonly endReason: string | undefined;
  readonly endWall: number | undefined;
  readonly sessions: ReadonlySet<string>;
  readonly reconnects: number;
  /** The caller's hangup / socket loss arrived while the AI link was in backoff. */
  readonly hungUpInBackoff: boolean;
  /** Frames of an interrupted item that Parley sent after its barge-in (BI1: must be 0). */
  readonly staleFramesSent: number;
  /** Trace lines lost (trace.end's count, or gaps in seq); a lost line may have been a stale frame. */
  readonly linesDropped: number;
  /** staleFramesSent can be trusted: the trace is whole (trace.end present, nothing dropped). */
  readonly staleCountable: boolean;
  /** Barge-ins the runtime took (runtime barge_in lines). */
  readonly bargeInsTraced: number;
  /** The give-up notice started after a barge-in (new audio, not stale: the caller may hear it while still speaking). */
  readonly noticeAfterBargeIn: boolean;
  /** SE1/SE2-style structural problems found in the trace. */
  readonly problems: readonly string[];
  /** Wall time Parley received a fatal AI error (an `ai error` of severity fatal, or a fatal close). */
  readonly fatalErrorWall: number | undefined;
  /** Wall time Parley received the caller's end (telephony stop or socket close). */
  readonly callerLeftWall: number | undefined;
  /** Wall time Parley left each AI session (its link machine left `open`, or the socket closed), by session id. */
  readonly sessionClosedWall: ReadonlyMap<string, number>;
}

/** A fatal error lets the caller win a race this long (give-up notice, then close). */
export const RACE_MS = 4000;

export function summariseTrace(lines: readonly TraceRecord[]): TraceSummary {
  const problems: string[] = [];
  const start = lines[0];
  const wall0 = start?.event === 'trace.start' ? Date.parse(String((start.data as { wall?: string } | undefined)?.wall)) : NaN;
  if (!start || start.event !== 'trace.start') problems.push('no trace.start line');
  if (lines.at(-1)?.event !== 'trace.end') problems.push('no trace.end line');
  const sessions = new Set<string>();
  let endReason: string | undefined;
  let endWall: number | undefined;
  let ended = 0;
  let cleanups = 0;
  let cleanupBegun = false;
  let reconnects = 0;
  let aiLinkState = 'idle';
  let hungUpInBackoff = false;
  const interrupted = new Set<string>();
  let staleFramesSent = 0;
  let noticeAfterBargeIn = false;
  let bargedIn = false;
  let bargeInsTraced = 0;
  let seqGaps = 0;
  let prevSeq = -1;
  const sessionOfGen = new Map<number, string>();
  const sessionClosedWall = new Map<string, number>();
  let liveSession: string | undefined;
  let fatalErrorWall: number | undefined;
  let callerLeftWall: number | undefined;
  for (const l of lines) {
    if (typeof l.seq === 'number') {
      if (l.seq > prevSeq + 1) seqGaps += l.seq - prevSeq - 1;
      prevSeq = l.seq;
    }
    if (l.src === 'runtime' && l.event === 'barge_in') {
      const item = (l.data as { truncate?: { itemId?: unknown } | null } | undefined)?.truncate?.itemId;
      if (typeof item === 'string') interrupted.add(item);
      bargedIn = true;
      bargeInsTraced++;
    }
    if (l.src === 'media' && l.event === 'frames' && bargedIn) {
      const items = (l.data as { items?: unknown[] } | undefined)?.items ?? [];
      for (const it of items) {
        if (typeof it === 'string' && interrupted.has(it)) staleFramesSent++;
        if (typeof it === 'string' && it.startsWith('parley:notice')) noticeAfterBargeIn = true;
      }
    }
    if (l.src === 'ai' && l.event === 'session_created') {
      const { sessionId: id, gen } = (l.data ?? {}) as { sessionId?: unknown; gen?: unknown };
      if (typeof id === 'string') sessions.add(id);
      if (typeof id === 'string' && typeof gen === 'number') sessionOfGen.set(gen, id);
    }
    if (l.src === 'ai' && l.event === 'session_created') liveSession = [...sessions].at(-1);
    // Parley leaves a session when its link machine leaves `open` (it drops the connection: a
    // stall, a close, the call ending) or when the socket closes, whichever it learns first.
    const leave = (id: string | undefined) => {
      if (id !== undefined && !sessionClosedWall.has(id)) sessionClosedWall.set(id, wall0 + l.t);
    };
    const d = (l.data ?? {}) as { severity?: unknown; fatal?: unknown };
    if (l.src === 'ai' && ((l.event === 'error' && d.severity === 'fatal') || (l.event === 'closed' && d.fatal === true))) fatalErrorWall ??= wall0 + l.t;
    if (l.src === 'telephony' && (l.event === 'stop' || l.event === 'socket.close')) callerLeftWall ??= wall0 + l.t;
    if (l.src === 'ai' && l.event === 'closed') leave(sessionOfGen.get(Number((l.data as { gen?: unknown } | undefined)?.gen)));
    if (l.src === 'machine' && l.machine === 'aiLink' && l.from === 'open' && l.to !== 'open') leave(liveSession);
    if (l.src === 'runtime' && l.event === 'reconnect.scheduled') reconnects++;
    if (l.src === 'machine' && l.machine === 'aiLink' && l.to !== undefined) aiLinkState = l.to;
    if (l.src === 'telephony' && (l.event === 'stop' || l.event === 'socket.close') && !cleanupBegun && aiLinkState === 'backoff') hungUpInBackoff = true;
    // The session machine's cleanup action (beginCleanup), wherever the step came from.
    if (l.src === 'machine' && l.machine === 'session' && l.actions?.includes('beginCleanup')) {
      cleanups++;
      cleanupBegun = true;
    }
    // SE1: nothing is played to the caller once cleanup has begun.
    if (cleanupBegun && l.src === 'media' && l.event === 'frames') problems.push(`SE1: frames sent after cleanup began (seq ${l.seq})`);
    if (l.src === 'runtime' && l.event === 'call.ended') {
      ended++;
      endReason = String((l.data as { reason?: unknown } | undefined)?.reason);
      endWall = wall0 + l.t;
    } else if (ended > 0 && l.event !== 'trace.end' && !(l.src === 'machine' && l.ignored)) {
      if (l.src !== 'telephony' && l.src !== 'ai') problems.push(`record after call.ended: ${l.src} ${l.event} (seq ${l.seq})`);
    }
  }
  // SE2: cleanup runs exactly once.
  if (cleanups !== 1) problems.push(`SE2: cleanup began ${cleanups} times`);
  if (ended !== 1) problems.push(`call.ended ${ended} times`);
  if (staleFramesSent > 0) problems.push(`BI1: ${staleFramesSent} frames of an interrupted item sent after its barge-in`);
  const last = lines.at(-1);
  const declared = last?.event === 'trace.end' ? Number((last.data as { dropped?: unknown } | undefined)?.dropped ?? 0) : 0;
  const linesDropped = Math.max(Number.isFinite(declared) ? declared : 0, seqGaps);
  const staleCountable = last?.event === 'trace.end' && linesDropped === 0;
  if (!staleCountable) problems.push(`stale-frame count unusable: ${linesDropped} trace lines dropped${last?.event === 'trace.end' ? '' : ', no trace.end'}`);
  return { endReason, endWall, sessions, reconnects, hungUpInBackoff, staleFramesSent, linesDropped, staleCountable, bargeInsTraced, noticeAfterBargeIn, problems, sessionClosedWall, fatalErrorWall, callerLeftWall };
}

/** What Parley sent that a caller heard after a clear while still speaking. */
export type StaleExplanation =
  | 'cut_response' // frames of the interrupted item: a real BI1 failure
  | 'silence_pad' // the audio-stream tail pad (silence, untagged by item)
  | 'notice' // the give-up notice: new audio
  | 'new_response' // a response to the caller's own speech (the agent heard a pause): new audio
  | 'unexplained'; // nothing sent between the clear and the arrival: the measurement's clocks or rule

const SLACK_MS = 100;

/**
 * Matches the first audio a caller heard after a clear (wall clock `heardWall`) with what the
 * trace says Parley sent between the barge-in whose clear the caller saw (the last one before
 * `clearWall`; without it, the last one before the audio) and that moment (± SLACK_MS for the two
 * processes' clocks). The worst finding wins: a frame of the cut item, then untagged audio,
 * then nothing at all; new audio (notice, a new response) only when it is all there was.
 */
export function explainStaleHeard(lines: readonly TraceRecord[], heardWall: number, clearWall?: number): StaleExplanation {
  const start = lines[0];
  const wall0 = start?.event === 'trace.start' ? Date.parse(String((start.data as { wall?: string } | undefined)?.wall)) : NaN;
  if (!Number.isFinite(wall0)) return 'unexplained';
  const until = heardWall - wall0 + SLACK_MS;
  // A later barge-in inside the slack (the caller's own, after an earlier late one) must not
  // move the window past the audio it is meant to explain (chaos-2-199).
  const clearBy = clearWall !== undefined ? Math.min(until, clearWall - wall0 + SLACK_MS) : until;
  let cut = -1;
  const interrupted = new Set<string>();
  lines.forEach((l, i) => {
    if (l.src === 'runtime' && l.event === 'barge_in' && l.t <= clearBy) {
      cut = i;
      const item = (l.data as { truncate?: { itemId?: unknown } | null } | undefined)?.truncate?.itemId;
      if (typeof item === 'string') interrupted.add(item);
    }
  });
  if (cut < 0) return 'unexplained';
  const found = new Set<StaleExplanation>();
  for (const l of lines.slice(cut + 1)) {
    if (l.t > until) break;
    if (l.src !== 'media') continue;
    if (l.event === 'silence') found.add('silence_pad');
    if (l.event !== 'frames') continue;
    for (const it of (l.data as { items?: unknown[] } | undefined)?.items ?? []) {
      if (typeof it === 'string' && interrupted.has(it)) found.add('cut_response');
      else if (typeof it === 'string' && it.startsWith('parley:notice')) found.add('notice');
      else found.add('new_response');
    }
  }
  for (const worst of ['cut_response', 'silence_pad'] as const) if (found.has(worst)) return worst;
  if (found.size === 0) return 'unexplained';
  return found.has('notice') ? 'notice' : 'new_response';
}

/**
 * When the AI reported speech the caller began at `speechWall` (its first speech_started into
 * the turn machine from SLACK_MS before), and whether the turn machine still held agent audio
 * then (the transition went to `interrupted`, so Parley cut). Realtime mode's barge-in follows
 * the AI's report: a report that came after the agent's audio had ended — or never — is the
 * AI's lateness, not a barge-in Parley ignored.
 */
export function aiSpeechReport(lines: readonly TraceRecord[], speechWall: number): { lagMs?: number; cut: boolean } {
  const start = lines[0];
  const wall0 = start?.event === 'trace.start' ? Date.parse(String((start.data as { wall?: string } | undefined)?.wall)) : NaN;
  if (!Number.isFinite(wall0)) return { cut: false };
  const from = speechWall - wall0 - SLACK_MS;
  const report = lines.find((l) => l.src === 'machine' && l.machine === 'turn' && l.event === 'SPEECH_STARTED' && l.t >= from);
  if (!report) return { cut: false };
  return { lagMs: Math.round(report.t - (speechWall - wall0)), cut: String(report.to ?? '').startsWith('interrupted') };
}

/**
 * Who may have ended the call when the agent fired a fatal error: what reached Parley first
 * decides. 'ai': only the give-up; 'either': the two raced; 'caller': the caller's ending.
 * - The error must have come on a socket Parley still held (see judge); within SLACK_MS before
 *   Parley closed it either came first — 'either'.
 * - Parley's receipt times decide when the trace has both: under load an error fired seconds
 *   before the hang-up can arrive after the caller's stop (chaos-6-94: fired >= 4 s before,
 *   received 0.4 s after). Otherwise the agent's and the caller's own times are used.
 * - A caller who left within RACE_MS of the error wins the race as often as not — 'either'.
 */
function fatalRace(fatal: FiredFault, trace: TraceSummary, call: CallFacts): 'ai' | 'either' | 'caller' {
  const closedAt = trace.sessionClosedWall.get(fatal.session) ?? Infinity;
  const callerAt = call.action.at;
  if (callerAt !== undefined && fatal.t >= callerAt) return 'caller';
  const { fatalErrorWall: received, callerLeftWall: left } = trace;
  if (received !== undefined && left !== undefined && left < received) return 'caller';
  const errAt = received ?? fatal.t;
  const leftAt = left ?? callerAt;
  const raced = fatal.t > closedAt - SLACK_MS || (leftAt !== undefined && leftAt - errAt < RACE_MS);
  return raced ? 'either' : 'ai';
}

export interface Verdict {
  readonly ok: boolean;
  readonly expected: readonly string[];
  readonly got: string | undefined;
  readonly why?: string;
  readonly fatalFault: boolean;
}

export function judge(call: CallFacts, trace: TraceSummary | undefined, fired: readonly FiredFault[]): Verdict {
  if (!trace) return { ok: false, expected: [], got: undefined, why: 'no trace', fatalFault: false };
  const mine = fired.filter((f) => trace.sessions.has(f.session) && (trace.endWall === undefined || f.t <= trace.endWall));
  const callerEnd = call.action.kind === 'drop' ? (call.protocol === 'twilio' ? 'socket_error' : 'hangup') : 'hangup';
  const callerEnds = call.callerReset && callerEnd === 'hangup' ? [callerEnd, 'socket_error'] : [callerEnd];
  // A fatal error the agent fired on a socket Parley had already closed (it gave the link up as
  // stalled and moved on; the frozen agent learnt of the close later) never reached the live
  // link. The first one that may have decides.
  const fatal = mine.find((f) => f.kind === 'error_fatal' && f.t < (trace.sessionClosedWall.get(f.session) ?? Infinity) + SLACK_MS);
  const race = fatal ? fatalRace(fatal, trace, call) : 'caller';
  const expected = new Set<string>(race === 'ai' ? ['ai_gave_up'] : race === 'either' ? ['ai_gave_up', ...callerEnds] : callerEnds);
  const got = trace.endReason;
  if (!got || !expected.has(got)) return { ok: false, expected: [...expected], got, why: `ended ${got ?? 'never'}`, fatalFault: !!fatal };
  // Only a give-up may close the call from Parley's side.
  if (call.serverClosed && got !== 'ai_gave_up') return { ok: false, expected: [...expected], got, why: 'the server closed the call', fatalFault: !!fatal };
  return { ok: true, expected: [...expected], got, fatalFault: !!fatal };
}
