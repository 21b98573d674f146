// Child process of the capacity bench: the offline agent on its own core, reporting every
// truncate it receives (its event id names the call) as one JSON line on stdout.
import { startSimAgent } from '../src/tools/sim/agent/index.js';

const replyMs = Number(process.env.CAPACITY_REPLY_MS ?? 2400);
const agent = await startSimAgent({ host: '127.0.0.1', port: 0, replyMs });
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
agent.onEvent((e) => {
  if (e.type !== 'conversation.item.truncate') return;
  out({ truncate: { eventId: e.event['event_id'], itemId: e.event['item_id'], audioEndMs: e.event['audio_end_ms'] } });
});
out({ url: agent.url });
process.once('SIGTERM', () => {
  const s = agent.stats();
  out({ stats: { ...s, truncates: undefined, rejectedTruncates: s.truncates.filter((t) => !t.accepted).length } });
  void agent.close().then(() => process.exit(0));
});
