// `gen --check`: missing, stale and orphaned generated files are reported; the committed files
// of every registered machine are up to date.
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MACHINES } from '../../../machines/index.js';
import { generateFiles } from '../../../src/tools/gen/generate.js';
import { checkFiles, writeFiles } from '../../../src/tools/gen/main.js';
import { repoRoot } from '../../../src/tools/gen/repoRoot.js';
import { fixtureMachine } from './fixtureMachine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('gen --check', () => {
  it('reports nothing after a write, then each kind of drift', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-gen-'));
    dirs.push(root);
    const files = await generateFiles([{ name: 'fixture', source: 'test/tools/gen/fixtureMachine.ts', machine: fixtureMachine }]);
    expect(writeFiles(root, files)).toHaveLength(5);
    expect(writeFiles(root, files)).toHaveLength(0); // idempotent: nothing rewritten
    expect(checkFiles(root, files)).toEqual({ missing: [], stale: [], orphaned: [] });

    const header = join(root, 'native/generated/fixture_guards.h');
    writeFileSync(header, readFileSync(header, 'utf8').replace('kStateCount = 6', 'kStateCount = 7'));
    unlinkSync(join(root, 'src/generated/fixture.ts'));
    writeFileSync(join(root, 'specs/generated/GoneMachine.tla'), '---- MODULE GoneMachine ----\n====\n');
    expect(checkFiles(root, files)).toEqual({
      missing: ['src/generated/fixture.ts'],
      stale: ['native/generated/fixture_guards.h'],
      orphaned: ['specs/generated/GoneMachine.tla'],
    });
  });

  it('finds the committed generated files of every registered machine up to date', async () => {
    const report = checkFiles(repoRoot(), await generateFiles(MACHINES));
    expect(report).toEqual({ missing: [], stale: [], orphaned: [] });
  });
});
