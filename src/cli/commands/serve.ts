// `parley serve`: the bridge. Loads and validates the configuration (file + env), starts the
// media engine, the AI side (OpenAI, or the embedded offline agent) and the HTTP/WebSocket
// server, and shuts down gracefully on SIGTERM/SIGINT (exit 0). With --workers N (N > 1) it is
// the primary of N such runtimes sharing the port (src/server/cluster/).
import cluster from 'node:cluster';
import { ConfigError, loadConfig, redactedConfig, settingsMarkdownTable } from '../../config/index.js';
import { createLogger } from '../../obs/index.js';
import { startParley, type ParleyApp } from '../../app.js';
import type { Logger } from '../../obs/index.js';
import { runPrimary } from '../../server/cluster/primary.js';
import { WorkerLink } from '../../server/cluster/worker.js';
import { workerCount } from '../../server/cluster/size.js';

const HELP = `usage: parley serve [--port N] [--workers N] [--print-config] [--config-table]

Runs the bridge: WebSocket /twilio and /audio-stream, GET /healthz /readyz /metrics.
Configuration comes from parley.config.(json|yaml) and the environment (see README).
  --port N          overrides PORT
  --workers N       overrides PARLEY_WORKERS: N processes share the port, each with its own
                    media thread (0 = one per core; 1 = one process, no cluster)
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
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = flag('--port');
  const workersFlag = flag('--workers');
  let config;
  try {
    config = loadConfig({
      env: { ...process.env, ...(port !== undefined ? { PORT: port } : {}), ...(workersFlag !== undefined ? { PARLEY_WORKERS: workersFlag } : {}) },
    });
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
  const workers = workerCount(config.workers);
  const root = createLogger({ level: config.logLevel, sharedStdout: workers > 1 });
  if (workers > 1 && cluster.isPrimary) return runPrimary({ workers, drainMs: config.shutdown.drainMs, maxCalls: config.limits.maxCalls, log: root });
  // A cluster worker: the ordinary runtime, admitting calls through the primary, reporting to it.
  const link = cluster.isWorker ? new WorkerLink() : undefined;
  const log = cluster.worker ? root.child({ worker: cluster.worker.id, pid: process.pid }) : root;
  let app: ParleyApp;
  try {
    app = await startParley({ config, log, ...(link ? { admission: link, onCallCount: link.callCount, scrape: link.scrape, inspectSource: (hub) => link.inspect(hub) } : {}) });
  } catch (err) {
    // Port in use, an unavailable AI mode or media engine: say what, not a stack.
    const msg = err instanceof Error ? err.message : String(err);
    log.fatal({ err: msg }, 'cannot start');
    log.flush();
    process.stderr.write(`parley serve: cannot start: ${msg}\n`);
    await link?.bye(); // the IPC channel would keep the process alive
    return 1;
  }
  log.info({ port: app.port, ai: config.ai.mode, media: app.mediaKind }, 'parley serving');
  link?.serve(app.metrics.registry, app.port);
  return untilStopped(app, log, link);
}

/** Shuts down gracefully on SIGTERM/SIGINT (or the primary's drain); resolves with the exit code. */
function untilStopped(app: ParleyApp, log: Logger, link: WorkerLink | undefined): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      app
        .shutdown()
        .then(
          () => 0,
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            return 1;
          },
        )
        .then(async (code) => {
          await link?.bye(); // after every call report; then the IPC channel lets the process end
          log.flush();
          resolve(code);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    link?.onDrain(() => stop('drain'));
  });
}
