// One cell of the realtime-delivery bench: a `parley serve` in-process in one AI mode against its
// stand-ins streaming at one speed, `calls` concurrent callers of one telephony protocol.
// - openai: the sim-agent streams its audio deltas (100 ms) at `speed`;
// - cascade: the sim-agent is the LLM (text), the ElevenLabs stand-in speaks at `speed` (OpenAI
//   TTS is the idle fallback), both in the marked voice, so the caller — knowing only the
//   agent's reply texts — counts duplicates, reorderings and missing audio per answer.
import { startParley } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { startSimAgent } from '../src/tools/sim/agent/index.js';
import { replySentences } from '../src/tools/sim/agent/textResponse.js';
import { runLoad, type LoadResult, type ScriptStep } from '../src/tools/sim/caller/index.js';
import { startTtsFakes } from '../src/tools/sim/tts/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';

export type Mode = 'openai' | 'cascade';
export type Endpoint = 'multi' | 'single' | 'http';

const TURNS = 5;
const REPLY_MS = 1500;
/** The marked voice needs ≥ 60 ms a character (two whole frames each). */
const MS_PER_CHAR = 60;

export interface Cell {
  readonly mode: Mode;
  readonly protocol: TelephonyProtocol;
  readonly speed: number;
  readonly calls: number;
  readonly ok: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly responses: number;
  readonly bargeIns: number;
  /** Gaps inside responses at the caller's far side (audio of the same response came back). */
  readonly underruns: number;
  readonly underrunMs: number;
  readonly staleFramesAfterClear: number;
  readonly latenessP99Ms: number;
  /** Median of the callers' observed initial bursts: the lead Parley kept. */
  readonly observedLeadMs: number;
  readonly responseLatencyP50Ms: number;
  readonly generatorTicksSkipped: number;
  /** cascade (marked voice): answers compared, and what the marks told. */
  readonly marks?: { readonly answers: number; readonly silent: number; readonly duplicates: number; readonly reorderings: number; readonly missing: number; readonly examples: readonly string[] };
  /** cascade: requests each TTS stand-in served. */
  readonly ttsRequests?: { readonly elevenlabs: number; readonly openai: number };
}

export interface CellOptions {
  readonly mode: Mode;
  readonly protocol: TelephonyProtocol;
  readonly speed: number;
  readonly calls: number;
  /** cascade: the TTS cache on (default off: every sentence streams from the provider at `speed`). */
  readonly cache: boolean;
  readonly endpoint: Endpoint;
  /** cascade: sentences asked of the TTS ahead of the one being spoken (tts.prefetch; default 1). */
  readonly prefetch?: 0 | 1;
}

function script(): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let i = 0; i < TURNS; i++) steps.push({ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 500 });
  for (let i = 0; i < TURNS; i++) steps.push({ kind: 'say', ms: 600 }, { kind: 'barge', afterMs: 400, sayMs: 600 }, { kind: 'listen', quietMs: 500 });
  steps.push({ kind: 'hangup' });
  return steps;
}

export async function runCell(o: CellOptions): Promise<Cell> {
  return o.mode === 'openai' ? openaiCell(o) : cascadeCell(o);
}

async function openaiCell(o: CellOptions): Promise<Cell> {
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0, speed: o.speed, replyMs: REPLY_MS });
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', ai: { mode: 'openai', openaiUrl: agent.url } } });
  const app = await startParley({ config });
  try {
    return summarise(o, await load(o, `ws://127.0.0.1:${app.port}/${o.protocol}`, false));
  } finally {
    await app.shutdown();
    await agent.close();
  }
}

async function cascadeCell(o: CellOptions): Promise<Cell> {
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0 });
  const voice = { marked: true, msPerChar: MS_PER_CHAR, speed: o.speed };
  const fakes = await startTtsFakes({ elevenlabs: voice, openai: voice });
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      // The ws:// URL for every endpoint: the http endpoint reads ws(s) as http(s) (same port).
      ai: { mode: 'cascade', openaiUrl: agent.url, openaiApiKey: 'sk-bench', elevenlabsApiKey: 'el-bench', elevenlabsUrl: fakes.elevenlabs.url },
      tts: { openaiTtsUrl: fakes.openai.url, elevenlabsEndpoint: o.endpoint, prefetch: o.prefetch ?? 1, ...(o.cache ? {} : { cacheBytes: 0 }) },
    },
  });
  const app = await startParley({ config });
  try {
    const r = await load(o, `ws://127.0.0.1:${app.port}/${o.protocol}`, true);
    return { ...summarise(o, r), ttsRequests: { elevenlabs: fakes.elevenlabs.stats().requests, openai: fakes.openai.stats().requests } };
  } finally {
    await app.shutdown();
    await fakes.close();
    await agent.close();
  }
}

function load(o: CellOptions, url: string, marked: boolean): Promise<LoadResult> {
  const replies = [1, 2, 3].map((turn) => replySentences(turn, 0));
  return runLoad({
    url,
    calls: o.calls,
    rampMs: 1000,
    script: script(),
    maxCallMs: 180_000,
    ...(o.protocol === 'audio-stream' ? { sampleRate: 16000 as const } : {}),
    ...(marked ? { marks: { replies } } : {}),
  });
}

function summarise(o: CellOptions, r: LoadResult): Cell {
  const leads = r.reports.map((c) => c.observedLeadMs).sort((a, b) => a - b);
  const marked = r.reports.flatMap((c) => (c.marks ? [c.marks] : []));
  const sum = (f: (m: (typeof marked)[number]) => number) => marked.reduce((a, m) => a + f(m), 0);
  return {
    mode: o.mode,
    protocol: o.protocol,
    speed: o.speed,
    calls: o.calls,
    ok: r.ok,
    failures: r.failures,
    responses: r.reports.reduce((a, c) => a + c.turns.filter((t) => t.firstAgentAudioMs !== undefined).length, 0),
    bargeIns: r.bargeIns,
    underruns: r.underruns,
    underrunMs: r.underrunMs,
    staleFramesAfterClear: r.staleFramesAfterClear,
    latenessP99Ms: r.lateness.p99,
    observedLeadMs: leads[Math.floor(leads.length / 2)] ?? 0,
    responseLatencyP50Ms: r.responseLatency.p50,
    generatorTicksSkipped: r.generator.ticksSkipped,
    ...(marked.length > 0
      ? {
          marks: {
            answers: sum((m) => m.answers),
            silent: sum((m) => m.silent),
            duplicates: sum((m) => m.duplicates),
            reorderings: sum((m) => m.reorderings),
            missing: sum((m) => m.missing),
            examples: marked.flatMap((m) => m.examples).slice(0, 5),
          },
        }
      : {}),
  };
}
