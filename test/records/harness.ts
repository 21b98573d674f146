// A bridge for the call-record tests: a real `parley serve` in process (loopback sockets), the
// offline agent standalone (openai mode) or embedded (local mode), and every call event kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { startSimAgent, type SimAgent, type SimAgentOptions } from '../../src/tools/sim/agent/index.js';
import type { CallEvent } from '../../src/records/index.js';
import { startTtsFakes, type TtsFakes } from '../../src/tools/sim/tts/index.js';

/** Short replies keep the calls short. */
const AGENT = { replyMs: 1200 };

export interface RecordsBridge {
  readonly app: ParleyApp;
  readonly dir: string;
  readonly events: CallEvent[];
  url(protocol: 'twilio' | 'audio-stream'): string;
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordsBridge(mode: 'openai' | 'local' | 'cascade', config: ConfigInput = {}, agentOptions: SimAgentOptions = {}): Promise<RecordsBridge> {
  const agentOpts = { ...AGENT, ...agentOptions };
  const dir = mkdtempSync(join(tmpdir(), 'parley-records-'));
  let agent: SimAgent | undefined;
  let fakes: TtsFakes | undefined;
  let ai: ConfigInput['ai'] = { mode };
  let tts: ConfigInput['tts'] = {};
  if (mode !== 'local') agent = await startSimAgent({ host: '127.0.0.1', port: 0, ...agentOpts });
  if (mode === 'openai') ai = { mode, openaiUrl: agent!.url };
  if (mode === 'cascade') {
    const voice = { msPerChar: 25, chunkMs: 100, speed: 4, firstChunkDelayMs: 40 };
    fakes = await startTtsFakes({ elevenlabs: { apiKey: 'el-key', toneHz: 440, ...voice }, openai: { apiKey: 'sk-key', toneHz: 600, ...voice } });
    ai = { mode, openaiUrl: agent!.url, openaiApiKey: 'sk-key', elevenlabsApiKey: 'el-key', elevenlabsUrl: fakes.elevenlabs.url };
    tts = { timeoutMs: 1000, openaiTtsUrl: fakes.openai.url };
  }
  const cfg = loadConfig({ env: {}, cwd: dir, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', traceDir: join(dir, 'trace'), ...config, ai: { ...config.ai, ...ai }, tts } });
  const events: CallEvent[] = [];
  const app = await startParley({ config: cfg, records: { onEvent: (e) => events.push(e), backoffMs: [50, 100, 200] }, ...(mode === 'local' ? { localAgent: agentOpts } : {}) });
  return {
    app,
    dir,
    events,
    url: (protocol) => `ws://127.0.0.1:${app.port}/${protocol}`,
    async idle(timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (app.server.activeCalls > 0 || !events.some((e) => e.type === 'call.ended')) {
        if (Date.now() > end) throw new Error('call did not end');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await app.shutdown();
      await agent?.close();
      await fakes?.close();
    },
  };
}

export const ended = (events: readonly CallEvent[]) => events.filter((e): e is Extract<CallEvent, { type: 'call.ended' }> => e.type === 'call.ended');
