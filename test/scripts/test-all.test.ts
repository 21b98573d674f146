// scripts/test-all.mjs (`npm test`): CI runs every suite, so a suite selection is refused there.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = new URL('../../scripts/test-all.mjs', import.meta.url).pathname;

describe('npm test under CI', () => {
  it('fails at once when PARLEY_TEST_ONLY is set while CI is set', () => {
    // A suite name that does not exist: were the guard gone, no suite would run (and the run fails).
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true', PARLEY_TEST_ONLY: 'no-such-suite' } });
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('npm test: PARLEY_TEST_ONLY=no-such-suite is set while CI is set; CI must run every suite');
  });
});
