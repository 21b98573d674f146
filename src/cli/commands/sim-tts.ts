// `parley sim-tts`: the offline TTS stand-ins for cascade mode as a process — an ElevenLabs
// WebSocket server (stream-input and multi-stream-input) and an OpenAI TTS HTTP server.
import { parseTtsFault, startElevenLabsFake, startOpenAiTtsFake, type TtsFault } from '../../tools/sim/tts/index.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: parley sim-tts [options]

Offline stand-ins for cascade mode's TTS: point PARLEY_ELEVENLABS_URL and PARLEY_OPENAI_TTS_URL
at the printed URLs (and set ELEVENLABS_API_KEY / OPENAI_API_KEY to the keys given here).

  --host H              listen address (default 127.0.0.1)
  --elevenlabs-port N   ElevenLabs WebSocket port (default 8091; 0 = any)
  --openai-port N       OpenAI TTS HTTP port (default 8092; 0 = any)
  --elevenlabs-key K    require this ElevenLabs key (xi-api-key header or first message)
  --openai-key K        require "Authorization: Bearer K" on OpenAI TTS requests
  --ms-per-char N       audio per visible character (default 60)
  --speed X             how much faster than real time audio streams (default 4)
  --tone HZ             speak a pure tone instead of speech-like audio
  --elevenlabs-fault S  arm a fault on ElevenLabs for every request (repeatable), e.g.
                        error:code=quota_exceeded, drop:afterChunks=2, stall, delay:ms=800,
                        refuse:status=503
  --openai-fault S      the same for OpenAI TTS
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('sim-tts', USAGE, argv, {
    host: { type: 'string', default: '127.0.0.1' },
    'elevenlabs-port': { type: 'string', default: '8091' },
    'openai-port': { type: 'string', default: '8092' },
    'elevenlabs-key': { type: 'string' },
    'openai-key': { type: 'string' },
    'ms-per-char': { type: 'string' },
    speed: { type: 'string' },
    tone: { type: 'string' },
    'elevenlabs-fault': { type: 'string', multiple: true },
    'openai-fault': { type: 'string', multiple: true },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  let voice: { msPerChar?: number; speed?: number; toneHz?: number };
  let elFaults: TtsFault[];
  let oaFaults: TtsFault[];
  let ports: [number, number];
  try {
    const num = (name: string, v: string | undefined, min: number): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${v}'`);
      return n;
    };
    const msPerChar = num('ms-per-char', values['ms-per-char'], 1);
    const speed = num('speed', values.speed, 0.1);
    const toneHz = num('tone', values.tone, 1);
    voice = { ...(msPerChar !== undefined ? { msPerChar } : {}), ...(speed !== undefined ? { speed } : {}), ...(toneHz !== undefined ? { toneHz } : {}) };
    elFaults = (values['elevenlabs-fault'] ?? []).map(parseTtsFault);
    oaFaults = (values['openai-fault'] ?? []).map(parseTtsFault);
    ports = [num('elevenlabs-port', values['elevenlabs-port'], 0)!, num('openai-port', values['openai-port'], 0)!];
  } catch (err) {
    process.stderr.write(`parley sim-tts: ${(err as Error).message}\n`);
    return 2;
  }
  const host = values.host!;
  const el = await startElevenLabsFake({ host, port: ports[0], ...voice, ...(values['elevenlabs-key'] ? { apiKey: values['elevenlabs-key'] } : {}) });
  const oa = await startOpenAiTtsFake({ host, port: ports[1], ...voice, ...(values['openai-key'] ? { apiKey: values['openai-key'] } : {}) });
  for (const f of elFaults) el.arm(f, 'always');
  for (const f of oaFaults) oa.arm(f, 'always');
  process.stdout.write(`${JSON.stringify({ elevenlabsUrl: el.url, openaiTtsUrl: oa.url })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`${JSON.stringify({ stats: { elevenlabs: el.stats(), openai: oa.stats() } })}\n`);
  await Promise.all([el.close(), oa.close()]);
  return 0;
}
