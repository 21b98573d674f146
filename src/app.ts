// The composition root of `parley serve` (also used in-process by `parley demo`, the e2e tests
// and the capacity bench): media engine + AI side + session runtime + HTTP server + metrics.
import { platformDrivers } from './platform/fromConfig.js';
import type { ParleyConfig } from './config/index.js';
import { createAiClient, startLocalAgent, type LocalAgent, type LocalAgentOptions } from './ai/index.js';
import { ToolRegistry } from './functions/registry.js';
import { McpServerLink } from './functions/mcp.js';
import { CascadeService, createTtsBreaker } from './ai/cascade/index.js';
import type { MediaEngine } from './media/types.js';
import { createMediaEngine } from './media/index.js';
import { addonMallocTrim, startMallocTrim } from './media/mallocTrim.js';
import { Metrics, silentLogger, watchEventLoop, watchMediaEngine, type Logger } from './obs/index.js';
import { realClock, type Clock } from './base/clock.js';
import { SessionRuntime } from './session/runtime.js';
import { InspectHub } from './obs/inspect/hub.js';
import { InspectEndpoint, type InspectSource } from './server/inspectEndpoint.js';
import { MACHINES } from '../machines/index.js';
import { ParleyServer, type ServerOptions } from './server/server.js';
import { AudioSocketListener } from './server/audiosocketListener.js';
import type { RouteHandler } from './server/types.js';
import { CallRecords, type RecordsOptions } from './records/index.js';

export interface StartOptions {
  readonly config: ParleyConfig;
  readonly log?: Logger;
  readonly metrics?: Metrics;
  readonly clock?: Clock;
  /** Use this engine instead of creating one from config.media.engine (it is not closed). */
  readonly engine?: MediaEngine;
  /** Options of the embedded agent when config.ai.mode is local (tests inject faults here). */
  readonly localAgent?: LocalAgentOptions;
  readonly routes?: readonly RouteHandler[];
  /** Passed to the server: admission, live-call changes and the /metrics body (cluster workers). */
  readonly admission?: ServerOptions['admission'];
  readonly onCallCount?: ServerOptions['onCallCount'];
  readonly scrape?: ServerOptions['scrape'];
  /** What /inspect streams, given this runtime's hub (cluster workers join every worker's). */
  readonly inspectSource?: (hub: InspectHub) => InspectSource;
  /** Every call event also goes here (the demo's record; tests), and the delivery backoff. */
  readonly records?: Pick<RecordsOptions, 'onEvent' | 'backoffMs'>;
}

export interface ParleyApp {
  readonly port: number;
  /** The AudioSocket TCP port when PARLEY_AUDIOSOCKET_PORT is set. */
  readonly audiosocketPort: number | undefined;
  readonly server: ParleyServer;
  readonly runtime: SessionRuntime;
  readonly metrics: Metrics;
  readonly mediaKind: 'native' | 'js';
  /** The embedded agent in local mode. */
  readonly localAgent: LocalAgent | undefined;
  /** Cascade mode's TTS side (shared cache, breaker, metrics). */
  readonly cascade: CascadeService | undefined;
  /** Live machine steps of every call, streamed on /inspect. */
  readonly inspect: InspectHub;
  /** Transcripts, the events webhook and recordings. */
  readonly records: CallRecords;
  /** Graceful shutdown (drain up to config.shutdown.drainMs), then engine, agent and watchers are closed. */
  shutdown(): Promise<void>;
}

