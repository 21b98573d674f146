// sim-tts speaks ElevenLabs' documented limits and its HTTP streaming endpoint (issue 20 part 4):
// a sixth concurrent context on one multi-context socket is refused the way the service does it
// (max_active_conversations, close 1008), so a client that leaks contexts fails a test; an
// inactivity_timeout above 180 s is refused; POST …/{voice}/stream streams PCM of the text.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startElevenLabsFake, type TtsFake } from '../../../src/tools/sim/tts/index.js';

let fake: TtsFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: { 'xi-api-key': 'k' } });
  await once(ws, 'open');
  return ws;
}

describe('sim-tts ElevenLabs limits', () => {
  it('refuses a sixth concurrent context on one multi-context socket (max_active_conversations, 1008)', async () => {
    fake = await startElevenLabsFake({ apiKey: 'k', speed: 1, msPerChar: 60 });
    const ws = await open(`${fake.url}/v/multi-stream-input?output_format=pcm_16000`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    const closed = once(ws, 'close');
    for (let i = 1; i <= 5; i++) ws.send(JSON.stringify({ text: 'A sentence that takes a while to say. ', context_id: `c${i}`, flush: true }));
    await new Promise((r) => setTimeout(r, 150));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.send(JSON.stringify({ text: 'One too many. ', context_id: 'c6', flush: true }));
    const [code] = (await closed) as [number];
    expect(code).toBe(1008);
    expect(messages.find((m) => m['error'] !== undefined)).toMatchObject({ error: 'max_active_conversations', code: 1008 });
    expect(fake.stats().contextLimitHits).toBe(1);
  });

  it('a context closed and finished frees its slot: five at a time, any number in sequence', async () => {
    fake = await startElevenLabsFake({ apiKey: 'k', speed: 20, msPerChar: 10 });
    const ws = await open(`${fake.url}/v/multi-stream-input?output_format=pcm_16000`);
    const finals = new Set<string>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Record<string, unknown>;
      if (m['isFinal'] === true) finals.add(String(m['contextId']));
    });
    for (let i = 1; i <= 8; i++) {
      ws.send(JSON.stringify({ text: 'Short one. ', context_id: `c${i}`, flush: true }));
      ws.send(JSON.stringify({ context_id: `c${i}`, close_context: true }));
      const want = `c${i}`;
      const end = Date.now() + 3000;
      while (!finals.has(want) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    }
    expect(finals.size).toBe(8);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(fake.stats().maxContexts).toBeLessThanOrEqual(5);
    ws.close();
  });

  it('refuses inactivity_timeout above the documented 180 s', async () => {
    fake = await startElevenLabsFake({ apiKey: 'k' });
    const ws = new WebSocket(`${fake.url}/v/multi-stream-input?output_format=pcm_16000&inactivity_timeout=181`, { headers: { 'xi-api-key': 'k' } });
    const [err] = (await once(ws, 'error')) as [Error];
    expect(err.message).toMatch(/400/);
  });
});

describe('sim-tts ElevenLabs HTTP streaming endpoint', () => {
  it('streams PCM16 of the text at the requested rate, with the documented error shapes', async () => {
    fake = await startElevenLabsFake({ apiKey: 'k', msPerChar: 50, speed: 8 });
    const url = `${fake.httpUrl!}/v/stream?output_format=pcm_16000`;
    const body = JSON.stringify({ text: 'Hello there.', model_id: 'eleven_flash_v2_5' });
    const noKey = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { detail: { status: string } }).detail.status).toBe('invalid_api_key');
    const badFormat = await fetch(`${fake.httpUrl!}/v/stream?output_format=mp3_44100_128`, { method: 'POST', headers: { 'xi-api-key': 'k' }, body });
    expect(badFormat.status).toBe(400);
    const noText = await fetch(url, { method: 'POST', headers: { 'xi-api-key': 'k' }, body: '{}' });
    expect(noText.status).toBe(422);
    const ok = await fetch(url, { method: 'POST', headers: { 'xi-api-key': 'k', 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    const pcm = Buffer.from(await ok.arrayBuffer());
    // 11 visible characters × 50 ms at 16 kHz, PCM16.
    expect(pcm.length).toBe(Math.round((11 * 50 * 16000) / 1000) * 2);
    expect(fake.texts().at(-1)!.text).toBe('Hello there.');
  });
});
