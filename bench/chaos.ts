// `npm run bench -- chaos [--calls 1000] [--concurrency 80] [--seed 1] [--ai-fault-rate 0.45]
//                        [--drop-rate 0.1] [--backoff-hangup-rate 0.6] [--sigstop-every-ms 6000]
//                        [--validate-traces N|all] [--keep-traces]`
//
// Faults at random instants, through real processes (issue 10 item 3): `parley serve` (traces
// on), the offline agent in its own process firing AI faults on a share of its connections
// (socket drop, stall, fatal and retryable error events, slow reader, close 1011), SIGSTOP /
// SIGCONT of that agent process every few seconds, and callers (this process) that drop their
// telephony socket mid-message or hang up while their AI link is in reconnect backoff. Every
// call has a barge-in. Afterwards: did each call end rightly (bench/_chaos-judge.ts, from its
// trace, the faults the agent fired and what the caller did), were any stale frames heard after
// a barge-in, and is anything left — calls, sockets, timers, descriptors — once all calls ended.
// N traces (default 100, the faulted calls first) also go through TLC trace validation against
// the specs (bench/_chaos-tlc.ts). One JSON object, last line.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TraceRecord } from '../src/obs/trace.js';
import { bargeInsHonoured, bargeSteps, SimCall, type BargeInCall, type CallReport, type ScriptStep } from '../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';
import { aiSpeechReport, explainStaleHeard, judge, summariseTrace, type CallFacts, type CallerAction, type FiredFault, type StaleExplanation, type TraceSummary } from './_chaos-judge.js';
import { watchMachineState } from './_inspect-watch.js';
import { validateCoreTraces, validateTraces } from './_chaos-tlc.js';
import { cpuSeconds, fdTargets, openFds, repoRoot, rssKiB, startNode, startServe, threads } from './_proc.js';
import { byLabel, scrape, value, type Samples } from './_prom.js';

const SCRIPT: readonly ScriptStep[] = [
  { kind: 'say', ms: 900 },
  { kind: 'listen', quietMs: 300, timeoutMs: 6000 },
  { kind: 'say', ms: 600 },
  { kind: 'barge', afterMs: 400, sayMs: 700, timeoutMs: 6000 },
  { kind: 'listen', quietMs: 300, timeoutMs: 5000 },
  { kind: 'hangup' },
];

