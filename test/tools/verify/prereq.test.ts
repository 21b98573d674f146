// Missing tools are one line saying what to install; the TLC jar is trusted only by its hash.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseArgs, run } from '../../../src/cli/commands/verify.js';
import { PrerequisiteError, requireJava, requireMaven } from '../../../src/tools/verify/prereq.js';
import { TLC_JAR_NAME, cachedTlcJar, ensureTlcJar } from '../../../src/tools/verify/tlcJar.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'parley-prereq-'));
  dirs.push(d);
  return d;
};

describe('prerequisites', () => {
  it('names what to install when Java or Maven is missing', () => {
    const env = { ...process.env, PARLEY_JAVA: '/nonexistent/java', PARLEY_MVN: '/nonexistent/mvn' };
    expect(() => requireJava(env)).toThrow(PrerequisiteError);
    expect(() => requireJava(env)).toThrow(/^parley verify: Java not found .*install a JDK 11 or newer/);
    expect(() => requireMaven(env)).toThrow(/^parley verify: Maven not found .*install Maven/);
  });

  it('finds the installed Java', () => {
    expect(requireJava().major).toBeGreaterThanOrEqual(11);
  });

  it('does not trust a cached jar whose SHA-256 is wrong, and needs Maven to replace it', () => {
    const cache = tmp();
    writeFileSync(join(cache, TLC_JAR_NAME), 'not the jar');
    const env = { ...process.env, PARLEY_TLC_CACHE: cache, PARLEY_MVN: '/nonexistent/mvn' };
    expect(cachedTlcJar(env)).toBeUndefined();
    expect(() => ensureTlcJar(env)).toThrow(/Maven not found/);
  });

  it('parley verify exits 2 with a one-line message when Java is missing', async () => {
    vi.stubEnv('PARLEY_JAVA', '/nonexistent/java');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await run(['--json'])).toBe(2);
    const written = err.mock.calls.map((c) => String(c[0])).join('');
    expect(written.trim().split('\n')).toHaveLength(1);
    expect(written).toMatch(/install a JDK/);
    expect(out).not.toHaveBeenCalled();
  });
});

describe('parley verify arguments', () => {
  it('parses the options and rejects unknown or malformed ones', () => {
    expect(parseArgs(['--json', '--only', 'Playout', '--jobs', '2', '--workers', '1', '--timeout', '60', '--timeout-scale', '3', '--keep'])).toEqual({
      json: true, only: 'Playout', jobs: 2, workers: 1, timeoutSeconds: 60, timeoutScale: 3, keep: true,
    });
    expect(parseArgs(['--config', 'mutants/Session_', '--bench'])).toEqual({ json: false, config: 'mutants/Session_', bench: true });
    expect(() => parseArgs(['--only'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--config'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--jobs', '0'])).toThrow(/positive integer/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option/);
  });
});
