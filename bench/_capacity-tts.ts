// Child process of the capacity bench in cascade mode: the ElevenLabs and OpenAI TTS fakes on
// their own core, printing their URLs, and their stats on SIGTERM.
import { startTtsFakes } from '../src/tools/sim/tts/index.js';

const fakes = await startTtsFakes({ elevenlabs: { apiKey: 'bench-el' }, openai: { apiKey: 'bench-openai' } });
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ tts: { elevenlabs: fakes.elevenlabs.url, openai: fakes.openai.url } });
process.once('SIGTERM', () => {
  out({ ttsStats: { elevenlabs: fakes.elevenlabs.stats(), openai: fakes.openai.stats() } });
  void fakes.close().then(() => process.exit(0));
});
