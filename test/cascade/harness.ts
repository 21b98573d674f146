// End-to-end harness for cascade mode: a real `parley serve` (in-process, real sockets on
// loopback, the real media engine) with PARLEY_AI=cascade against the offline agent in text
// mode (PARLEY_OPENAI_URL) and the TTS fakes (PARLEY_ELEVENLABS_URL, PARLEY_OPENAI_TTS_URL),
// plus simulated callers that record what they heard.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import type { MediaEngine } from '../../src/media/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { startSimAgent, type SimAgent, type SimAgentOptions } from '../../src/tools/sim/agent/index.js';
import { simCall, type CallReport, type SimCallOptions } from '../../src/tools/sim/caller/index.js';
import { readWav } from '../../src/tools/sim/audio/wav.js';
import { startTtsFakes, type ElevenLabsFakeOptions, type OpenAiTtsFakeOptions, type TtsFakes } from '../../src/tools/sim/tts/index.js';
import type { TelephonyProtocol } from '../../src/telephony/types.js';
import { frequency } from './signal.js';

export const EL_HZ = 440;
export const OPENAI_HZ = 600;

export interface CascadeBridge {
  readonly app: ParleyApp;
  readonly agent: SimAgent;
  readonly fakes: TtsFakes;
  readonly outDir: string;
  url(protocol: TelephonyProtocol, query?: string): string;
  call(protocol: TelephonyProtocol, options?: Partial<SimCallOptions>): Promise<CallReport & { wavPath?: string }>;
  idle(timeoutMs?: number): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface CascadeBridgeOptions {
  readonly config?: ConfigInput;
  readonly agent?: SimAgentOptions;
  readonly elevenlabs?: ElevenLabsFakeOptions;
  readonly openai?: OpenAiTtsFakeOptions;
  /** Media engine for the bridge (default: one from config; a given one is not closed). */
  readonly engine?: MediaEngine;
}

export async function startCascadeBridge(o: CascadeBridgeOptions = {}): Promise<CascadeBridge> {
  const outDir = mkdtempSync(join(tmpdir(), 'parley-cascade-'));
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0, ...o.agent });
  const voice = { msPerChar: 25, chunkMs: 100, speed: 4, firstChunkDelayMs: 40 };
  const fakes = await startTtsFakes({
    elevenlabs: { apiKey: 'el-key', toneHz: EL_HZ, ...voice, ...o.elevenlabs },
    openai: { apiKey: 'sk-key', toneHz: OPENAI_HZ, ...voice, ...o.openai },
  });
  const base = o.config ?? {};
  const config = loadConfig({
    env: {},
    cwd: outDir,
    overrides: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      ...base,
      ai: { ...base.ai, mode: 'cascade', openaiUrl: agent.url, openaiApiKey: 'sk-key', elevenlabsApiKey: 'el-key', elevenlabsUrl: fakes.elevenlabs.url },
      tts: { timeoutMs: 1000, ...base.tts, openaiTtsUrl: fakes.openai.url },
    },
  });
  const app = await startParley({ config, ...(o.engine ? { engine: o.engine } : {}) });
  const url = (protocol: TelephonyProtocol, query = '') => `ws://127.0.0.1:${app.port}/${protocol}${query ? `?${query}` : ''}`;
  return {
    app,
    agent,
    fakes,
    outDir,
    url,
    call: (protocol, options = {}) => simCall({ url: url(protocol), maxCallMs: 40_000, outDir, ...options }) as Promise<CallReport & { wavPath?: string }>,
    async idle(timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (app.server.activeCalls > 0) {
        if (Date.now() > end) throw new Error(`still ${app.server.activeCalls} live calls after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    metric: (name, labels) => app.metrics.value(name, labels),
    async close() {
      await app.shutdown();
      await agent.close();
      await fakes.close();
    },
  };
}

/** A stretch of agent audio the caller heard: where it starts (ms) and its pitch. */
export interface HeardRun {
  readonly startMs: number;
  readonly ms: number;
  readonly hz: number;
}

/** The heard channel of the call's recording, split at silences of 100 ms or more. */
export function heardRuns(wavPath: string): HeardRun[] {
  const wav = readWav(wavPath);
  const rate = wav.sampleRate;
  const heard = new Int16Array(wav.samples.length / 2);
  for (let i = 0; i < heard.length; i++) heard[i] = wav.samples[2 * i + 1]!;
  const win = rate / 100; // 10 ms windows
  const loud: boolean[] = [];
  for (let w = 0; w + win <= heard.length; w += win) {
    let e = 0;
    for (let i = w; i < w + win; i++) e += heard[i]! * heard[i]!;
    loud.push(Math.sqrt(e / win) > 500);
  }
  const runs: HeardRun[] = [];
  let start = -1;
  let quiet = 0;
  const close = (endW: number) => {
    const seg = heard.subarray(start * win, endW * win);
    if (seg.length >= rate / 10) runs.push({ startMs: start * 10, ms: seg.length / (rate / 1000), hz: frequency(seg, rate) });
    start = -1;
  };
  loud.forEach((l, w) => {
    if (l) {
      if (start < 0) start = w;
      quiet = 0;
    } else if (start >= 0 && ++quiet >= 10) close(w - quiet + 1);
  });
  if (start >= 0) close(loud.length);
  return runs;
}
