// `parley sim-agent`: the offline OpenAI-Realtime-GA-compatible agent as a process.
import { startSimAgent } from '../../tools/sim/agent/server.js';
import { parseFaultSpec } from '../../tools/sim/agent/faults.js';
import { parseToolCallSpec } from '../../tools/sim/agent/toolCalls.js';
import type { ReplyMode, SimFault } from '../../tools/sim/agent/types.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: parley sim-agent [options]

An offline stand-in for OpenAI Realtime (GA): point PARLEY_OPENAI_URL at the printed URL.

  --port N             listen port (default 8090; 0 = any)
  --host H             listen address (default 127.0.0.1)
  --api-key K          require "Authorization: Bearer K" (default: none)
  --reply MODE         melody (a sung formant melody) | echo (the caller's turn played back); default melody
  --reply-ms N         length of a melody reply (default 2400)
  --delta-ms N         audio per output delta (default 100)
  --speed X            how much faster than real time deltas stream (default 4)
  --first-audio-ms N   delay before the first delta of a response (default 120)
  --session-max-ms N   session lifetime before session_expired (default 3600000)
  --fault SPEC         arm a fault on every connection (repeatable), e.g. drop:afterDeltas=5,
                       error:code=server_error, stall:ms=500, delay:ms=50, close:code=1011,
                       slow_reader:ms=1000. Per connection: ?sim_fault=SPEC, ?sim_reject=STATUS,
                       or the client event {"type":"sim.fault","fault":{...}}.
  --tool-call SPEC     a reply script (repeatable): TURN:NAME:JSON-ARGS, e.g. 1:lookup_order:{"order":"123"}
                       makes response 1 call lookup_order (if the session lists it) and the next
                       response speak its output. cN for TURN: the answer to the caller's Nth turn
                       of the conversation (replayed caller messages count, so it survives a
                       reconnect); a trailing + speaks first, then calls: c3+:end_call:{} is a
                       goodbye, then the hang-up. Per connection: ?sim_tool=SPEC.
  --seed N             voice seed (default 1)
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('sim-agent', USAGE, argv, {
    port: { type: 'string', default: '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
    reply: { type: 'string', default: 'melody' },
    'reply-ms': { type: 'string' },
    'delta-ms': { type: 'string' },
    speed: { type: 'string' },
    'first-audio-ms': { type: 'string' },
    'session-max-ms': { type: 'string' },
    fault: { type: 'string', multiple: true },
    'tool-call': { type: 'string', multiple: true },
    seed: { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const num = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${v}'`);
    return n;
  };
  let faults: SimFault[];
  let opts;
  try {
    if (values.reply !== 'melody' && values.reply !== 'echo') throw new Error(`--reply must be melody or echo, got '${values.reply}'`);
    faults = (values.fault ?? []).map((spec) => {
      const p = parseFaultSpec(spec);
      if (!p.ok) throw new Error(`--fault ${spec}: ${p.error}`);
      return p.fault;
    });
    const toolCalls = (values['tool-call'] ?? []).map((spec) => {
      const p = parseToolCallSpec(spec);
      if (!p.ok) throw new Error(`--tool-call: ${p.error}`);
      return p.call;
    });
    const port = num('port', values.port, 0)!;
    if (port > 65535 || !Number.isInteger(port)) throw new Error(`--port must be 0..65535, got '${values.port}'`);
    opts = {
      host: values.host,
      port,
      replyMode: values.reply as ReplyMode,
      faults,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
      ...optional('replyMs', num('reply-ms', values['reply-ms'], 20)),
      ...optional('deltaMs', num('delta-ms', values['delta-ms'], 10)),
      ...optional('speed', num('speed', values.speed, 0.1)),
      ...optional('firstAudioDelayMs', num('first-audio-ms', values['first-audio-ms'], 0)),
      ...optional('sessionMaxMs', num('session-max-ms', values['session-max-ms'], 100)),
      ...optional('seed', num('seed', values.seed, 0)),
    };
  } catch (err) {
    process.stderr.write(`parley sim-agent: ${(err as Error).message}\n`);
    return 2;
  }
  const agent = await startSimAgent(opts);
  process.stdout.write(`${JSON.stringify({ url: agent.url, port: agent.port, replyMode: opts.replyMode, faults })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await agent.close();
  const { truncates, ...stats } = agent.stats();
  process.stdout.write(`${JSON.stringify({ stopped: true, ...stats, truncates: truncates.length })}\n`);
  return 0;
}

function optional<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}
