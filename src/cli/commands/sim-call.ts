// `parley sim-call`: a simulated caller (any telephony platform Parley speaks) and load generator.
import { protocolOf, runLoad, simCall, parseScript } from '../../tools/sim/caller/index.js';
import { SIM_PROTOCOLS } from '../../tools/sim/caller/leg-factory.js';
import type { SimCallOptions, TimelineEvent } from '../../tools/sim/caller/types.js';
import { parseCommandArgs } from '../args.js';
import { audioSocketCall } from '../../tools/sim/caller/audiosocket-run.js';
import { startFakeEsl, type FakeEsl } from '../../tools/sim/platform/fakeEsl.js';

const USAGE = `usage: parley sim-call [options]

Calls a running bridge as a telephony platform would (each WebSocket platform's caller
emulator, or Asterisk AudioSocket over TCP).

  --url URL          ws://host:port/<platform>, e.g. ws://host:port/twilio or /telnyx,
                     or tcp://host:port for AudioSocket (PARLEY_AUDIOSOCKET_PORT)
                     (default ws://127.0.0.1:$PORT/twilio, PORT default 8080)
  --protocol P       ${[...SIM_PROTOCOLS, 'audiosocket'].join(' | ')}
                     (default: from the URL; audiosocket runs one fixed script: turn, turn, barge-in, hang-up)
  --token T          bearer token (default $PARLEY_AUTH_TOKEN)
  --rate R           sample rate 8000 | 16000 (default 8000; Twilio is always 8000)
  --codec C          telnyx, plivo, asterisk wire codec: mulaw | alaw | pcm16 (default mulaw at 8000, pcm16 at 16000)
  --script S         steps, comma separated (default say:1200,listen,say:800,barge:600:1000,listen,hangup):
                     say:MS silence:MS listen[:QUIET_MS[:TIMEOUT_MS]] barge:AFTER_MS:SAY_MS dtmf:D
                     wait-hangup[:TIMEOUT_MS] (the agent ends the call; the report's "goodbye" says
                     what was heard of it and its frames missing at the far side) hangup
  --fake-esl [HOST:]PORT  audio-stream: serve a fake FreeSWITCH event socket there (point Parley's
                     PARLEY_FREESWITCH_ESL at it): dtmf:D steps become DTMF events for the call's
                     uuid (the metadata's callId), and its uuid_kill/uuid_transfer are listed in
                     the JSON ("esl")
  --esl-password P   the fake event socket's password (default ClueCon)
  --wav FILE         take the caller's speech from a PCM16 WAV instead of synthesizing it
  --param K=V        Twilio customParameters (repeatable)
  --metadata JSON    audio-stream metadata frame ('none' to send none; default {"callId","sampleRate"})
  --out DIR          write <callId>.wav (stereo: caller | heard) and <callId>.json (timeline)
  --lead-ms N        lead assumed for outbound frame lateness (default: the burst each run starts with)
  --max-call-ms N    give up after N ms (default 60000)
  --calls N          run N concurrent calls and print a JSON summary (--out records the first)
  --ramp-ms N        spread call starts over N ms (default 20 ms per call, at most 10 s)
  --quiet            no live timeline, only the final JSON line
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('sim-call', USAGE, argv, {
    url: { type: 'string' },
    protocol: { type: 'string' },
    token: { type: 'string' },
    rate: { type: 'string' },
    codec: { type: 'string' },
    script: { type: 'string' },
    wav: { type: 'string' },
    param: { type: 'string', multiple: true },
    metadata: { type: 'string' },
    out: { type: 'string' },
    'lead-ms': { type: 'string' },
    'max-call-ms': { type: 'string' },
    calls: { type: 'string' },
    'ramp-ms': { type: 'string' },
    quiet: { type: 'boolean' },
    'fake-esl': { type: 'string' },
    'esl-password': { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  let options: SimCallOptions;
  let calls: number;
  let rampMs: number | undefined;
  const asUrl = values.url ?? '';
  if (values.protocol === 'audiosocket' || asUrl.startsWith('tcp://')) {
    if (!asUrl.startsWith('tcp://')) {
      process.stderr.write('parley sim-call: --protocol audiosocket needs --url tcp://host:port\n');
      return 2;
    }
    const r = await audioSocketCall(asUrl, values['max-call-ms'] ? Number(values['max-call-ms']) : undefined);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  }
  try {
    const url = values.url ?? `ws://127.0.0.1:${process.env['PORT'] ?? '8080'}/twilio`;
    try {
      const u = new URL(url);
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error();
    } catch {
      throw new Error(`--url must be a ws:// or wss:// URL, got '${url}'`);
    }
    if (values.protocol !== undefined && !(SIM_PROTOCOLS as readonly string[]).includes(values.protocol)) {
      throw new Error(`--protocol must be one of ${SIM_PROTOCOLS.join(', ')}, got '${values.protocol}'`);
    }
    const codec = values.codec;
    if (codec !== undefined && codec !== 'mulaw' && codec !== 'alaw' && codec !== 'pcm16') throw new Error(`--codec must be mulaw, alaw or pcm16, got '${codec}'`);
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    if (rate !== undefined && rate !== 8000 && rate !== 16000) throw new Error(`--rate must be 8000 or 16000, got '${values.rate}'`);
    const customParameters: Record<string, string> = {};
    for (const p of values.param ?? []) {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new Error(`--param must be K=V, got '${p}'`);
      customParameters[p.slice(0, eq)] = p.slice(eq + 1);
    }
    let metadata: Record<string, unknown> | null | undefined;
    if (values.metadata === 'none') metadata = null;
    else if (values.metadata !== undefined) {
      try {
        metadata = JSON.parse(values.metadata) as Record<string, unknown>;
      } catch {
        throw new Error('--metadata must be JSON or none');
      }
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new Error('--metadata must be a JSON object');
    }
    const int = (name: string, v: string | undefined, min: number): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
      return n;
    };
    calls = int('calls', values.calls, 1) ?? 1;
    rampMs = int('ramp-ms', values['ramp-ms'], 0);
    const token = values.token ?? process.env['PARLEY_AUTH_TOKEN'];
    const lead = int('lead-ms', values['lead-ms'], 0);
    const max = int('max-call-ms', values['max-call-ms'], 1000);
    options = {
      url,
      protocol: protocolOf(url, values.protocol),
      ...(token ? { token } : {}),
      ...(rate ? { sampleRate: rate } : {}),
      ...(codec ? { codec } : {}),
      ...(values.script ? { script: parseScript(values.script) } : {}),
      ...(values.wav ? { wavPath: values.wav } : {}),
      ...(Object.keys(customParameters).length > 0 ? { customParameters } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      ...(values.out ? { outDir: values.out } : {}),
      ...(lead !== undefined ? { leadMs: lead } : {}),
      ...(max !== undefined ? { maxCallMs: max } : {}),
    };
  } catch (err) {
    process.stderr.write(`parley sim-call: ${(err as Error).message}\n`);
    return 2;
  }

  let esl: FakeEsl | undefined;
  if (values['fake-esl'] !== undefined) {
    const m = /^(?:(.+):)?(\d{1,5})$/.exec(values['fake-esl']);
    if (!m) {
      process.stderr.write(`parley sim-call: --fake-esl must be [HOST:]PORT, got '${values['fake-esl']}'\n`);
      return 2;
    }
    try {
      esl = await startFakeEsl(values['esl-password'] ?? 'ClueCon', { host: m[1] ?? '127.0.0.1', port: Number(m[2]), anyChannel: true });
    } catch (err) {
      process.stderr.write(`parley sim-call: --fake-esl: ${(err as Error).message}\n`);
      return 2;
    }
    if (!values.quiet) process.stderr.write(`fake FreeSWITCH event socket on ${esl.host}:${esl.port}\n`);
    options = { ...options, keypad: (uuid, digit) => esl!.pressDigit(uuid, digit) };
  }
  const eslLines = () => (esl ? { esl: esl.commands.map((c) => c.line).filter((l) => l.startsWith('api ')) } : {});
  try {
    if (calls > 1) {
      const { reports: _r, ...summary } = await runLoad({ ...options, calls, ...(rampMs !== undefined ? { rampMs } : {}) });
      process.stdout.write(`${JSON.stringify({ ...summary, ...eslLines() })}\n`);
      return summary.failed === 0 ? 0 : 1;
    }
    const live = (e: TimelineEvent) => process.stderr.write(`${String(Math.round(e.t)).padStart(7)} ms  ${e.kind}${e.detail ? `  ${e.detail}` : ''}\n`);
    const report = await simCall({ ...options, ...(values.quiet ? {} : { onTimeline: live }) });
    if (!values.quiet && report.wavPath) process.stderr.write(`wrote ${report.wavPath} and ${report.timelinePath}\n`);
    // Give Parley's platform action a moment to reach the fake event socket after the stream closed.
    if (esl) await new Promise((r) => setTimeout(r, 200));
    const { timeline: _t, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ ...rest, ...eslLines() })}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await esl?.close();
  }
}
