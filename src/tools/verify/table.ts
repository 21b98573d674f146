// The human-readable report of `parley verify`.
import type { VerifyReport } from './verify.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function formatTable(report: VerifyReport): string {
  const head = ['ok', 'spec', 'config', 'property', 'expect', 'verdict', 'distinct', 'depth', 'seconds', 'fired'];
  const rows = report.results.map((r) => [
    r.ok ? 'ok' : 'FAIL',
    r.spec,
    r.config,
    r.property,
    r.expect,
    r.verdict,
    r.distinct === null ? '-' : String(r.distinct),
    r.depth === null ? '-' : String(r.depth),
    r.seconds.toFixed(1),
    // actions that fired / actions of the spec (passing configs; excused ones counted as not fired)
    r.coverage ? `${r.coverage.actions.filter((a) => a.generated > 0).length}/${r.coverage.actions.length}` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const numeric = new Set([6, 7, 8, 9]);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? lpad(c, widths[i] ?? 0) : pad(c, widths[i] ?? 0))).join('  ').trimEnd();
  const out = [report.tlc, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of report.results) {
    const notes: string[] = [];
    if (r.mutant) notes.push(`mutant: ${r.mutant}`);
    if (r.counterexample) notes.push(`violated: ${r.counterexample.violated}, counterexample of ${r.counterexample.steps.length} steps`);
    if (r.message) notes.push(r.message);
    for (const e of r.coverage?.excused ?? []) notes.push(`unfired ${e.action}: ${e.reason}`);
    if (!r.ok || r.message || r.coverage?.excused.length) out.push('', `${r.ok ? 'ok' : 'FAIL'} ${r.config}`, ...notes.map((n) => `  ${n.replace(/\n/g, '\n  ')}`));
  }
  const failed = report.results.filter((r) => !r.ok).length;
  out.push('', `${report.results.length - failed} ok, ${failed} failed`);
  return `${out.join('\n')}\n`;
}
