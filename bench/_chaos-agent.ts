// Child process of the chaos bench: the offline OpenAI-Realtime agent, which on each new
// connection draws (seeded) whether and which fault to inject and when, and fires it itself at
// that instant — so every fired fault is known with its time and its connection (the session id
// sess_<conn> that Parley traces). Faults: socket drop, stall (no bytes, socket open), error
// events (fatal: invalid_api_key then close 1008; retryable: server_error), slow reader
// (backpressure), server close 1011. One JSON line per fired fault; stats on SIGTERM.
import { startSimAgent } from '../src/tools/sim/agent/index.js';
import type { SimFault } from '../src/tools/sim/agent/types.js';

const seed = Number(process.env.CHAOS_SEED ?? 1);
const faultRate = Number(process.env.CHAOS_AI_FAULT_RATE ?? 0.45);
const replyMs = Number(process.env.CHAOS_REPLY_MS ?? 1600);

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
function rng(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));

type Kind = 'drop' | 'stall' | 'error_fatal' | 'error_retryable' | 'slow_reader' | 'close_1011';
const KINDS: readonly [Kind, number][] = [
  ['drop', 3],
  ['stall', 2],
  ['error_retryable', 2],
  ['error_fatal', 1],
  ['slow_reader', 2],
  ['close_1011', 1],
];

function draw(): Kind {
  const total = KINDS.reduce((a, [, w]) => a + w, 0);
  let x = random() * total;
  for (const [k, w] of KINDS) if ((x -= w) < 0) return k;
  return 'drop';
}

function fault(kind: Kind): SimFault {
  switch (kind) {
    case 'drop':
      return { kind: 'drop' };
    case 'stall':
      return { kind: 'stall', ms: between(800, 4000) };
    case 'error_fatal':
      return { kind: 'error', code: 'invalid_api_key', errorType: 'invalid_request_error', close: true };
    case 'error_retryable':
      return { kind: 'error', code: 'server_error', errorType: 'server_error' };
    case 'slow_reader':
      return { kind: 'slow_reader', ms: between(1500, 6000) };
    case 'close_1011':
      return { kind: 'close', code: 1011, reason: 'chaos' };
  }
}

const agent = await startSimAgent({ host: '127.0.0.1', port: 0, replyMs });
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const seen = new Set<number>();
const timers = new Set<NodeJS.Timeout>();
let fired = 0;
const firedByKind: Record<string, number> = {};

agent.onEvent((e) => {
  if (seen.has(e.connId)) return;
  seen.add(e.connId);
  if (random() >= faultRate) return;
  const kind = draw();
  const afterMs = between(150, 7000);
  const timer = setTimeout(() => {
    timers.delete(timer);
    if (!agent.connections().some((c) => c.id === e.connId)) return; // the call ended first
    agent.inject(fault(kind), e.connId);
    fired++;
    firedByKind[kind] = (firedByKind[kind] ?? 0) + 1;
    out({ fired: { conn: e.connId, session: `sess_${e.connId}`, kind, t: Date.now() } });
  }, afterMs);
  timers.add(timer);
});

out({ url: agent.url });
process.once('SIGTERM', () => {
  for (const t of timers) clearTimeout(t);
  const { truncates, ...s } = agent.stats();
  // A rejected truncate either names an item of another (earlier) connection — the link was
  // replaced since that audio was sent — or overshoots what this connection sent (BI3).
  const rejected = truncates.filter((t) => !t.accepted);
  const otherConnection = rejected.filter((t) => !t.itemId.startsWith(`item_${t.connId}_`));
  const overshoot = rejected.filter((t) => t.itemId.startsWith(`item_${t.connId}_`) && t.audioEndMs > Math.ceil(t.sentMs));
  out({
    stats: {
      ...s,
      truncates: truncates.length,
      rejectedTruncates: { total: rejected.length, itemOfEarlierConnection: otherConnection.length, overshoot: overshoot.length, overshootSamples: overshoot.slice(0, 5) },
      faultsFired: fired,
      firedByKind,
    },
  });
  void agent.close().then(() => process.exit(0));
});
