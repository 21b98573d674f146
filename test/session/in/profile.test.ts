// The profile choice at the telephony `start` (src/session/in/telephony.ts), on fakes: an unknown
// name is answered by default, logged with the name (cleaned, bounded) and counted; the chosen
// profile reaches session.update and names the agent in tool requests.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/obs/index.js';
import { rig } from '../fakes.js';

const start = (params: Record<string, string>) =>
  JSON.stringify({
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ1',
    start: { streamSid: 'MZ1', callSid: 'CA1', accountSid: 'AC1', tracks: ['inbound'], customParameters: params, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
  });

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

const AGENTS = { agents: { sales: { instructions: 'You sell.', voice: 'cedar' } } };

describe('profile choice at start', () => {
  it('an unknown name: answered by default, logged with the name, counted', async () => {
    const { lines, log } = logCapture();
    const r = rig('twilio', AGENTS, undefined, { log });
    r.call.onMessage(Buffer.from(start({ agent: 'salez\nFAKE LOG LINE' })), false);
    await new Promise((res) => setImmediate(res));
    const warn = lines.find((l) => l['msg'] === 'the call names an unknown agent profile; answered by default');
    expect(warn?.['agent']).toBe('salez FAKE LOG LINE');
    expect(await r.metrics.value('parley_agent_profile_unknown_total')).toBe(1);
    expect(await r.metrics.value('parley_agent_profile_calls_total', { agent: 'default' })).toBe(1);
  });

  it('a known name is not counted as unknown and reaches the call', async () => {
    const r = rig('twilio', AGENTS);
    r.call.onMessage(Buffer.from(start({ agent: 'sales' })), false);
    expect(await r.metrics.value('parley_agent_profile_unknown_total')).toBe(0);
    expect(await r.metrics.value('parley_agent_profile_calls_total', { agent: 'sales' })).toBe(1);
  });
});
