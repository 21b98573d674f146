// Counts one GoogleTest binary's run, each test exactly once: passed, failed or skipped.
// The list of tests comes from the binary (`--gtest_list_tests`), not from its report, so a
// test the report lacks (the binary died first) still counts — as failed.

/** Full names ("Suite.Test", "Inst/Suite.Test/0") from `--gtest_list_tests` output. */
export function parseGtestList(text) {
  const names = [];
  let suite = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd(); // "  Test/0  # GetParam() = 3"
    if (line === '') continue;
    if (!/^\s/.test(line)) suite = line.trim();
    else if (suite.endsWith('.')) names.push(`${suite}${line.trim()}`);
  }
  return names;
}

/** Per-test results of a `--gtest_output=json` report: full name -> 'passed' | 'failed' | 'skipped'. */
export function gtestResults(report) {
  const out = new Map();
  for (const s of report?.testsuites ?? []) {
    for (const t of s.testsuite ?? []) {
      const name = `${s.name}.${t.name}`;
      if ((t.failures ?? []).length > 0) out.set(name, 'failed');
      else if (t.result === 'SKIPPED' || t.result === 'SUPPRESSED' || t.status === 'NOTRUN') out.set(name, 'skipped');
      else out.set(name, 'passed');
    }
  }
  return out;
}

/**
 * Each listed test counted once. Disabled (DISABLED_) and GTEST_SKIP tests are skipped; a test
 * missing from the report is failed. When the binary exited non-zero although no test failed
 * (a sanitizer report after the tests, e.g. a leak at exit), its passing tests count as
 * failed: the report cannot be pinned to one test, and the run cannot vouch for any of them.
 */
export function countGtest(listed, report, exitCode) {
  const results = gtestResults(report);
  const blame = exitCode !== 0 && ![...results.values()].includes('failed');
  const count = { passed: 0, failed: 0, skipped: 0, failedNames: [] };
  for (const name of listed) {
    const disabled = name.split(/[./]/).some((part) => part.startsWith('DISABLED_'));
    let r = disabled ? 'skipped' : (results.get(name) ?? 'failed');
    if (r === 'passed' && blame) r = 'failed';
    count[r] += 1;
    if (r === 'failed') count.failedNames.push(name);
  }
  return count;
}
