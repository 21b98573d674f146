// Offline TTS stand-ins for cascade mode: `startTtsFakes()` starts both (ElevenLabs WebSocket and
// OpenAI TTS HTTP) on loopback; their URLs go to PARLEY_ELEVENLABS_URL and PARLEY_OPENAI_TTS_URL.
import { startElevenLabsFake } from './elevenlabs.js';
import { startOpenAiTtsFake } from './openaiTts.js';
import type { ElevenLabsFakeOptions, OpenAiTtsFakeOptions, TtsFake } from './types.js';

export * from './types.js';
export { startElevenLabsFake } from './elevenlabs.js';
export { startOpenAiTtsFake, OPENAI_TTS_FAKE_RATE } from './openaiTts.js';
export { parseTtsFault } from './faults.js';

export interface TtsFakes {
  readonly elevenlabs: TtsFake;
  readonly openai: TtsFake;
  close(): Promise<void>;
}

export async function startTtsFakes(o: { host?: string; elevenlabs?: ElevenLabsFakeOptions; openai?: OpenAiTtsFakeOptions } = {}): Promise<TtsFakes> {
  const host = o.host ?? '127.0.0.1';
  const elevenlabs = await startElevenLabsFake({ host, ...o.elevenlabs });
  const openai = await startOpenAiTtsFake({ host, ...o.openai });
  return {
    elevenlabs,
    openai,
    close: async () => {
      await Promise.all([elevenlabs.close(), openai.close()]);
    },
  };
}
