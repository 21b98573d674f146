// Types of gtest-count.mjs for the TypeScript tests that import it.
export interface GtestCount {
  passed: number;
  failed: number;
  skipped: number;
  failedNames: string[];
}
export function parseGtestList(text: string): string[];
export function gtestResults(report: unknown): Map<string, 'passed' | 'failed' | 'skipped'>;
export function countGtest(listed: readonly string[], report: unknown, exitCode: number): GtestCount;
