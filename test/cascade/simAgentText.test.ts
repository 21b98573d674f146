// The sim-agent as cascade mode's LLM: a text-only session (output_modalities ["text"]) answers
// in GA text events, and the realtime client surfaces them as text_delta / text_done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIRealtimeClient } from '../../src/ai/openai/client.js';
import { textSessionUpdate } from '../../src/ai/cascade/sessionUpdate.js';
import type { AiEvent } from '../../src/ai/types.js';
import { startSimAgent, type SimAgent } from '../../src/tools/sim/agent/index.js';
import { replySentences } from '../../src/tools/sim/agent/textResponse.js';

describe('sim-agent text-only session', () => {
  let agent: SimAgent;
  beforeAll(async () => {
    agent = await startSimAgent({ host: '127.0.0.1', port: 0, firstAudioDelayMs: 10, speed: 20 });
  });
  afterAll(() => agent.close());

  it('streams the reply as output_text deltas and completes it', async () => {
    const fmt = { codec: 'pcm16', rate: 24000 } as const;
    const client = new OpenAIRealtimeClient({ url: agent.url, inputFormat: fmt });
    const events: AiEvent[] = [];
    client.on((e) => events.push(e));
    client.connect();
    await until(() => events.some((e) => e.type === 'session_created'));
    client.sendRaw(textSessionUpdate({ inputFormat: fmt, outputFormat: fmt, turnDetection: { type: 'server_vad', interruptResponse: false } }));
    await until(() => events.some((e) => e.type === 'session_updated'));
    client.createResponse();
    await until(() => events.some((e) => e.type === 'response_done'));
    client.close();
    const text = events.filter((e) => e.type === 'text_delta').map((e) => (e as { delta: string }).delta).join('');
    const conn = agent.connections()[0]?.id ?? 1;
    expect(text.trim()).toBe(replySentences(1, conn).join(' '));
    expect(events.find((e) => e.type === 'text_done')).toMatchObject({ text: text.trim() });
    expect(events.some((e) => e.type === 'audio_delta')).toBe(false);
    expect(events.find((e) => e.type === 'response_done')).toMatchObject({ status: 'completed' });
  });
});

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
