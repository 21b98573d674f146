// Extra environment for the capacity bench's serve process alone.

/**
 * CAPACITY_SERVE_ENV='{"NODE_OPTIONS":"--max-semi-space-size=4","MALLOC_ARENA_MAX":"2"}': extra
 * environment for serve alone (V8 and glibc memory settings), not for the agent or the callers.
 */
export function serveEnv(): Record<string, string> {
  const raw = process.env.CAPACITY_SERVE_ENV;
  if (!raw) return {};
  const env = JSON.parse(raw) as unknown;
  if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new Error(`CAPACITY_SERVE_ENV must be a JSON object of strings, got ${raw}`);
  }
  return env as Record<string, string>;
}
