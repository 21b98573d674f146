// The native GoogleTest suites under one sanitizer: configure and build native/ with
// -DPARLEY_SANITIZE=<san>, then run every *_test binary and count each of its tests once
// (scripts/gtest-count.mjs). Used by scripts/test-all.mjs, once per sanitizer.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { countGtest, parseGtestList } from './gtest-count.mjs';
import { run } from './run.mjs';

/** The sanitizers, with the name the suite line shows. */
export const SANITIZERS = [
  { san: 'thread', label: 'TSan' },
  { san: 'address', label: 'ASan+UBSan' },
];

const SAN_ENV = {
  TSAN_OPTIONS: 'halt_on_error=1 second_deadlock_stack=1',
  ASAN_OPTIONS: 'detect_leaks=1 abort_on_error=0',
  UBSAN_OPTIONS: 'print_stacktrace=1 halt_on_error=1',
};

/**
 * Builds and runs the suites under `san`. Returns the counts, a note, and the output worth
 * showing (build errors, failing binaries' logs).
 */
export async function nativeSuite(root, san, { jobs = '2' } = {}) {
  const tests = readdirSync(`${root}native/test`).filter((f) => f.endsWith('_test.cc'));
  const dir = `${root}.build/native-${san}`;
  const conf = await run('cmake', ['-S', 'native', '-B', dir, `-DPARLEY_SANITIZE=${san}`], { quiet: true, cwd: root });
  const build = conf.code === 0 ? await run('cmake', ['--build', dir, '-j', jobs], { quiet: true, cwd: root }) : conf;
  if (build.code !== 0) return { passed: 0, failed: 1, skipped: 0, note: '(build failed)', out: build.out };

  const env = { ...process.env, ...SAN_ENV };
  const total = { passed: 0, failed: 0, skipped: 0, note: '', out: '' };
  for (const t of tests) {
    const bin = `${dir}/${t.replace(/\.cc$/, '')}`;
    const json = `${bin}.json`;
    const list = await run(bin, ['--gtest_list_tests'], { quiet: true, cwd: root, env });
    const listed = list.code === 0 ? parseGtestList(list.out) : [];
    if (listed.length === 0) {
      // A binary that cannot list its tests (or has none) is one failure, named.
      total.failed += 1;
      total.out += `${t}: --gtest_list_tests gave no tests (exit ${list.code})\n${list.out}`;
      continue;
    }
    rmSync(json, { force: true }); // never read a previous run's report
    const res = await run(bin, [`--gtest_output=json:${json}`], { quiet: true, cwd: root, env });
    const report = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : undefined;
    const c = countGtest(listed, report, res.code);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    if (c.failed > 0) total.out += `${t} (exit ${res.code}${report ? '' : ', no report'}): failed ${c.failedNames.join(', ')}\n${res.out}`;
  }
  return total;
}
