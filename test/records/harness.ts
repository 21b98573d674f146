// A bridge for the call-record tests: a real `parley serve` in process (loopback sockets), the
// offline agent standalone (openai mode) or embedded (local mode), and every call event kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { startSimAgent, type SimAgent } from '../../src/tools/sim/agent/index.js';
import type { CallEvent } from '../../src/records/index.js';

export interface RecordsBridge {
  readonly app: ParleyApp;
  readonly dir: string;
  readonly events: CallEvent[];
  url(protocol: 'twilio' | 'audio-stream'): string;
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordsBridge(mode: 'openai' | 'local', config: ConfigInput = {}): Promise<RecordsBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-records-'));
  let agent: SimAgent | undefined;
  const ai = mode === 'openai' ? { mode, openaiUrl: (agent = await startSimAgent({ host: '127.0.0.1', port: 0 })).url } : { mode };
  const cfg = loadConfig({ env: {}, cwd: dir, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', traceDir: join(dir, 'trace'), ...config, ai: { ...config.ai, ...ai } } });
  const events: CallEvent[] = [];
  const app = await startParley({ config: cfg, records: { onEvent: (e) => events.push(e), backoffMs: [50, 100, 200] } });
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
    },
  };
}

export const ended = (events: readonly CallEvent[]) => events.filter((e): e is Extract<CallEvent, { type: 'call.ended' }> => e.type === 'call.ended');
