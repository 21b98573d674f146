// The house rules a newcomer relies on, read from the sources themselves. So far: small files
// with one job — every file under src/ and native/src at most 400 lines. (The import rules
// between the product, the tools, the session, the server and the adapters join here.)
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 400;

/** Every file under `dir` (relative to the repository root), sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

function lineCount(path: string): number {
  const text = readFileSync(join(root, path), 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('architecture', () => {
  it('finds the sources it judges', () => {
    expect(filesUnder('src')).toContain('src/cli/main.ts');
    expect(filesUnder('native/src')).toContain('native/src/core/engine/engine.cc');
  });

  it(`keeps every file under src/ and native/src at most ${MAX_LINES} lines`, () => {
    const tooLong = [...filesUnder('src'), ...filesUnder('native/src')]
      .map((path) => ({ path, lines: lineCount(path) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.path}: ${f.lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount('scripts/native-sources.mjs')).toBe(readFileSync(join(root, 'scripts/native-sources.mjs'), 'utf8').match(/\n/g)?.length);
  });
});
