// Child processes of the tools bench: the services that are remote in production, each in a
// process of its own so their work never lands on Parley's event loop or the callers'.
//   node dist/bench/_tools-remote.js agent   the sim-agent on TOOLS_AGENT_PORT; with TOOLS_CALL=1
//     the first response on every connection calls lookup_order (the arm with tools), else it
//     speaks (the arm without). Counts function_call_outputs per connection and call_id.
//   node dist/bench/_tools-remote.js tool    the HTTP tool, answering after a latency fixed per
//     call: uniform in 0..TOOLS_MAX_LATENCY_MS, drawn from TOOLS_SEED and the call's index (the
//     `-<n>` ending its callId), so every arm with tools sees the same latency for the same call.
// Each prints {"url": …} once listening and, on SIGTERM, {"stats": …}, then exits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimAgent } from '../src/tools/sim/agent/index.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** A seeded uniform draw in [0, 1) (mulberry32, one step from the mixed seed). */
function uniform(seed: number, index: number): number {
  let t = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

async function agent(): Promise<void> {
  const calls = process.env.TOOLS_CALL === '1';
  const a = await startSimAgent({
    host: '127.0.0.1',
    port: Number(process.env.TOOLS_AGENT_PORT ?? 0),
    replyMs: Number(process.env.TOOLS_REPLY_MS ?? 1500),
    ...(calls ? { toolCalls: [{ turn: 1, name: 'lookup_order', arguments: { order: '123' } }] } : {}),
  });
  const outputs = new Map<string, number>();
  a.onEvent((e) => {
    if (e.type !== 'conversation.item.create') return;
    const item = e.event['item'] as { type?: string; call_id?: string } | undefined;
    if (item?.type === 'function_call_output' && item.call_id) {
      const k = `${e.connId}/${item.call_id}`;
      outputs.set(k, (outputs.get(k) ?? 0) + 1);
    }
  });
  out({ url: a.url });
  process.once('SIGTERM', () => {
    const s = a.stats();
    out({ stats: { connections: s.connections, responses: s.responses, responsesCancelled: s.responsesCancelled, errorsSent: s.errorsSent, toolCalls: s.toolCalls, toolOutputs: s.toolOutputs, outputsPerCallId: [...outputs.values()] } });
    void a.close().then(() => process.exit(0));
  });
}

async function tool(): Promise<void> {
  const maxMs = Number(process.env.TOOLS_MAX_LATENCY_MS ?? 2000);
  const seed = Number(process.env.TOOLS_SEED ?? 7);
  let requests = 0;
  let unnamed = 0;
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      let index = -1;
      try {
        const callId = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { callId?: unknown }).callId ?? '');
        index = Number(/-(\d+)$/.exec(callId)?.[1] ?? -1);
      } catch {
        // answered like any other, counted
      }
      if (index < 0) unnamed++;
      setTimeout(() => {
        if (!res.destroyed) res.end(JSON.stringify({ output: { order: '123', status: 'shipped' } }));
      }, uniform(seed, Math.max(0, index)) * maxMs).unref();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  out({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/lookup` });
  process.once('SIGTERM', () => {
    out({ stats: { requests, unnamed } });
    s.closeAllConnections();
    s.close(() => process.exit(0));
  });
}

const role = process.argv[2];
if (role === 'agent') await agent();
else if (role === 'tool') await tool();
else if (role !== undefined) throw new Error(`unknown role '${role}' (agent | tool)`);
