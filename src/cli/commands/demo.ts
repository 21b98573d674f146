// `parley demo`: the whole product offline in one process — `parley serve` with the built-in
// agent and a small local order service as its HTTP tool, and one simulated caller: the agent
// greets first, the caller talks over its reply and asks, the agent looks the order up (a tool
// round trip) and speaks the result, the AI is lost for a moment (a dropped connection,
// reconnected), the caller talks again and the agent says goodbye and ends the call (end_call,
// through a local stand-in for the platform: Twilio's REST API or FreeSWITCH's event socket).
// Prints the timeline, the barge-in and goodbye figures and writes the recording, the trace,
// Parley's call record and an HTML report to a directory it names.
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
import { startOrderService } from '../demoOrders.js';
import { startDemoPlatform } from '../demoPlatform.js';

const USAGE = `usage: parley demo [--out DIR] [--protocol twilio|audio-stream] [--no-drop]

Runs one complete simulated call offline (no keys needed) and reports on it.
  --out DIR      where to write the report (default: a new directory under ${tmpdir()})
  --protocol P   the telephony leg to simulate (default twilio)
  --no-drop      do not drop the AI connection during the first reply
`;

/**
 * Hear the greeting; talk; interrupt the reply and ask (the agent's third response calls the
 * order tool, its fourth speaks the result); talk (that reply's AI connection drops mid-way);
 * talk once more on the new connection: the agent answers with a goodbye and ends the call.
 */
const SCRIPT: readonly ScriptStep[] = [
  { kind: 'listen', quietMs: 400 },
  { kind: 'say', ms: 900 },
  { kind: 'barge', afterMs: 800, sayMs: 1000 },
  { kind: 'listen', quietMs: 500 },
  { kind: 'say', ms: 900 },
  { kind: 'listen', quietMs: 600 },
  { kind: 'say', ms: 700 },
  { kind: 'await_hangup', timeoutMs: 12_000 },
];
/** The caller's turn the agent answers with a goodbye and end_call: the last one of SCRIPT. */
const GOODBYE_CALLER_TURN = 4;

