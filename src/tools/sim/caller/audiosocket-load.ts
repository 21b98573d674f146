// The capacity bench's AudioSocket load: N concurrent AudioSocketCaller legs over tcp://host:port,
// started over a ramp, each with the capacity script's shape (a turn, then a second turn talked
// over — a barge-in — then a reply, silence, hang-up). The far side plays what it is sent at real
// time and can recall nothing, so what is measured is what such a caller can honestly see: the
// audio queued at it (the lead a barge-in cannot recall), when audio was heard, and audio heard
// while the caller talks over the agent past the bound detection + lead allows.
import { AudioSocketCaller } from './audiosocket.js';
import { percentiles } from './stats.js';
import type { Percentiles } from './types.js';

/** Audio heard later than this after the caller starts talking over the agent is stale (detection + cut + lead; the e2e's bound). */
export const STALE_BOUND_MS = 600;

export interface AudioSocketLoadOptions {
  readonly url: string;
  readonly calls: number;
  readonly rampMs: number;
  readonly maxCallMs: number;
  readonly callId?: string;
  /** Delay before the first call starts (ms): interleaves the ramps of several processes. */
  readonly offsetMs?: number;
  /** Keep every queue sample (for a union's percentiles). */
  readonly keepSamples?: boolean;
}

export interface AudioSocketLoadReport {
  readonly callId: string;
  /** The call's UUID: Parley's call id (the agent's truncate event ids start with it). */
  readonly uuid: string;
  readonly ok: boolean;
  readonly failure?: string;
  readonly durationMs: number;
  readonly heardMs: number;
  /** Caller speech end → first agent audio heard, turns 1 and 2 (absent when none came). */
  readonly responseLatencyMs: readonly number[];
  /** Of the reply talked over: audio heard (up to the end of the caller's talking-over). */
  readonly bargedReplyHeardMs?: number;
  /** Caller speech start → the talked-over reply's audio stopped playing. */
  readonly cutoffMs?: number;
  /** Agent audio heard more than STALE_BOUND_MS after the caller began talking over it, while still talking. */
  readonly staleMs: number;
  readonly maxQueuedMs: number;
  readonly queuedP95Ms: number;
  /** The far side ran dry less than 1 s before more audio came (> 0.5 ms): gaps inside a reply. */
  readonly gaps: number;
  readonly gapMs: number;
  readonly malformedFromParley: number;
  readonly queuedSamples?: readonly number[];
}

export interface AudioSocketLoadResult {
  readonly kind: 'audiosocket';
  readonly reports: readonly AudioSocketLoadReport[];
  readonly wallMs: number;
  readonly cpuPct: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until agent audio heard after `from` reaches `ms`, or the call closes / times out. */
async function heardAtLeast(c: AudioSocketCaller, from: number, ms: number, timeoutMs: number): Promise<boolean> {
  const end = c.now() + timeoutMs;
  while (c.heardAfter(from) < ms) {
    if (c.now() > end || c.closed) return false;
    await sleep(10);
  }
  return true;
}

/** Waits for a reply heard after `from`, then `quietMs` with nothing playing. */
async function listen(c: AudioSocketCaller, from: number, quietMs: number, timeoutMs: number): Promise<boolean> {
  if (!(await heardAtLeast(c, from, 1, timeoutMs))) return false;
  const end = c.now() + timeoutMs;
  for (;;) {
    const last = c.heard[c.heard.length - 1]!;
    if (c.now() - last.endMs >= quietMs) return true;
    if (c.now() > end || c.closed) return false;
    await sleep(20);
  }
}

const firstHeardAfter = (c: AudioSocketCaller, t: number) => c.heard.find((s) => s.endMs > t)?.startMs;
const heardBetween = (c: AudioSocketCaller, a: number, b: number) => c.heard.reduce((n, s) => n + Math.max(0, Math.min(s.endMs, b) - Math.max(s.startMs, a)), 0);

export async function audioSocketLoadCall(url: string, callId: string, rampMs: number, maxCallMs: number): Promise<AudioSocketLoadReport> {
  const c = new AudioSocketCaller({ url });
  const latencies: number[] = [];
  let barged: { heard: number; cutoff: number; stale: number } | undefined;
  let failure: string | undefined;
  const steps = async (): Promise<void> => {
    await c.ready;
    c.start();
    c.say(true);
    await sleep(1200);
    c.say(false);
    const t1 = c.now();
    if (!(await listen(c, t1, 500, 20_000))) throw new Error('no reply to turn 1');
    const r1 = firstHeardAfter(c, t1);
    if (r1 !== undefined) latencies.push(Math.max(0, r1 - t1));
    c.say(true);
    await sleep(800);
    c.say(false);
    const t2 = c.now();
    if (!(await heardAtLeast(c, t2, 600, 20_000))) throw new Error('no reply to turn 2');
    const r2 = firstHeardAfter(c, t2);
    if (r2 !== undefined) latencies.push(Math.max(0, r2 - t2));
    const tb = c.now();
    c.say(true);
    await sleep(1000);
    c.say(false);
    const te = c.now();
    // The reply to the talking-over starts only once the caller stops: spans before te are the cut reply.
    const playedTo = Math.max(tb, ...c.heard.filter((s) => s.startMs < te).map((s) => s.endMs));
    barged = { heard: heardBetween(c, t2, te), cutoff: Math.min(playedTo, te) - tb, stale: heardBetween(c, tb + STALE_BOUND_MS, te) };
    if (!(await listen(c, te, 500, 20_000))) throw new Error('no reply after the barge-in');
    await sleep(Math.max(1000, rampMs));
    if (c.closed) throw new Error('Parley closed the call');
    c.hangup();
    await c.ended;
  };
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([steps(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`call over ${maxCallMs} ms`)), maxCallMs)))]);
    if (c.errorReceived) failure = 'Parley sent an error message';
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    c.hangup();
  } finally {
    clearTimeout(timer);
  }
  const gaps = c.dryGaps.filter((g) => g > 0.5);
  return {
    callId,
    uuid: c.uuid,
    ok: failure === undefined,
    ...(failure !== undefined ? { failure } : {}),
    durationMs: Math.round(performance.now() - t0),
    heardMs: Math.round(c.heardMs()),
    responseLatencyMs: latencies.map((x) => Math.round(x)),
    ...(barged ? { bargedReplyHeardMs: Math.round(barged.heard), cutoffMs: Math.round(barged.cutoff) } : {}),
    staleMs: Math.round(barged?.stale ?? 0),
    maxQueuedMs: Math.round(c.maxQueuedMs * 10) / 10,
    queuedP95Ms: Math.round(c.queuedP95() * 10) / 10,
    gaps: gaps.length,
    gapMs: Math.round(gaps.reduce((a, b) => a + b, 0)),
    malformedFromParley: c.malformed,
    queuedSamples: c.queued.map((q) => Math.round(q * 10) / 10),
  };
}

