// What the config tests share: a directory holding a given parley.config.yaml, and the problems
// a ConfigError carries (any other outcome fails the test that asked).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/index.js';

/** A fresh directory with `yaml` as its parley.config.yaml (none when omitted). */
export function configDir(yaml?: string): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-config-'));
  if (yaml !== undefined) writeFileSync(join(d, 'parley.config.yaml'), yaml);
  return d;
}

/** The problems of the ConfigError `fn` throws; throws itself when `fn` does not. */
export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
