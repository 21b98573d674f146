// End-to-end harness: a real `parley serve` (in-process, real sockets on loopback, the real
// media engine), the offline agent either embedded (local mode) or standalone behind
// PARLEY_OPENAI_URL (openai mode), and simulated callers.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import type { CallEvent } from '../../src/records/types.js';
import { startSimAgent } from '../../src/tools/sim/agent/index.js';
import type { SimAgent, SimAgentOptions } from '../../src/tools/sim/agent/index.js';
import { simCall } from '../../src/tools/sim/caller/index.js';
import type { CallReport, ScriptStep, SimCallOptions } from '../../src/tools/sim/caller/index.js';
import type { TraceRecord } from '../../src/obs/index.js';
import type { TelephonyProtocol } from '../../src/telephony/types.js';

export type AiMode = 'openai' | 'local';

/** Speak, hear the reply, then talk over the second reply after 500 ms of it. */
export const BARGE_SCRIPT: readonly ScriptStep[] = [
  { kind: 'say', ms: 700 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'say', ms: 500 },
  { kind: 'barge', afterMs: 500, sayMs: 700 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'hangup' },
];

export interface Bridge {
  readonly app: ParleyApp;
  /** The agent Parley talks to (standalone in openai mode, embedded in local mode). */
  readonly agent: SimAgent;
  readonly traceDir: string;
  url(protocol: TelephonyProtocol, query?: string): string;
  call(protocol: TelephonyProtocol, options?: Partial<SimCallOptions>): Promise<CallReport>;
  /** Resolves when Parley has no live call left (its side of the teardown finished). */
  idle(timeoutMs?: number): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Every trace line Parley wrote, per file. */
  traces(): Map<string, TraceRecord[]>;
  close(): Promise<void>;
}

export interface BridgeOptions {
  readonly mode: AiMode;
  readonly config?: ConfigInput;
  readonly agent?: SimAgentOptions;
  /** Receives every call-record event Parley emits (src/records), as the webhook would. */
  readonly onEvent?: (ev: CallEvent) => void;
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const traceDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  let standalone: SimAgent | undefined;
  const base: ConfigInput = { port: 0, host: '127.0.0.1', traceDir, logLevel: 'silent', ...opts.config };
  let config;
  if (opts.mode === 'openai') {
    standalone = await startSimAgent({ host: '127.0.0.1', port: 0, ...opts.agent });
    config = loadConfig({ env: {}, cwd: traceDir, overrides: { ...base, ai: { ...base.ai, mode: 'openai', openaiUrl: standalone.url } } });
  } else {
    config = loadConfig({ env: {}, cwd: traceDir, overrides: { ...base, ai: { ...base.ai, mode: 'local' } } });
  }
  const app = await startParley({ config, ...(opts.mode === 'local' && opts.agent ? { localAgent: opts.agent } : {}), ...(opts.onEvent ? { records: { onEvent: opts.onEvent } } : {}) });
  const agent = standalone ?? app.localAgent!.agent;
  const url = (protocol: TelephonyProtocol, query = '') => `ws://127.0.0.1:${app.port}/${protocol}${query ? `?${query}` : ''}`;
  return {
    app,
    agent,
    traceDir,
    url,
    call: (protocol, options = {}) => simCall({ url: url(protocol), maxCallMs: 40_000, ...options }),
    async idle(timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (app.server.activeCalls > 0) {
        if (Date.now() > end) throw new Error(`still ${app.server.activeCalls} live calls after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    metric: (name, labels) => app.metrics.value(name, labels),
    traces() {
      const out = new Map<string, TraceRecord[]>();
      for (const f of readdirSync(traceDir).filter((n) => n.endsWith('.ndjson'))) {
        const lines = readFileSync(join(traceDir, f), 'utf8').trim().split('\n').filter(Boolean);
        out.set(f, lines.map((l) => JSON.parse(l) as TraceRecord));
      }
      return out;
    },
    async close() {
      await app.shutdown();
      await standalone?.close();
    },
  };
}

/** Client event types the agent received, in order (optionally only of one type). */
export function receivedTypes(agent: SimAgent, type?: string): string[] {
  return agent
    .received()
    .map((e) => e.type)
    .filter((t) => type === undefined || t === type);
}

/**
 * A normal call (no fault injected) must draw no `error` event from the provider fake: an
 * event Parley sends that the real API would refuse shows up here, even where Parley classifies
 * the refusal as benign. Returns the codes Parley traced, for the failure message.
 */
export async function providerErrors(b: Bridge): Promise<{ sent: number; counted: number; codes: string[] }> {
  const codes: string[] = [];
  for (const records of b.traces().values()) {
    for (const r of records) if (r.src === 'ai' && r.event === 'error') codes.push(String((r.data as { code?: unknown } | undefined)?.code));
  }
  let counted = 0;
  for (const kind of ['fatal', 'retryable', 'benign']) counted += await b.metric('parley_ai_errors_total', { kind });
  return { sent: b.agent.stats().errorsSent, counted, codes };
}