export async function runAudioSocketLoad(o: AudioSocketLoadOptions): Promise<AudioSocketLoadResult> {
  const n = Math.max(1, Math.floor(o.calls));
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const runs: Promise<AudioSocketLoadReport>[] = [];
  for (let i = 0; i < n; i++) {
    const delay = (o.offsetMs ?? 0) + (n === 1 ? 0 : (o.rampMs * i) / (n - 1));
    runs.push(sleep(delay).then(() => audioSocketLoadCall(o.url, `${o.callId ?? 'load'}-${i}`, o.rampMs, o.maxCallMs)));
  }
  const all = await Promise.all(runs);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const reports = o.keepSamples ? all : all.map(({ queuedSamples: _q, ...r }) => r);
  return { kind: 'audiosocket', reports, wallMs: Math.round(wallMs), cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) };
}

export interface AudioSocketLoadSummary {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
  readonly queuedMs: { readonly max: number; readonly p95: number; readonly count: number };
  readonly cutoff: Percentiles;
  readonly responseLatency: Percentiles;
  readonly staleMs: number;
  readonly callsWithStale: number;
  readonly gaps: number;
  readonly gapMs: number;
  readonly malformedFromParley: number;
}

/** The summary over a set of calls (one process's, or the union of several processes'); the queue p95 needs every call's samples. */
export function summariseAudioSocketLoad(reports: readonly AudioSocketLoadReport[]): AudioSocketLoadSummary {
  const failures: Record<string, number> = {};
  for (const r of reports) if (!r.ok) failures[r.failure ?? 'unknown'] = (failures[r.failure ?? 'unknown'] ?? 0) + 1;
  const q = reports.flatMap((r) => r.queuedSamples ?? []).sort((a, b) => a - b);
  const sum = (f: (r: AudioSocketLoadReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  return {
    calls: reports.length,
    ok: reports.filter((r) => r.ok).length,
    failed: reports.filter((r) => !r.ok).length,
    failures,
    queuedMs: { max: Math.max(0, ...reports.map((r) => r.maxQueuedMs)), p95: q.length ? q[Math.min(q.length - 1, Math.floor(q.length * 0.95))]! : 0, count: q.length },
    cutoff: percentiles(reports.flatMap((r) => (r.cutoffMs !== undefined ? [r.cutoffMs] : []))),
    responseLatency: percentiles(reports.flatMap((r) => r.responseLatencyMs)),
    staleMs: sum((r) => r.staleMs),
    callsWithStale: reports.filter((r) => r.staleMs > 0).length,
    gaps: sum((r) => r.gaps),
    gapMs: sum((r) => r.gapMs),
    malformedFromParley: sum((r) => r.malformedFromParley),
  };
}
