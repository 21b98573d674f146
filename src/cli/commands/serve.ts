// `parley serve`: the bridge. Loads and validates the configuration (file + env), starts the
// media engine, the AI side (OpenAI, or the embedded offline agent) and the HTTP/WebSocket
// server, and shuts down gracefully on SIGTERM/SIGINT (exit 0).
import { ConfigError, loadConfig, redactedConfig, settingsMarkdownTable } from '../../config/index.js';
import { createLogger } from '../../obs/index.js';
import { startParley } from '../../app.js';

const HELP = `usage: parley serve [--port N] [--print-config] [--config-table]

Runs the bridge: WebSocket /twilio and /audio-stream, GET /healthz /readyz /metrics.
Configuration comes from parley.config.(json|yaml) and the environment (see README).
  --port N          overrides PORT
  --print-config    print the effective configuration (secrets redacted) and exit
  --config-table    print the settings table (Markdown) and exit
`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.includes('--config-table')) {
    process.stdout.write(`${settingsMarkdownTable()}\n`);
    return 0;
  }
  const portIdx = argv.indexOf('--port');
  const port = portIdx >= 0 ? argv[portIdx + 1] : undefined;
  let config;
  try {
    config = loadConfig({ env: port !== undefined ? { ...process.env, PORT: port } : process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (argv.includes('--print-config')) {
    process.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
    return 0;
  }
  const log = createLogger({ level: config.logLevel });
  let app;
  try {
    app = await startParley({ config, log });
  } catch (err) {
    // Port in use, an unavailable AI mode or media engine: say what, not a stack.
    const msg = err instanceof Error ? err.message : String(err);
    log.fatal({ err: msg }, 'cannot start');
    log.flush();
    process.stderr.write(`parley serve: cannot start: ${msg}\n`);
    return 1;
  }
  log.info({ port: app.port, ai: config.ai.mode, media: app.mediaKind }, 'parley serving');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      app.shutdown().then(
        () => {
          log.flush();
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          log.flush();
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
