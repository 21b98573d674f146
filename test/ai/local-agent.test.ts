// PARLEY_AI=local: the embedded agent is reachable with the production client, and echo mode
// answers a turn with the caller's own audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiClient, startLocalAgent, type LocalAgent } from '../../src/ai/index.js';
import { decodeAudio, rmsDbfs } from '../../src/tools/sim/audio/pcm.js';
import { appendAll, Recorder, turnMulaw } from './helpers.js';

const ULAW = { codec: 'mulaw', rate: 8000 } as const;

describe('local AI mode', () => {
  let local: LocalAgent;
  beforeAll(async () => {
    local = await startLocalAgent({ replyMode: 'echo', speed: 20, firstAudioDelayMs: 5 });
  });
  afterAll(() => local.close());

  it('listens on loopback with a ws:// URL and answers a turn by playing it back', async () => {
    expect(local.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime\?model=gpt-realtime$/);
    const c = createAiClient({ url: local.url });
    const rec = new Recorder(c);
    c.connect();
    await rec.waitFor('session_created');
    c.updateSession({ inputFormat: ULAW, outputFormat: ULAW, turnDetection: { type: 'server_vad', silenceDurationMs: 300, interruptResponse: true } });
    await rec.waitFor('session_updated');
    appendAll(c, turnMulaw(200, 700, 500), 160);
    await rec.waitFor('response_done', undefined, 8000);
    const reply = Buffer.concat(rec.of('audio_delta').map((d) => d.audio));
    // the turn from prefix padding to speech_stopped: 700 ms of speech + up to 300 ms silence + padding
    expect(reply.length / 8).toBeGreaterThan(700);
    expect(reply.length / 8).toBeLessThan(1400);
    const pcm = decodeAudio(ULAW, reply);
    expect(rmsDbfs(pcm)).toBeGreaterThan(-30); // it is the caller's speech, not silence
    expect(local.agent.stats().speechStarted).toBe(1);
    c.close();
  });
});
