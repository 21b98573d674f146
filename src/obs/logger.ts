// pino JSON logs. Secrets are redacted by path (config keys, auth headers) and from URLs
// (`?token=`); per-call loggers carry `callId` (and the protocol) on every line.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, whatever object they appear in. */
export const REDACT_PATHS = [
  'authToken',
  'twilioAuthToken',
  'token',
  'apiKey',
  'openaiApiKey',
  'elevenlabsApiKey',
  'authorization',
  '*.authToken',
  '*.twilioAuthToken',
  '*.token',
  '*.apiKey',
  '*.openaiApiKey',
  '*.elevenlabsApiKey',
  '*.authorization',
  '*.freeswitchEslPassword',
  '*.twilioApiKeySecret',
  '*.*.openaiApiKey',
  '*.*.elevenlabsApiKey',
  'headers.authorization',
  'req.headers.authorization',
  'headers["xi-api-key"]',
];

export interface LoggerOptions {
  readonly level?: string;
  /** Defaults to stdout; tests pass a stream to read the lines. */
  readonly destination?: DestinationStream;
  /**
   * Several processes write this stdout (cluster workers and their primary): each write is whole
   * lines of at most PIPE_BUF (4096) bytes, which a pipe never interleaves with another writer's.
   */
  readonly sharedStdout?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'parley' },
      redact: { paths: REDACT_PATHS, censor: '<redacted>' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false, ...(opts.sharedStdout ? { maxWrite: 4096 } : {}) }),
  );
}

/** A logger that writes nothing (library use, quiet tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The URL with credential-bearing query parameters replaced, for logging. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|api[_-]?key|key|authorization)=)[^&#]*/gi, '$1<redacted>');
}

export function callLogger(root: Logger, callId: string, protocol: string): Logger {
  return root.child({ callId, protocol });
}
