// `parley <command>`: each command is one module in ./commands exporting `run(argv)`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The outside contract's commands (docs/ARCHITECTURE.md#outside-contract), plus developer tools. */
const COMMANDS: Record<string, string> = {
  serve: 'the bridge: /twilio, /audio-stream, /healthz, /readyz, /metrics, /inspect',
  demo: 'a complete simulated call, offline, with a report',
  'sim-agent': 'an offline OpenAI-Realtime-compatible agent',
  'sim-tts': 'offline ElevenLabs (WebSocket) and OpenAI TTS (HTTP) stand-ins for cascade mode',
  'sim-call': 'a simulated caller and load generator',
  verify: 'TLC over every spec and mutant',
  viz: 'the statechart visualiser',
  mbt: 'model-based tests against the running bridge',
};

export interface CommandModule {
  run(argv: string[]): Promise<number | void>;
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, d]) => `  ${n.padEnd(10)} ${d}`);
  return `usage: parley <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (!(name in COMMANDS)) {
    process.stderr.write(`parley: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  const file = new URL(`./commands/${name}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    process.stderr.write(`parley: '${name}' is not part of this build yet\n`);
    return 2;
  }
  const mod = (await import(file.href)) as CommandModule;
  const code = await mod.run(rest);
  return typeof code === 'number' ? code : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`parley: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
