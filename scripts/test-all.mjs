// `npm test`: runs every suite that exists and ends with one line, "N passed, N failed",
// counted over all of them (type check, generator freshness, vitest, C++ sanitizer
// builds, the native libFuzzer slice, TLC specs and mutants). PARLEY_TEST_ONLY=vitest,native,... selects suites.
import { existsSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.env.PARLEY_TEST_ONLY?.split(',').filter(Boolean);
const tally = [];

function record(suite, passed, failed, note = '') {
  tally.push({ suite, passed, failed, note });
  console.log(`\n== ${suite}: ${passed} passed, ${failed} failed ${note}`);
}

const suites = {
  async typecheck() {
    const { code, out } = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { quiet: true, cwd: root });
    if (code !== 0) process.stdout.write(out);
    record('typecheck', code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  },

  async gen() {
    if (!existsSync(`${root}src/gen/main.ts`)) return;
    const { code, out } = await run(process.execPath, ['dist/src/gen/main.js', '--check'], { quiet: true, cwd: root });
    process.stdout.write(out);
    record('gen --check', code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  },

  async vitest() {
    mkdirSync(`${root}.build`, { recursive: true });
    const report = `${root}.build/vitest.json`;
    const { code } = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root });
    if (!existsSync(report)) return record('vitest', 0, 1, `(no report, exit ${code})`);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    // A suite file that fails to load has no test results; count it as a failure.
    const broken = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    record('vitest', r.numPassedTests, r.numFailedTests + broken, code !== 0 && r.numFailedTests + broken === 0 ? `(exit ${code})` : '');
    if (code !== 0 && r.numFailedTests + broken === 0) tally.at(-1).failed += 1;
  },

  async native() {
    const tests = existsSync(`${root}native/test`) ? readdirSync(`${root}native/test`).filter((f) => f.endsWith('_test.cc')) : [];
    if (tests.length === 0) return;
    for (const san of ['thread', 'address']) {
      const dir = `${root}.build/native-${san}`;
      const conf = await run('cmake', ['-S', 'native', '-B', dir, `-DPARLEY_SANITIZE=${san}`], { quiet: true, cwd: root });
      const build = conf.code === 0 ? await run('cmake', ['--build', dir, '-j', '2'], { quiet: true, cwd: root }) : conf;
      if (build.code !== 0) {
        process.stdout.write(build.out);
        record(`native (${san})`, 0, 1, '(build failed)');
        continue;
      }
      let passed = 0;
      let failed = 0;
      for (const t of tests) {
        const bin = `${dir}/${t.replace(/\.cc$/, '')}`;
        const json = `${dir}/${t.replace(/\.cc$/, '')}.json`;
        const env = { ...process.env, TSAN_OPTIONS: 'halt_on_error=1 second_deadlock_stack=1', ASAN_OPTIONS: 'detect_leaks=1 abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1 halt_on_error=1' };
        const res = await run(bin, [`--gtest_output=json:${json}`], { quiet: true, cwd: root, env });
        if (!existsSync(json)) {
          process.stdout.write(res.out);
          failed += 1;
          continue;
        }
        const r = JSON.parse(readFileSync(json, 'utf8'));
        const f = r.failures + (res.code !== 0 && r.failures === 0 ? 1 : 0); // a sanitizer report after the last test
        if (f > 0) process.stdout.write(res.out);
        passed += r.tests - r.failures;
        failed += f;
      }
      record(`native (${san})`, passed, failed);
    }
  },

  async fuzz() {
    // libFuzzer targets of the native core (native/fuzz, clang, ASan + UBSan): a short run each
    // over the committed corpus; the bench runs them for minutes (npm run bench -- fuzz).
    if (!existsSync(`${root}native/fuzz/run.mjs`)) return;
    const seconds = process.env.PARLEY_FUZZ_SECONDS ?? '8';
    const { code, out } = await run(process.execPath, ['native/fuzz/run.mjs', '--seconds', seconds], { quiet: true, cwd: root });
    const line = out.split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (!line) {
      process.stdout.write(out);
      return record('native fuzz', 0, 1, `(no JSON, exit ${code})`);
    }
    const r = JSON.parse(line);
    process.stdout.write(out.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
    const failed = r.targets.filter((t) => t.crashes > 0 || t.leaks > 0).length;
    record('native fuzz', r.targets.length - failed, r.targets.length === 0 ? 1 : failed, r.error ? `(${r.error})` : '');
  },

  async verify() {
    if (!existsSync(`${root}src/cli/commands/verify.ts`)) return;
    const { code, out } = await run(process.execPath, ['dist/src/cli/main.js', 'verify', '--json'], { quiet: true, cwd: root });
    const line = out.split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (!line) {
      process.stdout.write(out);
      return record('verify (TLC)', 0, 1, `(no JSON, exit ${code})`);
    }
    const { results } = JSON.parse(line);
    for (const r of results) {
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.spec} ${r.config} expect=${r.expect} verdict=${r.verdict} distinct=${r.distinct ?? '-'} ${r.seconds}s`);
      if (!r.ok && r.message) console.log(`     ${r.message.split('\n').join('\n     ')}`);
    }
    const passed = results.filter((r) => r.ok).length;
    record('verify (TLC)', passed, results.length - passed);
  },
};

// Fresh build first: the CLI, generator and TLC wrapper run from dist/.
const build = await run(process.execPath, ['scripts/build-ts.mjs', '--quiet'], { cwd: root });
if (build.code !== 0) record('build', 0, 1);
const nat = await run(process.execPath, ['scripts/build-native.mjs'], { quiet: true, cwd: root });
if (nat.code !== 0) {
  process.stdout.write(nat.out);
  record('addon build', 0, 1);
}

for (const [name, fn] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  try {
    await fn();
  } catch (err) {
    console.error(err);
    record(name, 0, 1, '(runner error)');
  }
}

const passed = tally.reduce((a, t) => a + t.passed, 0);
const failed = tally.reduce((a, t) => a + t.failed, 0);
console.log('\nsuite totals:');
for (const t of tally) console.log(`  ${t.suite.padEnd(20)} ${t.passed} passed, ${t.failed} failed ${t.note}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