function rng(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CallRecord {
  readonly callId: string;
  readonly traceId: string;
  readonly protocol: TelephonyProtocol;
  action: CallerAction;
  report?: CallReport;
  /** Wall-clock ms when the caller's socket opened. */
  connectedAt?: number;
}

/** What the server holds that a finished call could leak: sockets, timers, descriptors, calls. */
function holdings(s: Samples, pid: number) {
  return {
    calls: value(s, 'parley_calls_active'),
    handles: byLabel(s, 'parley_nodejs_active_handles', 'type'),
    resources: byLabel(s, 'parley_nodejs_active_resources', 'type'),
    fds: openFds(pid),
    fdKinds: tally(fdTargets(pid)),
    threads: threads(pid),
  };
}

/** How many descriptors of each kind (a socket, an eventfd, a file path). */
function tally(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The caller hung up and never saw the close complete: it reset the socket after its 2 s wait. */
function callerReset(report: CallReport | undefined): boolean {
  const tl = report?.timeline ?? [];
  const hungUp = tl.findIndex((e) => e.kind === 'hangup');
  return hungUp >= 0 && !tl.slice(hungUp).some((e) => e.kind === 'closed');
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '80' },
      seed: { type: 'string', default: '1' },
      'ai-fault-rate': { type: 'string', default: '0.45' },
      'drop-rate': { type: 'string', default: '0.1' },
      'backoff-hangup-rate': { type: 'string', default: '0.6' },
      'sigstop-every-ms': { type: 'string', default: '6000' },
      'keep-traces': { type: 'boolean', default: false },
      'validate-traces': { type: 'string', default: '100' },
    },
  });
  const total = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const seed = Number(values.seed);
  const random = rng(seed * 7919);
  const traceDir = mkdtempSync(join(tmpdir(), 'parley-chaos-'));

  const agent = startNode(['dist/bench/_chaos-agent.js'], { CHAOS_SEED: String(seed), CHAOS_AI_FAULT_RATE: String(values['ai-fault-rate']) });
  const agentUrl = (JSON.parse((await agent.line(/^\{"url".*$/))[0]) as { url: string }).url;
  const { proc: serve, port, base } = await startServe({
    PARLEY_AI: 'openai',
    PARLEY_OPENAI_URL: agentUrl,
    PARLEY_TRACE_DIR: traceDir,
    // The media core's own steps in each trace, for the refinement check against Playout.
    PARLEY_MEDIA_CORE_TRACE: 'true',
    PARLEY_MAX_CALLS: String(concurrency + 200),
  });
  const fired: FiredFault[] = [];
  agent.onLine((l) => {
    if (!l.startsWith('{"fired"')) return;
    const f = (JSON.parse(l) as { fired: FiredFault }).fired;
    fired.push(f);
  });
  const errorLogs: Record<string, number> = {};
  serve.onLine((l) => {
    const m = /"level":(\d+).*"msg":"([^"]*)"/.exec(l);
    if (m && Number(m[1]) >= 50) errorLogs[m[2]!] = (errorLogs[m[2]!] ?? 0) + 1;
  });
  let serveExitedEarly = false;
  let agentExitedEarly = false;
  let finishing = false;
  void serve.exited.then(() => (serveExitedEarly = !finishing));
  void agent.exited.then(() => (agentExitedEarly = !finishing));

  const wsBase = `ws://127.0.0.1:${port}`;
  const records: CallRecord[] = [];
  const live = new Map<string, { call: SimCall; record: CallRecord; backoffHangup: boolean }>();

  const startCall = (i: number): Promise<void> => {
    const protocol: TelephonyProtocol = i % 2 === 0 ? 'twilio' : 'audio-stream';
    const callId = `chaos-${seed}-${i}`;
    const traceId = protocol === 'twilio' ? `CA${callId}` : callId;
    const record: CallRecord = { callId, traceId, protocol, action: { kind: 'script', at: undefined } };
    records.push(record);
    const call = new SimCall({
      url: `${wsBase}/${protocol}`,
      script: SCRIPT,
      seed: seed * 100_003 + i,
      callId,
      maxCallMs: 60_000,
      onTimeline: (e) => {
        if (e.kind === 'connected') record.connectedAt = Date.now();
      },
    });
    const entry = { call, record, backoffHangup: random() < Number(values['backoff-hangup-rate']) };
    live.set(traceId, entry);
    // Some callers lose their socket mid-message at a random instant.
    let dropTimer: NodeJS.Timeout | undefined;
    if (random() < Number(values['drop-rate'])) {
      dropTimer = setTimeout(() => {
        if (record.action.kind !== 'script') return;
        // Only a drop that happened: a caller that already hung up (its `stop` sent, the report
        // not yet done) ends as a hangup, and judging it as a drop was chaos-1-226's verdict.
        const at = Date.now();
        if (call.dropMidMessage()) record.action = { kind: 'drop', at };
      }, 500 + random() * 8000);
    }
    return call
      .start()
      .done.then((report) => {
        clearTimeout(dropTimer);
        record.report = report;
        if (record.action.kind === 'script') {
          const hangup = report.timeline.find((e) => e.kind === 'hangup');
          const connected = report.timeline.find((e) => e.kind === 'connected');
          if (hangup && connected) record.action = { kind: 'script', at: Date.now() - (report.durationMs - hangup.t) };
        }
      })
      .finally(() => live.delete(traceId));
  };

  // Warm-up (lazy initialisation is not a leak), then the baseline of what the server holds.
  await Promise.all([0, 1, 2, 3].map((i) => startCall(-1 - i)));
  await sleep(3000);
  const baseline = holdings(await scrape(base), serve.pid);
  records.length = 0;

  let backoffHangups = 0;
  const watch = await watchMachineState(base, 'aiLink', 'backoff', (callId) => {
    const e = live.get(callId);
    if (!e || !e.backoffHangup || e.record.action.kind !== 'script') return;
    e.record.action = { kind: 'backoff_hangup', at: Date.now() };
    backoffHangups++;
    e.call.hangup();
  });

  // The agent process freezes every few seconds (SIGSTOP) for 0.3–1.5 s.
  let stops = 0;
  const stopWindows: [number, number][] = [];
  let stopTimer: NodeJS.Timeout | undefined;
  const everyMs = Number(values['sigstop-every-ms']);
  const scheduleStop = () => {
    stopTimer = setTimeout(() => {
      try {
        process.kill(agent.pid, 'SIGSTOP');
        stops++;
        stopWindows.push([Date.now(), Infinity]);
      } catch {
        return;
      }
      setTimeout(() => {
        try {
          process.kill(agent.pid, 'SIGCONT');
          stopWindows[stopWindows.length - 1]![1] = Date.now();
        } catch {
          // gone: reported as a crash below
        }
        scheduleStop();
      }, 300 + random() * 1200);
    }, everyMs * (0.5 + random()));
  };
  if (everyMs > 0) scheduleStop();

  const t0 = performance.now();
  const cpu0 = cpuSeconds(serve.pid);
  let peakRss = rssKiB(serve.pid);
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssKiB(serve.pid))), 1000);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      await sleep((lane * 3000) / concurrency); // ramp
      while (next < total && !serveExitedEarly) await startCall(next++);
    }),
  );
  clearTimeout(stopTimer);
  try {
    process.kill(agent.pid, 'SIGCONT');
  } catch {
    // already gone
  }
  clearInterval(rssTimer);
  const wallS = (performance.now() - t0) / 1000;
  const cpuPct = ((cpuSeconds(serve.pid) - cpu0) / wallS) * 100;
  watch.close();

  // Everything ended on the callers' side: wait for the server's side, then let the last
  // close handshakes' 2 s terminate timers run out before counting what is left.
  const idleBy = Date.now() + 15_000;
  while (value(await scrape(base), 'parley_calls_active') > 0 && Date.now() < idleBy) await sleep(200);
  await sleep(3000);
  const after = await scrape(base);
  const left = holdings(after, serve.pid);
  const readyz = (await (await fetch(`${base}/readyz`)).json()) as { calls: number };

  finishing = true;
  agent.child.kill('SIGTERM');
  const agentExit = await agent.exited;
  const agentStats = (agent.json.find((j) => 'stats' in j)?.['stats'] ?? {}) as Record<string, unknown>;
  serve.child.kill('SIGTERM');
  const serveExit = await serve.exited;

  // Judge every call from its trace.
  const files = new Map(readdirSync(traceDir).map((f) => [f.replace(/\.ndjson$/, ''), join(traceDir, f)]));
  const wrong: { callId: string; expected: readonly string[]; got: string | undefined; why?: string; action: string }[] = [];
  const traceProblems: { callId: string; problems: readonly string[] }[] = [];
  const endReasons: Record<string, number> = {};
  const actions: Record<string, number> = {};
  let verifiedBackoffHangups = 0;
  const sessionsOf = new Map<string, string[]>();
  const staleCalls: { callId: string; frames: number; action: string; aiFaults: string[]; giveUpNotice: boolean; explanation: StaleExplanation; reconnects: number; clearAtMs?: number; agentStopped: boolean }[] = [];
  let fatalCalls = 0;
  const firedAfterClose: Record<string, number> = {};
  let callerResets = 0;
  let staleHeard = 0;
  let staleSent = 0;
  let staleExplained = 0;
  const uncountable: { callId: string; linesDropped: number; hasTraceEnd: boolean }[] = [];
  let noTrace = 0;
  const barges: BargeInCall[] = [];
  const bargeTrace = new Map<string, { traced: number; agentStopped: boolean; action: string }>();
  const aiReportLags: (number | null)[] = []; // ms from the caller's speech to the AI's report; null: never
  for (const r of records) {
    const path = files.get(r.traceId);
    let summary: TraceSummary | undefined;
    let lines: TraceRecord[] = [];
    if (path) {
      lines = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRecord);
      summary = summariseTrace(lines);
      if (summary.problems.length > 0) traceProblems.push({ callId: r.callId, problems: summary.problems.slice(0, 5) });
      if (r.action.kind === 'backoff_hangup' && summary.hungUpInBackoff) verifiedBackoffHangups++;
      sessionsOf.set(r.callId, [...summary.sessions]);
      if (!summary.staleCountable) uncountable.push({ callId: r.callId, linesDropped: summary.linesDropped, hasTraceEnd: lines.at(-1)?.event === 'trace.end' });
    } else noTrace++;
    const mySessions = summary?.sessions ?? new Set<string>();
    // Frozen agent around the caller's barge-in speech (wall clock), ±2 s like staleCalls.
    const speechAt = r.connectedAt !== undefined ? r.report?.bargeIns.map((b) => r.connectedAt! + b.speechStartMs) ?? [] : [];
    const agentStopped = speechAt.some((t) => stopWindows.some(([a, b]) => t >= a - 2000 && t <= b + 2000));
    // Did the AI report the barge-in speech while Parley still held agent audio (from the trace)?
    const reports = speechAt.map((t) => aiSpeechReport(lines, t));
    const aiReportedLate = path !== undefined && reports.length > 0 && reports.every((x) => !x.cut);
    if (aiReportedLate) aiReportLags.push(reports[0]?.lagMs ?? null);
    barges.push({ callId: r.callId, report: r.report, attempts: bargeSteps(SCRIPT), aiFault: fired.some((f) => mySessions.has(f.session)), agentStopped, aiReportedLate });
    bargeTrace.set(r.callId, { traced: summary?.bargeInsTraced ?? 0, agentStopped, action: r.action.kind });
    const staleHere = (r.report?.bargeIns ?? []).reduce((a, b) => a + b.staleFramesAfterClear, 0);
    staleHeard += staleHere;
    staleSent += summary?.staleFramesSent ?? 0;
    // Agent audio the caller heard while still speaking after a clear is stale unless what
    // Parley sent in that window was new audio: the give-up notice, or a response to the
    // caller's own speech (the agent took a pause in it for the end of the turn).
    const staleBarge = (r.report?.bargeIns ?? []).find((b) => b.staleFramesAfterClear > 0);
    const explanation: StaleExplanation | undefined =
      staleBarge === undefined ? undefined
      : staleBarge.firstStaleAtMs !== undefined && r.connectedAt !== undefined
        ? explainStaleHeard(lines, r.connectedAt + staleBarge.firstStaleAtMs, staleBarge.clearAtMs !== undefined ? r.connectedAt + staleBarge.clearAtMs : undefined)
      : summary?.noticeAfterBargeIn ? 'notice' : 'unexplained';
    if (staleHere > 0 && (explanation === 'notice' || explanation === 'new_response')) staleExplained += staleHere;
    if (staleHere > 0) {
      const sessions = summary?.sessions ?? new Set<string>();
      const clearAt = r.report?.bargeIns.find((b) => b.staleFramesAfterClear > 0)?.clearAtMs;
      staleCalls.push({
        callId: r.callId,
        frames: staleHere,
        action: r.action.kind,
        aiFaults: fired.filter((f) => sessions.has(f.session)).map((f) => f.kind),
        giveUpNotice: summary?.noticeAfterBargeIn ?? false,
        explanation: explanation ?? 'unexplained',
        reconnects: summary?.reconnects ?? 0,
        ...(clearAt !== undefined ? { clearAtMs: clearAt } : {}),
        agentStopped: stopWindows.some(([a, b]) => r.connectedAt !== undefined && clearAt !== undefined && r.connectedAt + clearAt >= a - 2000 && r.connectedAt + clearAt <= b + 2000),
      });
    }
    const facts: CallFacts = {
      callId: r.callId,
      protocol: r.protocol,
      action: r.action,
      serverClosed: r.action.kind === 'script' && /server closed the call/.test(r.report?.failure ?? ''),
      staleFramesAfterClear: staleHere,
      callerReset: callerReset(r.report),
    };
    const v = judge(facts, summary, fired);
    if (facts.callerReset) callerResets++;
    if (v.fatalFault) fatalCalls++;
    // Faults the agent fired on a socket Parley had already closed: they reached no live link.
    for (const f of fired) {
      const closed = summary?.sessionClosedWall.get(f.session);
      if (closed !== undefined && f.t > closed) firedAfterClose[f.kind] = (firedAfterClose[f.kind] ?? 0) + 1;
    }
    endReasons[v.got ?? 'none'] = (endReasons[v.got ?? 'none'] ?? 0) + 1;
    actions[r.action.kind] = (actions[r.action.kind] ?? 0) + 1;
    if (!v.ok) wrong.push({ callId: r.callId, expected: v.expected, got: v.got, ...(v.why ? { why: v.why } : {}), action: r.action.kind });
  }
  // TLC trace validation: the calls that met a fault or a caller action first.
  const wantTlc = values['validate-traces'] === 'all' ? records.length : Number(values['validate-traces']);
  const faulted = new Set(fired.map((f) => f.session));
  const interesting = (r: CallRecord) => r.action.kind !== 'script' || (sessionsOf.get(r.callId) ?? []).some((x) => faulted.has(x));
  const chosen = [...records.filter(interesting), ...records.filter((r) => !interesting(r))]
    .filter((r) => files.has(r.traceId))
    .slice(0, Math.max(0, wantTlc))
    .map((r) => ({ callId: r.callId, path: files.get(r.traceId)! }));
  const tlc = chosen.length > 0 ? await validateTraces(chosen, repoRoot) : undefined;
  const coreTlc = chosen.length > 0 ? await validateCoreTraces(chosen, repoRoot) : undefined;
  if (!values['keep-traces']) rmSync(traceDir, { recursive: true, force: true });

  const firedByKind: Record<string, number> = {};
  for (const f of fired) firedByKind[f.kind] = (firedByKind[f.kind] ?? 0) + 1;
  const crashes = [serveExitedEarly && 'serve exited during the run', agentExitedEarly && 'agent exited during the run', serveExit.code !== 0 && `serve exit ${serveExit.code ?? serveExit.signal}`, agentExit.code !== 0 && `agent exit ${agentExit.code ?? agentExit.signal}`].filter(Boolean);
  const summary = {
    bench: 'chaos',
    seed,
    calls: records.length,
    concurrency,
    wallSeconds: Math.round(wallS),
    crashes: crashes.length,
    crashDetails: crashes,
    endedWrongly: wrong.length,
    wrong: wrong.slice(0, 20),
    endReasons,
    callerActions: actions,
    // Hang-ups whose close handshake did not finish within the caller's 2 s: it reset the socket
    // (what Parley had not read yet is lost with it; socket_error is then an accepted ending).
    callerResets,
    faults: {
      ai: firedByKind,
      aiConnectionsFaulted: fired.length,
      callsWithFatalAiError: fatalCalls,
      firedOnSocketsParleyHadClosed: firedAfterClose,
      agentSigstops: stops,
      telephonyDropsMidMessage: actions['drop'] ?? 0,
      hangupsDuringBackoff: { attempted: backoffHangups, verifiedInTrace: verifiedBackoffHangups },
    },
    // Stale = frames of the interrupted response after the clear, as Parley sent them (trace) plus
    // what callers heard during their own speech that the give-up notice does not explain.
    // null when a trace lost lines (or is missing): a lost line may have been a stale frame.
    staleFramesAfterBargeIn: uncountable.length + noTrace > 0 ? null : staleSent + (staleHeard - staleExplained),
    staleDetail: {
      sentPerTrace: staleSent,
      heardByCallers: staleHeard,
      heardButNewAudio: staleExplained,
      tracesWithDroppedLines: uncountable.length,
      callsWithoutTrace: noTrace,
      uncountable: uncountable.slice(0, 20),
    },
    staleCalls: staleCalls.filter((c) => c.explanation !== 'notice' && c.explanation !== 'new_response').slice(0, 30),
    bargeIns: (() => {
      const h = bargeInsHonoured(barges);
      // For each barge-in nothing explains: did the runtime take it at all (trace), what did the caller see.
      const detail = h.notHonoured.map((id) => ({ callId: id, ...bargeTrace.get(id), caller: records.find((x) => x.callId === id)?.report?.bargeIns }));
      // The AI's report lag over every call whose barge-in speech it reported only after Parley's
      // audio had ended (whether or not the barge-in was otherwise explained).
      const lags = aiReportLags.filter((x): x is number => x !== null).sort((a, b) => a - b);
      const aiReportLag = { calls: aiReportLags.length, never: aiReportLags.length - lags.length, p50Ms: lags[Math.floor(lags.length / 2)] ?? null, maxMs: lags.at(-1) ?? null };
      return { ...h, notHonouredDetail: detail, aiReportedLate: aiReportLag };
    })(),
    leftAfterAllCallsEnded: {
      callsActive: left.calls,
      readyzCalls: readyz.calls,
      agentConnections: agentStats['activeConnections'] ?? null,
      handlesDelta: diff(left.handles, baseline.handles),
      resourcesDelta: diff(left.resources, baseline.resources),
      fdsDelta: left.fds - baseline.fds,
      // Which kind of descriptor the difference is (a leak per call would show as many sockets).
      fdKindsDelta: diff(left.fdKinds, baseline.fdKinds),
      threadsDelta: left.threads - baseline.threads,
      baseline,
      after: left,
    },
    drops: byLabel(after, 'parley_drops_total', 'reason'),
    droppedAudioSeconds: byLabel(after, 'parley_dropped_audio_seconds_total', 'reason'),
    reconnects: byLabel(after, 'parley_reconnects_total', 'outcome'),
    aiErrors: byLabel(after, 'parley_ai_errors_total', 'kind'),
    protocolRejections: byLabel(after, 'parley_protocol_rejections_total', 'reason'),
    errorLogs,
    traceChecks: { checked: records.length, withProblems: traceProblems.length, problems: traceProblems.slice(0, 10) },
    tlcTraceValidation: tlc ? { ...tlc, rejected: tlc.rejected.slice(0, 20), rejectedCount: tlc.rejected.length } : null,
    coreTraceValidation: coreTlc ? { ...coreTlc, rejected: coreTlc.rejected.slice(0, 20), rejectedCount: coreTlc.rejected.length } : null,
    serve: { cpuPct: Math.round(cpuPct), peakRssMiB: Math.round(peakRss / 1024) },
    agent: agentStats,
    inspectDropped: watch.dropped,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