export async function startParley(opts: StartOptions): Promise<ParleyApp> {
  const { config } = opts;
  const log = opts.log ?? silentLogger();
  const metrics = opts.metrics ?? new Metrics();
  const clock = opts.clock ?? realClock;
  const engine = opts.engine ?? (await createMediaEngine(config.media.engine, { log, wakeEveryTicks: config.media.wakeEveryTicks }));
  const ownsEngine = opts.engine === undefined;

  let localAgent: LocalAgent | undefined;
  let url = config.ai.openaiUrl;
  let apiKey = config.ai.openaiApiKey;
  if (config.ai.mode === 'local') {
    localAgent = await startLocalAgent(opts.localAgent ?? {});
    url = localAgent.url;
    apiKey = undefined;
  }
  // The runtime builds the TTS breaker actor (its policy is machines/ttsBreaker.ts) and hands it to the cascade.
  const cascade =
    config.ai.mode === 'cascade'
      ? new CascadeService({ config, registry: metrics.registry, resampler: engine.kind, log, createBreaker: createTtsBreaker })
      : undefined;

  const inspect = new InspectHub({ machines: MACHINES.map((m) => m.name) });
  const inspectEndpoint = new InspectEndpoint({
    hub: opts.inspectSource?.(inspect) ?? inspect,
    authToken: config.authToken,
    onRefused: (reason) => metrics.upgradesRefused.inc({ reason }),
  });
  // MCP servers: sessions opened in the background (one down at start is retried; its tools absent meanwhile).
  const mcpLinks = Object.entries(config.mcp).map(([name, cfg]) => new McpServerLink(name, cfg, log));
  for (const l of mcpLinks) l.start();
  const tools =
    Object.keys(config.tools).length > 0 || mcpLinks.length > 0 ? new ToolRegistry(config.tools, { metrics, secret: config.webhookSecret }, mcpLinks) : undefined;
  const platform = platformDrivers(config, log);
  const records = await CallRecords.start({ config, registry: metrics.registry, log, ...opts.records });
  const runtime = new SessionRuntime({
    config,
    records,
    ...(tools ? { tools } : {}),
    platform: platform.drivers,
    // The earlier JS path (the capacity bench's --baseline) also kept the always-on inspector.
    wrapTrace: (trace, connId, protocol) => inspect.traced(trace, connId, protocol, { alwaysInspect: config.jsPath === 'baseline' }),
    engine,
    metrics,
    log,
    clock,
    createAiClient: (inputFormat) =>
      cascade?.createClient(inputFormat) ??
      createAiClient({
        url,
        ...(apiKey ? { apiKey } : {}),
        appendBatchMs: config.ai.appendBatchMs,
        inputFormat,
        connectTimeoutMs: config.ai.connectTimeoutMs,
      }),
  });
  const server = new ParleyServer({
    config,
    handler: runtime,
    metrics,
    log,
    clock,
    routes: [inspectEndpoint.route, ...(opts.routes ?? [])],
    upgrades: [inspectEndpoint],
    ...(opts.admission ? { admission: opts.admission } : {}),
    ...(opts.onCallCount ? { onCallCount: opts.onCallCount } : {}),
    ...(opts.scrape ? { scrape: opts.scrape } : {}),
  });
  const stopLagOnly = watchEventLoop(metrics);
  const stopMedia = watchMediaEngine(metrics, engine);
  const stopLag = () => {
    stopLagOnly();
    stopMedia();
  };
  const stopSaturation = metrics.watchMedia(engine); // parley_media_saturation, for autoscaling
  // Free C-library memory goes back to the OS every media.mallocTrimMs (the addon does it).
  const trim = addonMallocTrim();
  const trimmer = trim ? startMallocTrim(trim, config.media.mallocTrimMs, clock) : undefined;
  /** Everything started here, released in order (after the server stopped taking calls). */
  const release = async () => {
    trimmer?.stop();
    stopLag();
    stopSaturation();
    runtime.close();
    platform.close();
    if (ownsEngine) await engine.close();
    await localAgent?.close();
    cascade?.close();
    await Promise.all(mcpLinks.map((l) => l.close()));
  };
  const { telephony } = config;
  const audiosocket =
    telephony.audiosocketPort === undefined
      ? undefined
      : new AudioSocketListener({
          port: telephony.audiosocketPort,
          host: config.host,
          allow: telephony.audiosocketAllow.split(',').map((a) => a.trim()).filter((a) => a.length > 0),
          uuidPrefix: telephony.audiosocketUuidPrefix || undefined,
          limits: config.limits,
          server,
          handler: runtime,
          metrics,
          log,
          clock,
        });
  let port: number;
  let audiosocketPort: number | undefined;
  try {
    port = await server.listen();
  } catch (err) {
    await release();
    await records.drain(Date.now());
    throw err;
  }
  try {
    audiosocketPort = await audiosocket?.listen();
  } catch (err) {
    await server.shutdown();
    await release();
    throw err;
  }

  let done: Promise<void> | undefined;
  return {
    port,
    audiosocketPort,
    server,
    runtime,
    metrics,
    mediaKind: engine.kind,
    localAgent,
    cascade,
    inspect,
    records,
    shutdown() {
      done ??= (async () => {
        // The events' share of the drain deadline runs from the start of the shutdown.
        const deadline = Date.now() + config.shutdown.drainMs;
        await server.shutdown();
        await audiosocket?.close();
        await records.drain(deadline);
        await release();
      })();
      return done;
    },
  };
}
