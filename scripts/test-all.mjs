// `npm test`: installs what the suites need outside npm (scripts/prereqs.mjs), then runs
// every suite that exists and ends with one line, "N passed, N failed, N skipped", counted
// over all of them (type check, generator freshness, vitest, the C++ tests once per
// sanitizer, the native libFuzzer slice, TLC specs and mutants).
// PARLEY_TEST_ONLY=vitest,native,... selects suites — outside CI only: CI runs everything.
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.mjs';
import { SANITIZERS, nativeSuite } from './test-native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.env.PARLEY_TEST_ONLY?.split(',').filter(Boolean);
const ci = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
if (only && ci) {
  console.log(`npm test: PARLEY_TEST_ONLY=${process.env.PARLEY_TEST_ONLY} is set while CI is set; CI must run every suite`);
  process.exit(1);
}
const tally = [];

function record(suite, passed, failed, skipped = 0, note = '') {
  tally.push({ suite, passed, failed, skipped, note });
  console.log(`\n== ${suite}: ${passed} passed, ${failed} failed, ${skipped} skipped ${note}`);
}

const suites = {
  async typecheck() {
    const { code, out } = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { quiet: true, cwd: root });
    if (code !== 0) process.stdout.write(out);
    record('typecheck', code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  },

  async gen() {
    if (!existsSync(`${root}src/tools/gen/main.ts`)) return;
    const { code, out } = await run(process.execPath, ['dist/src/tools/gen/main.js', '--check'], { quiet: true, cwd: root });
    process.stdout.write(out);
    record('gen --check', code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  },

  async vitest() {
    mkdirSync(`${root}.build`, { recursive: true });
    const report = `${root}.build/vitest.json`;
    let { code } = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root });
    if (!existsSync(report)) return record('vitest', 0, 1, 0, `(no report, exit ${code})`);
    let r = JSON.parse(readFileSync(report, 'utf8'));
    let note = '';
    // A worker process that dies (a crash, not a failed assertion) leaves its file's tests
    // "pending" (never run) with no failed test. Name the file, and run it once more on its own so
    // one crash is reported, not hidden: the line says which file crashed and what the re-run gave.
    const unrun = (f) => f.assertionResults.some((t) => t.status === 'pending');
    const unfinished = code !== 0 && r.numFailedTests === 0 ? r.testResults.filter(unrun) : [];
    if (unfinished.length > 0) {
      const files = unfinished.map((f) => relative(root, f.name));
      console.log(`\nvitest: a worker exited unexpectedly while running ${files.join(', ')}; re-running ${files.length === 1 ? 'it' : 'them'} alone`);
      const again = `${root}.build/vitest-rerun.json`;
      const second = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${again}`, ...files], { cwd: root });
      if (existsSync(again)) {
        const a = JSON.parse(readFileSync(again, 'utf8'));
        const kept = r.testResults.filter((f) => !unfinished.includes(f));
        const count = (fs, s) => fs.reduce((n, f) => n + f.assertionResults.filter((t) => t.status === s).length, 0);
        r = {
          ...a,
          testResults: [...kept, ...a.testResults],
          numPassedTests: count(kept, 'passed') + a.numPassedTests,
          numPendingTests: count(kept, 'pending') + a.numPendingTests,
          numTodoTests: count(kept, 'todo') + a.numTodoTests,
        };
        note = `(worker crash in ${files.join(', ')}; re-run alone: exit ${second.code})`;
        code = second.code;
      }
    }
    // A suite file that fails to load has no test results; count it as a failure.
    const broken = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    // Skipped: it.skip / describe.skip and it.todo; they are neither passed nor failed.
    const skipped = r.numPendingTests + r.numTodoTests;
    record('vitest', r.numPassedTests, r.numFailedTests + broken, skipped, note || (code !== 0 && r.numFailedTests + broken === 0 ? `(exit ${code})` : ''));
    if (code !== 0 && r.numFailedTests + broken === 0) tally.at(-1).failed += 1;
  },

  async native() {
    // Each C++ test counted once per sanitizer; the suite line names the sanitizer.
    if (!existsSync(`${root}native/test`)) return;
    for (const { san, label } of SANITIZERS) {
      const r = await nativeSuite(root, san);
      process.stdout.write(r.out);
      record(`native tests under ${label}`, r.passed, r.failed, r.skipped, r.note);
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
      return record('native fuzz', 0, 1, 0, `(no JSON, exit ${code})`);
    }
    const r = JSON.parse(line);
    process.stdout.write(out.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
    const failed = r.targets.filter((t) => t.crashes > 0 || t.leaks > 0).length;
    record('native fuzz', r.targets.length - failed, r.targets.length === 0 ? 1 : failed, 0, r.error ? `(${r.error})` : '');
  },

  async verify() {
    if (verifyRun === undefined) return;
    const { code, out } = await verifyRun;
    const line = out.split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (!line) {
      process.stdout.write(out);
      return record('verify (TLC)', 0, 1, 0, `(no JSON, exit ${code})`);
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

// Fresh build first: the CLI, generator and TLC wrapper run from dist/ (and the
// prerequisites step checks the TLC jar through it).
const build = await run(process.execPath, ['scripts/build-ts.mjs', '--quiet'], { cwd: root });
if (build.code !== 0) record('build', 0, 1);
// What the suites need outside npm: installed now, or one line naming what is missing and a
// failed run — a suite is never skipped for want of a tool.
const prereqs = await run(process.execPath, ['scripts/prereqs.mjs'], { cwd: root });
if (prereqs.code !== 0) process.exit(1);
const nat = await run(process.execPath, ['scripts/build-native.mjs'], { quiet: true, cwd: root });
if (nat.code !== 0) {
  process.stdout.write(nat.out);
  record('addon build', 0, 1);
}

// TLC is CPU-bound for ~14 minutes; the vitest suite mostly waits on sockets and clocks with one
// worker. So TLC starts first, beside the others, at the lowest priority: it takes the CPU the
// other suites leave idle and yields it at once when they want it (timing tests keep their
// margins), and its result is read when its turn in the list comes. Its time limits are
// wall-clock, so they are tripled: starved while the native suites run, a config takes longer.
const verifyRun =
  (!only || only.includes('verify')) && existsSync(`${root}src/cli/commands/verify.ts`)
    ? run('nice', ['-n', '19', process.execPath, 'dist/src/cli/main.js', 'verify', '--json', '--timeout-scale', '3'], { quiet: true, cwd: root })
    : undefined;

for (const [name, fn] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  try {
    await fn();
  } catch (err) {
    console.error(err);
    record(name, 0, 1, 0, '(runner error)');
  }
}

const passed = tally.reduce((a, t) => a + t.passed, 0);
const failed = tally.reduce((a, t) => a + t.failed, 0);
const skipped = tally.reduce((a, t) => a + t.skipped, 0);
console.log('\nsuite totals:');
for (const t of tally) console.log(`  ${t.suite.padEnd(32)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped ${t.note}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
