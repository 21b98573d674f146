// `npm run bench -- realtime-delivery [--calls 10] [--speeds 1,1.2,3] [--protocols twilio,audio-stream]`
//
// Issue 20 (part 3): agent audio that reaches Parley at about real time must play without a
// dropout inside a response. For each protocol × provider speed, one in-process `parley serve`
// in openai mode against the sim-agent streaming its deltas at that speed, and `--calls`
// concurrent callers, each with 5 plain turns and 5 barge-ins (≥ 50 responses and ≥ 50
// barge-ins per cell at the default 10 calls). The caller's far side is its own emulation
// (Twilio's buffer, mod_audio_stream's inject buffer with its minimum-fill gate); an underrun is
// a gap inside a response whose audio comes back. Prints one JSON object last.
// Not covered here: cascade mode (its TTS speed is sim-tts's), and duplicates / reorderings
// (the caller does not identify audio content).
import { parseArgs } from 'node:util';
import { startParley } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { startSimAgent } from '../src/tools/sim/agent/index.js';
import { runLoad, type ScriptStep } from '../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';

const TURNS = 5;
const REPLY_MS = 1500;

function script(): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let i = 0; i < TURNS; i++) steps.push({ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 500 });
  for (let i = 0; i < TURNS; i++) steps.push({ kind: 'say', ms: 600 }, { kind: 'barge', afterMs: 400, sayMs: 600 }, { kind: 'listen', quietMs: 500 });
  steps.push({ kind: 'hangup' });
  return steps;
}

interface Cell {
  readonly protocol: TelephonyProtocol;
  readonly speed: number;
  readonly calls: number;
  readonly ok: number;
  readonly responses: number;
  readonly bargeIns: number;
  readonly underruns: number;
  readonly underrunMs: number;
  readonly staleFramesAfterClear: number;
  readonly latenessP99Ms: number;
  readonly generatorTicksSkipped: number;
}

async function cell(protocol: TelephonyProtocol, speed: number, calls: number): Promise<Cell> {
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0, speed, replyMs: REPLY_MS });
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', ai: { mode: 'openai', openaiUrl: agent.url } } });
  const app = await startParley({ config });
  try {
    const url = `ws://127.0.0.1:${app.port}/${protocol}`;
    const r = await runLoad({ url, calls, rampMs: 1000, script: script(), ...(protocol === 'audio-stream' ? { sampleRate: 16000 as const } : {}) });
    return {
      protocol,
      speed,
      calls,
      ok: r.ok,
      responses: r.reports.reduce((a, c) => a + c.turns.filter((t) => t.firstAgentAudioMs !== undefined).length, 0),
      bargeIns: r.bargeIns,
      underruns: r.underruns,
      underrunMs: r.underrunMs,
      staleFramesAfterClear: r.staleFramesAfterClear,
      latenessP99Ms: r.lateness.p99,
      generatorTicksSkipped: r.generator.ticksSkipped,
    };
  } finally {
    await app.shutdown();
    await agent.close();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { calls: { type: 'string', default: '10' }, speeds: { type: 'string', default: '1,1.2,3' }, protocols: { type: 'string', default: 'twilio,audio-stream' } },
  });
  const calls = Number(values.calls);
  const speeds = values.speeds.split(',').map(Number);
  const protocols = values.protocols.split(',') as TelephonyProtocol[];
  const cells: Cell[] = [];
  for (const protocol of protocols) {
    for (const speed of speeds) {
      const c = await cell(protocol, speed, calls);
      cells.push(c);
      process.stderr.write(`${protocol} ${speed}x: ${c.responses} responses, ${c.bargeIns} barge-ins, ${c.underruns} underruns (${c.underrunMs} ms)\n`);
    }
  }
  const atLeastRealTime = cells.filter((c) => c.speed >= 1);
  console.log(
    JSON.stringify({
      bench: 'realtime-delivery',
      mode: 'openai',
      cells,
      dropoutsInsideResponses: atLeastRealTime.reduce((a, c) => a + c.underruns, 0),
      ok: atLeastRealTime.every((c) => c.underruns === 0 && c.ok === c.calls && c.staleFramesAfterClear === 0),
    }),
  );
}
