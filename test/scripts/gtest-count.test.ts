// scripts/gtest-count.mjs: each C++ test counted exactly once per run — passed, failed or
// skipped — whatever the binary did (died mid-run, reported a leak at exit, skipped a test).
import { describe, expect, it } from 'vitest';
import { countGtest, parseGtestList } from '../../scripts/gtest-count.mjs';

// `--gtest_list_tests` output, as GoogleTest prints it (value-parameterised tests carry a comment).
const LIST = `Ring.
  WrapsAround
  DISABLED_Slow
HotPath.
  NoAllocation
  NoSystemCall
Rates/Resample.
  Snr/0  # GetParam() = 8000
  Snr/1  # GetParam() = 16000
`;

type Result = 'COMPLETED' | 'SKIPPED' | 'SUPPRESSED';
function test(name: string, result: Result = 'COMPLETED', failed = false) {
  return { name, status: result === 'SUPPRESSED' ? 'NOTRUN' : 'RUN', result, ...(failed ? { failures: [{ failure: 'x_test.cc:1\nExpected equality', type: '' }] } : {}) };
}
// A `--gtest_output=json` report with the given per-suite tests.
function report(suites: Record<string, ReturnType<typeof test>[]>) {
  return { tests: 0, failures: 0, testsuites: Object.entries(suites).map(([name, testsuite]) => ({ name, testsuite })) };
}
const ALL_RAN = report({
  Ring: [test('WrapsAround'), test('DISABLED_Slow', 'SUPPRESSED')],
  HotPath: [test('NoAllocation'), test('NoSystemCall', 'SKIPPED')],
  'Rates/Resample': [test('Snr/0'), test('Snr/1')],
});

describe('counting a GoogleTest run', () => {
  it('lists full names, parameterised ones included', () => {
    expect(parseGtestList(LIST)).toEqual(['Ring.WrapsAround', 'Ring.DISABLED_Slow', 'HotPath.NoAllocation', 'HotPath.NoSystemCall', 'Rates/Resample.Snr/0', 'Rates/Resample.Snr/1']);
  });

  it('counts disabled and GTEST_SKIP tests as skipped, not passed', () => {
    expect(countGtest(parseGtestList(LIST), ALL_RAN, 0)).toEqual({ passed: 4, failed: 0, skipped: 2, failedNames: [] });
  });

  it('counts a failing test once', () => {
    const r = report({ Ring: [test('WrapsAround', 'COMPLETED', true)], HotPath: [test('NoAllocation'), test('NoSystemCall')], 'Rates/Resample': [test('Snr/0'), test('Snr/1')] });
    expect(countGtest(parseGtestList(LIST), r, 1)).toEqual({ passed: 4, failed: 1, skipped: 1, failedNames: ['Ring.WrapsAround'] });
  });

  it('counts the tests of a binary that died before writing its report as failed', () => {
    expect(countGtest(parseGtestList(LIST), undefined, 134)).toEqual({
      passed: 0,
      failed: 5,
      skipped: 1,
      failedNames: ['Ring.WrapsAround', 'HotPath.NoAllocation', 'HotPath.NoSystemCall', 'Rates/Resample.Snr/0', 'Rates/Resample.Snr/1'],
    });
  });

  it('counts a listed test missing from the report as failed', () => {
    const r = report({ Ring: [test('WrapsAround')], HotPath: [test('NoAllocation'), test('NoSystemCall')], 'Rates/Resample': [test('Snr/0')] });
    expect(countGtest(parseGtestList(LIST), r, 1)).toEqual({ passed: 0, failed: 5, skipped: 1, failedNames: expect.any(Array) as string[] });
    expect(countGtest(parseGtestList(LIST), r, 0)).toEqual({ passed: 4, failed: 1, skipped: 1, failedNames: ['Rates/Resample.Snr/1'] });
  });

  it('fails the passing tests of a binary that exits non-zero after them (a sanitizer report at exit)', () => {
    expect(countGtest(parseGtestList(LIST), ALL_RAN, 23)).toEqual({
      passed: 0,
      failed: 4,
      skipped: 2,
      failedNames: ['Ring.WrapsAround', 'HotPath.NoAllocation', 'Rates/Resample.Snr/0', 'Rates/Resample.Snr/1'],
    });
  });
});
