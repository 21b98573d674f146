// `npm run bench -- tools [--calls 100] [--max-latency-ms 2000] [--seed 7]`
//
// Issue 15: `--calls` concurrent calls through an in-process `parley serve` (openai mode) against
// the sim-agent, whose first response on every connection calls a tool served by a local HTTP
// server answering after 0–max latency (seeded uniform). Each caller asks, waits 1.5 s and speaks
// again: with a slow tool that newer turn begins mid-tool (barge-in over the running tool, TC2),
// with a fast one after the answer started. Then the same calls against a Parley without tools,
// in the same run, for the media comparison. Prints one JSON object last:
//   toolLatencyMs {p50, p99}        request → output as Parley measured it (trace tool.result)
//   outputsPerCallId {0, 1, more}   function_call_outputs per issued call_id (TC1: 0 or 1)
//   staleResponses                  response.create for outputs after a newer caller turn (TC2: 0)
//   supersededResponses             tool responses cancelled at creation (TC4), never heard
//   bargedMidTool                   calls whose newer turn began while their tool ran
//   latenessP99Ms {withTools, withoutTools}  outbound frame lateness at the caller
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startParley } from '../src/app.js';
import { loadConfig, type ConfigInput } from '../src/config/index.js';
import type { TraceRecord } from '../src/obs/index.js';
import { startSimAgent } from '../src/tools/sim/agent/index.js';
import { percentiles, runLoad, type ScriptStep } from '../src/tools/sim/caller/index.js';

const SCRIPT: ScriptStep[] = [
  { kind: 'say', ms: 700 },
  // The turn ends after the VAD's 500 ms of silence and the tool starts; ~1 s later the caller speaks again.
  { kind: 'silence', ms: 1500 },
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
  { kind: 'hangup' },
];

/** A seeded uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function toolServer(maxLatencyMs: number, seed: number) {
  const next = rng(seed);
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        if (!res.destroyed) res.end(JSON.stringify({ output: { order: '123', status: 'shipped' } }));
      }, next() * maxLatencyMs).unref();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/lookup`, close: () => new Promise<void>((r) => s.close(() => r())) };
}

interface Pass {
  readonly lateness: number;
  readonly ok: number;
  readonly traces: TraceRecord[][];
  readonly outputsByCall: Map<string, number>;
  readonly callsIssued: number;
}

async function pass(calls: number, seed: number, tools: ConfigInput['tools'] | undefined): Promise<Pass> {
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0, replyMs: 1500, ...(tools ? { toolCalls: [{ turn: 1, name: 'lookup_order', arguments: { order: '123' } }] } : {}) });
  const outputsByCall = new Map<string, number>();
  const issued = new Set<string>();
  agent.onEvent((e) => {
    if (e.type !== 'conversation.item.create') return;
    const item = e.event['item'] as { type?: string; call_id?: string } | undefined;
    if (item?.type === 'function_call_output' && item.call_id) {
      const k = `${e.connId}/${item.call_id}`;
      outputsByCall.set(k, (outputsByCall.get(k) ?? 0) + 1);
    }
  });
  const traceDir = mkdtempSync(join(tmpdir(), 'parley-bench-tools-'));
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', traceDir, ai: { mode: 'openai', openaiUrl: agent.url }, ...(tools ? { tools } : {}) },
  });
  const app = await startParley({ config });
  try {
    const r = await runLoad({ url: `ws://127.0.0.1:${app.port}/twilio`, calls, rampMs: Math.min(5000, calls * 20), script: SCRIPT, seed });
    const end = Date.now() + 10_000;
    while (app.server.activeCalls > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    await app.shutdown();
    const traces = readdirSync(traceDir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => readFileSync(join(traceDir, f), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRecord));
    for (const t of traces) for (const rec of t) if (rec.event === 'tool.call') issued.add(String((rec.data as { callId: string }).callId));
    return { lateness: r.lateness.p99, ok: r.ok, traces, outputsByCall, callsIssued: agent.stats().toolCalls };
  } finally {
    await agent.close();
    rmSync(traceDir, { recursive: true, force: true });
  }
}

/** Per call's trace: tool latencies, stale response.creates, superseded responses, barges mid-tool. */
function judge(traces: TraceRecord[][]) {
  const latency: number[] = [];
  let stale = 0;
  let superseded = 0;
  let barged = 0;
  for (const t of traces) {
    let open = false;
    let running = 0;
    let speechSinceCall = false;
    let bargedHere = false;
    for (const rec of t) {
      if (rec.event === 'tool.call') {
        if (!open) speechSinceCall = false;
        open = true;
        running++;
      } else if (rec.event === 'tool.result') {
        latency.push((rec.data as { ms: number }).ms);
        running = Math.max(0, running - 1);
      } else if (rec.event === 'speech_started' && rec.src === 'ai') {
        if (open) speechSinceCall = true;
        if (running > 0) bargedHere = true;
      } else if (rec.event === 'tool.response_superseded') superseded++;
      else if (rec.machine === 'toolCalls' && rec.actions?.includes('sendOutputs')) {
        if (rec.actions.includes('createResponse') && speechSinceCall) stale++;
        open = false;
      }
    }
    if (bargedHere) barged++;
  }
  const p = percentiles(latency);
  return { latency: { count: p.count, p50: Math.round(p.p50), p99: Math.round(p.p99) }, stale, superseded, barged };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { calls: { type: 'string', default: '100' }, 'max-latency-ms': { type: 'string', default: '2000' }, seed: { type: 'string', default: '7' } } });
  const calls = Number(values.calls);
  const seed = Number(values.seed);
  const server = await toolServer(Number(values['max-latency-ms']), seed);
  try {
    const tools = { lookup_order: { description: 'Look up an order', url: server.url, timeoutMs: 5000, parameters: { type: 'object', properties: { order: { type: 'string' } } } } };
    const withTools = await pass(calls, seed, tools);
    const without = await pass(calls, seed, undefined);
    const j = judge(withTools.traces);
    const hist = { '0': 0, '1': 0, more: 0 };
    for (const n of withTools.outputsByCall.values()) hist[n === 1 ? '1' : 'more']++;
    hist['0'] = Math.max(0, withTools.callsIssued - withTools.outputsByCall.size);
    const result = {
      bench: 'tools',
      calls,
      ok: { withTools: withTools.ok, withoutTools: without.ok },
      toolCalls: withTools.callsIssued,
      toolLatencyMs: j.latency,
      outputsPerCallId: hist,
      staleResponses: j.stale,
      supersededResponses: j.superseded,
      bargedMidTool: j.barged,
      latenessP99Ms: { withTools: Math.round(withTools.lateness * 10) / 10, withoutTools: Math.round(without.lateness * 10) / 10 },
    };
    process.stderr.write(`tools bench: ${calls} calls, ${result.toolCalls} tool calls, ${j.barged} barged mid-tool\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.close();
  }
}
