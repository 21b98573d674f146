// `npm run gen` writes every generated file; `npm run gen -- --check` writes nothing and exits
// 1 listing each file that is missing, stale (differs from what the machines produce) or
// orphaned (in a generated directory but produced by no machine).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MACHINES } from '../../../machines/index.js';
import { GENERATED_DIRS, generateFiles } from './generate.js';
import { repoRoot } from './repoRoot.js';

export interface CheckReport {
  readonly missing: string[];
  readonly stale: string[];
  readonly orphaned: string[];
}

export function checkFiles(root: string, files: ReadonlyMap<string, string>): CheckReport {
  const report: CheckReport = { missing: [], stale: [], orphaned: [] };
  for (const [rel, content] of files) {
    const abs = join(root, rel);
    if (!existsSync(abs)) report.missing.push(rel);
    else if (readFileSync(abs, 'utf8') !== content) report.stale.push(rel);
  }
  for (const { dir, pattern } of GENERATED_DIRS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) {
      const rel = `${dir}/${f}`;
      if (pattern.test(f) && !files.has(rel)) report.orphaned.push(rel);
    }
  }
  return report;
}

export function writeFiles(root: string, files: ReadonlyMap<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of files) {
    const abs = join(root, rel);
    if (existsSync(abs) && readFileSync(abs, 'utf8') === content) continue;
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    written.push(rel);
  }
  return written;
}

export async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const root = repoRoot();
  const files = await generateFiles(MACHINES);
  if (check) {
    const r = checkFiles(root, files);
    const bad = [...r.missing.map((f) => `missing  ${f}`), ...r.stale.map((f) => `stale    ${f}`), ...r.orphaned.map((f) => `orphaned ${f}`)];
    if (bad.length === 0) {
      process.stdout.write(`gen --check: ${files.size} generated files up to date (${MACHINES.length} machines)\n`);
      return 0;
    }
    process.stdout.write(`gen --check: ${bad.length} generated file(s) out of date; run \`npm run gen\`\n${bad.map((l) => `  ${l}\n`).join('')}`);
    return 1;
  }
  const written = writeFiles(root, files);
  const orphans = checkFiles(root, files).orphaned;
  process.stdout.write(`gen: ${files.size} files for ${MACHINES.length} machines, ${written.length} updated\n${written.map((f) => `  wrote ${f}\n`).join('')}`);
  for (const o of orphans) process.stdout.write(`  orphaned ${o} (produced by no machine; delete it)\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`gen: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