const AGENT_REPLY_MS = 1800;
const AGENT_DELTA_MS = 100;
/** The response (on the first connection) that calls the tool: after the greeting and the interrupted reply. */
const TOOL_TURN = 3;
/** Audio deltas of the reply after the tool result sent before the demo drops the AI connection. */
const DROP_AFTER_DELTAS = 4;
const DEMO_SECRET = 'parley-demo-webhook-secret';
const DEMO_BEARER = 'parley-demo-bearer';
const GREETING = 'Thanks for calling Parley Parts. How can I help?';

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

  const orders = await startOrderService(DEMO_SECRET);
  // The platform's side of call control, on loopback: Twilio's REST API or FreeSWITCH's event socket.
  const platform = await startDemoPlatform(protocol);
  let config;
  try {
    // Offline whatever the environment says: the built-in agent, loopback, quiet logs, and the
    // demo's own tool and greeting as the default profile.
    config = loadConfig({
      overrides: {
        port: 0,
        host: '127.0.0.1',
        traceDir: out,
        logLevel: 'silent',
        authToken: DEMO_BEARER,
        webhookSecret: DEMO_SECRET,
        ...platform.config,
        callControl: { tools: ['end_call'], endCallMaxWaitMs: 5000 },
        records: { recordingDir: join(out, 'record'), record: true },
        ai: { mode: 'local' },
        tools: {
          lookup_order: {
            description: 'Look up the status of an order by its number',
            url: orders.url,
            timeoutMs: 3000,
            parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
          },
        },
        agents: {
          default: {
            instructions: 'You are the phone agent of Parley Parts. Look orders up with lookup_order; when the caller is done, say goodbye and call end_call.',
            greeting: GREETING,
            tools: ['lookup_order', 'end_call'],
          },
        },
      },
    });
  } catch (err) {
    await orders.close();
    await platform.close();
    if (err instanceof ConfigError) {
      process.stderr.write(`parley demo: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Parley's own record of the call (events, transcript, recording), beside the caller's.
  const events: CallEvent[] = [];
  const app = await startParley({
    config,
    localAgent: {
      replyMs: AGENT_REPLY_MS,
      deltaMs: AGENT_DELTA_MS,
      toolCalls: [
        { turn: TOOL_TURN, name: 'lookup_order', arguments: { order: '4711' } },
        // Keyed to the conversation, not the connection: whichever connection hears the caller's
        // last turn (the demo drops the first) answers it with a goodbye, then end_call.
        { callerTurn: GOODBYE_CALLER_TURN, name: 'end_call', arguments: { reason: 'the caller is done' }, afterSpeech: true },
      ],
    },
    records: { onEvent: (e) => events.push(e) },
  });
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
    const callId = platform.channelUuid;
    const call = simCall({ url: `ws://127.0.0.1:${app.port}/${protocol}`, token: DEMO_BEARER, script: SCRIPT, outDir: out, maxCallMs: 45_000, leadMs, callId, ...(protocol === 'audio-stream' ? { metadata: { callId } } : {}) });
    if (drop) {
      // Once the tool has been called: drop the connection a few deltas into the reply after
      // the one that speaks the tool's result.
      const armed = setInterval(() => {
        const first = agent.connections()[0];
        if (!first || orders.requests.length === 0) return;
        clearInterval(armed);
        agent.inject({ kind: 'drop', afterDeltas: AGENT_REPLY_MS / AGENT_DELTA_MS + DROP_AFTER_DELTAS }, first.id);
      }, 5);
      void call.finally(() => clearInterval(armed));
    }
    report = await call;
    const end = Date.now() + 5000;
    while (app.server.activeCalls > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await app.shutdown();
    await orders.close();
    await platform.close();
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

  // The HTTP tool's round trip (end_call has its own line below).
  const toolResults = trace
    .filter((r) => r.src === 'runtime' && r.event === 'tool.result')
    .map((r) => r.data as { name?: string; outcome?: string; ms?: number })
    .filter((t) => t.name !== 'end_call');
  const toolLine = toolResults.length
    ? toolResults.map((t) => `${t.name ?? '?'} → ${t.outcome ?? '?'} in ${t.ms ?? '?'} ms`).join('; ') +
      ` (the demo's order service, ${orders.requests.every((r) => r.signed) ? 'signature verified' : 'SIGNATURE NOT VERIFIED'})`
    : 'none';
  const greeted = trace.some((r) => r.src === 'ai' && r.event === 'greeting');
  // The goodbye: what the agent sent before end_call against what the caller heard of it.
  const goodbyeSent = agent.stats().callsAfterSpeech.find((c) => c.name === 'end_call')?.speechMs;
  const goodbye = report.goodbye;
  const goodbyeMissing = goodbye && goodbyeSent !== undefined ? Math.max(goodbye.missingFrames, Math.ceil((goodbyeSent - goodbye.heardMs) / FRAME_MS - 1e-9)) : undefined;
  const hangups = platform.hangups();
  const goodbyeLine =
    goodbye && goodbyeSent !== undefined
      ? `the agent said ${goodbyeSent.toFixed(0)} ms, the caller heard ${goodbye.heardMs.toFixed(0)} ms; frames missing ${goodbyeMissing}; platform hang-ups ${hangups} (${platform.via})`
      : `none (the call did not end with the agent's goodbye; platform hang-ups ${hangups})`;
  const facts: [string, string][] = [
    ['greeting', greeted ? `the agent spoke first: "${GREETING}"` : 'none'],
    ['tool round trip', toolLine],
    ['call', `${report.ok ? 'completed' : `FAILED: ${report.failure ?? '?'}`} in ${(report.durationMs / 1000).toFixed(1)} s (${protocol}, built-in agent, ${media} media core)`],
    ['barge-in', barge ? `caller talked over the agent after hearing ${ms(barge.heardAtSpeechMs)} of its reply` : 'none'],
    ['speech start → agent VAD', ms(vadMs)],
    ['speech_started → clear sent (Parley cut-off)', ms(parleyCutMs, 2)],
    ['speech start → caller playback cleared', ms(barge?.cutoffLatencyMs)],
    ['stale agent frames after the cut', String(barge?.staleFramesAfterClear ?? 'n/a')],
    ['truncate point vs heard', truncate && barge ? `audio_end_ms ${truncate.audioEndMs} vs heard ${barge.heardMs} ms (error ${ms(truncErr)})` : 'n/a'],
    ['reconnects', `${successes} of ${attempts} attempt(s) succeeded${drop ? ' (the demo dropped the AI connection during the reply after the tool result)' : ''}`],
    ['goodbye (end_call)', goodbyeLine],
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
    ...trace.filter((r) => r.src === 'runtime' && r.event === 'tool.result').map((r) => ({ t: callerTime(trace, r.t), label: `tool ${String((r.data as { ms?: number }).ms)} ms` })),
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
  // The demo is the product's promise in one call: it fails when the goodbye was cut or the hang-up not single.
  return report.ok && goodbyeMissing === 0 && hangups === 1 ? 0 : 1;
}
