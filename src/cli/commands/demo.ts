// `parley demo`: the whole product offline in one process — `parley serve` with the built-in
// agent, and one simulated caller who talks, loses the AI for a moment (a dropped connection,
// reconnected), then talks over the agent. Prints the timeline and the barge-in figures and
// writes the recording, the trace and an HTML report to a directory it names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../config/index.js';
import { buildTimeline, callerTime, formatTimeline } from '../../obs/timeline.js';
import { renderHtmlReport } from '../../obs/htmlReport.js';
import type { TraceRecord } from '../../obs/trace.js';
import { FRAME_MS } from '../../media/types.js';
import { startParley } from '../../app.js';
import type { CallEvent } from '../../records/index.js';
import { simCall } from '../../tools/sim/caller/index.js';
import type { CallReport, ScriptStep } from '../../tools/sim/caller/index.js';
import { readWav } from '../../tools/sim/audio/wav.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: parley demo [--out DIR] [--protocol twilio|audio-stream] [--no-drop]

Runs one complete simulated call offline (no keys needed) and reports on it.
  --out DIR      where to write the report (default: a new directory under ${tmpdir()})
  --protocol P   the telephony leg to simulate (default twilio)
  --no-drop      do not drop the AI connection during the first reply
`;

/** Talk; hear a reply (its AI connection drops mid-way); talk; interrupt the reply; hear the next. */
const SCRIPT: readonly ScriptStep[] = [
  { kind: 'say', ms: 1200 },
  { kind: 'listen', quietMs: 600 },
  { kind: 'say', ms: 900 },
  { kind: 'barge', afterMs: 800, sayMs: 1000 },
  { kind: 'listen', quietMs: 500 },
  { kind: 'hangup' },
];

const AGENT_REPLY_MS = 2400;
/** Audio deltas of the first reply sent before the demo drops the AI connection. */
const DROP_AFTER_DELTAS = 4;

function readTrace(path: string): TraceRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceRecord);
}

const ms = (x: number | undefined, digits = 0) => (x === undefined ? 'n/a' : `${x.toFixed(digits)} ms`);

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('demo', USAGE, argv, { out: { type: 'string' }, protocol: { type: 'string' }, 'no-drop': { type: 'boolean' } });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const protocol = (values.protocol ?? 'twilio') as TelephonyProtocol;
  if (protocol !== 'twilio' && protocol !== 'audio-stream') {
    process.stderr.write(`parley demo: --protocol must be twilio or audio-stream\n`);
    return 2;
  }
  const out = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'parley-demo-')));
  const drop = !values['no-drop'];

  let config;
  try {
    // Offline whatever the environment says: the built-in agent, loopback, quiet logs.
    config = loadConfig({
      overrides: { port: 0, host: '127.0.0.1', traceDir: out, logLevel: 'silent', authToken: undefined, ai: { mode: 'local' }, records: { recordingDir: join(out, 'record'), record: true } },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley demo: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Parley's own record of the call (events, transcript, recording), beside the caller's.
  const events: CallEvent[] = [];
  const app = await startParley({ config, localAgent: { replyMs: AGENT_REPLY_MS }, records: { onEvent: (e) => events.push(e) } });
  const agent = app.localAgent!.agent;
  const media = app.mediaKind;
  process.stdout.write(
    `Parley demo: one simulated ${protocol === 'twilio' ? 'Twilio Media Streams' : 'FreeSWITCH mod_audio_stream'} call, offline ` +
      `(built-in agent, ${media} media core)\n\n`,
  );

  let report: CallReport;
  try {
    // Lateness is measured against real-time pacing with the lookahead beyond the frame in
    // flight (the media core's lookahead counts that frame, the caller's lead does not).
    const leadMs = config.media.lookaheadMs - FRAME_MS;
    const call = simCall({ url: `ws://127.0.0.1:${app.port}/${protocol}`, script: SCRIPT, outDir: out, maxCallMs: 45_000, leadMs });
    if (drop) {
      const armed = setInterval(() => {
        const first = agent.connections()[0];
        if (!first) return;
        clearInterval(armed);
        agent.inject({ kind: 'drop', afterDeltas: DROP_AFTER_DELTAS }, first.id);
      }, 5);
      void call.finally(() => clearInterval(armed));
    }
    report = await call;
    const end = Date.now() + 5000;
    while (app.server.activeCalls > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await app.shutdown();
  }

  const recordDir = join(out, 'record');
  writeFileSync(join(recordDir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const ended = events.find((e) => e.type === 'call.ended');
  const transcriptPath = join(recordDir, 'transcript.json');
  if (ended?.type === 'call.ended') writeFileSync(transcriptPath, JSON.stringify(ended.transcript, null, 2));
  const tracePath = join(out, `${report.callId.startsWith('CA') || protocol !== 'twilio' ? report.callId : `CA${report.callId}`}.ndjson`);
  const trace = readTrace(tracePath);
  const rows = buildTimeline(report.timeline, trace);
  process.stdout.write(`${formatTimeline(rows)}\n\n`);

  const barge = report.bargeIns[0];
  const truncate = agent.stats().truncates[0];
  const bargeLine = trace.find((r) => r.src === 'runtime' && r.event === 'barge_in');
  const parleyCutMs = bargeLine ? Number((bargeLine.data as { cutoffMs: number }).cutoffMs) : undefined;
  const heardSpeech = barge ? trace.find((r) => r.src === 'ai' && r.event === 'speech_started' && callerTime(trace, r.t) >= barge.speechStartMs) : undefined;
  const vadMs = barge && heardSpeech ? callerTime(trace, heardSpeech.t) - barge.speechStartMs : undefined;
  const attempts = await app.metrics.value('parley_reconnects_total', { outcome: 'attempt' });
  const successes = await app.metrics.value('parley_reconnects_total', { outcome: 'success' });
  const truncErr = barge && truncate ? Math.abs(truncate.audioEndMs - barge.heardMs) : undefined;
  const latencies = report.turns.map((t) => t.responseLatencyMs).filter((x): x is number => x !== undefined);

  const facts: [string, string][] = [
    ['call', `${report.ok ? 'completed' : `FAILED: ${report.failure ?? '?'}`} in ${(report.durationMs / 1000).toFixed(1)} s (${protocol}, built-in agent, ${media} media core)`],
    ['barge-in', barge ? `caller talked over the agent after hearing ${ms(barge.heardAtSpeechMs)} of its reply` : 'none'],
    ['speech start → agent VAD', ms(vadMs)],
    ['speech_started → clear sent (Parley cut-off)', ms(parleyCutMs, 2)],
    ['speech start → caller playback cleared', ms(barge?.cutoffLatencyMs)],
    ['stale agent frames after the cut', String(barge?.staleFramesAfterClear ?? 'n/a')],
    ['truncate point vs heard', truncate && barge ? `audio_end_ms ${truncate.audioEndMs} vs heard ${barge.heardMs} ms (error ${ms(truncErr)})` : 'n/a'],
    ['reconnects', `${successes} of ${attempts} attempt(s) succeeded${drop ? ' (the demo dropped the AI connection during the first reply)' : ''}`],
    ['AI first audio after caller stops', latencies.length ? latencies.map((l) => `${l.toFixed(0)} ms`).join(', ') : 'n/a'],
    ['outbound frame lateness p50 / p99', `${report.lateness.p50.toFixed(1)} / ${report.lateness.p99.toFixed(1)} ms; underruns ${report.underruns}`],
  ];
  for (const [k, v] of facts) process.stdout.write(`  ${k.padEnd(46)} ${v}\n`);

  const wavPath = report.wavPath;
  const wav = wavPath ? readWav(wavPath) : undefined;
  let wave;
  if (wav && wav.channels === 2) {
    const n = wav.samples.length / 2;
    const left = new Int16Array(n);
    const right = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      left[i] = wav.samples[2 * i]!;
      right[i] = wav.samples[2 * i + 1]!;
    }
    wave = { rate: wav.sampleRate, left, right };
  }
  const markers = [
    ...report.timeline.filter((e) => e.kind === 'speech_start').map((e) => ({ t: e.t, label: 'caller speaks' })),
    ...report.timeline.filter((e) => e.kind === 'clear').map((e) => ({ t: e.t, label: 'cleared' })),
    ...trace.filter((r) => r.src === 'runtime' && r.event === 'reconnect.scheduled').map((r) => ({ t: callerTime(trace, r.t), label: 'AI dropped' })),
  ];
  const htmlPath = join(out, 'report.html');
  writeFileSync(
    htmlPath,
    renderHtmlReport({
      title: 'Parley demo',
      subtitle: `${new Date().toISOString()} — one simulated call, offline`,
      facts,
      rows,
      ...(wave ? { wave } : {}),
      markers,
      files: [
        ...(wavPath ? [{ label: `recording (left: caller, right: what the caller heard) — ${basename(wavPath)}`, href: basename(wavPath) }] : []),
        { label: `Parley's trace (NDJSON) — ${basename(tracePath)}`, href: basename(tracePath) },
        ...(report.timelinePath ? [{ label: `caller timeline (JSON) — ${basename(report.timelinePath)}`, href: basename(report.timelinePath) }] : []),
        { label: "Parley's call record: events (NDJSON) — record/events.ndjson", href: 'record/events.ndjson' },
        ...(ended?.type === 'call.ended' ? [{ label: "Parley's call record: transcript — record/transcript.json", href: 'record/transcript.json' }] : []),
        ...(ended?.type === 'call.ended' && ended.recording ? [{ label: `Parley's recording — record/${basename(ended.recording)}`, href: `record/${basename(ended.recording)}` }] : []),
      ],
    }),
  );
  process.stdout.write(`\nwrote ${out}/\n  report.html   the report\n`);
  if (wavPath) process.stdout.write(`  ${basename(wavPath)}   stereo recording (left: caller, right: what the caller heard)\n`);
  process.stdout.write(`  ${basename(tracePath)}   Parley's trace (one JSON object per line)\n`);
  process.stdout.write(`  record/       Parley's call record: events.ndjson, transcript.json, its own stereo recording\n`);
  return report.ok ? 0 : 1;
}
