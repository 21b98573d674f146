// Every committed generated machine module is well-formed TLA+: SANY parses and level-checks it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/tools/gen/repoRoot.js';
import { requireJava } from '../../../src/tools/verify/prereq.js';
import { ensureTlcJar } from '../../../src/tools/verify/tlcJar.js';

const dir = join(repoRoot(), 'specs/generated');
const modules = readdirSync(dir).filter((f) => f.endsWith('Machine.tla')).sort();

describe('specs/generated', () => {
  it('holds a module per registered machine', () => {
    expect(modules.length).toBeGreaterThan(0);
  });

  it.each(modules)('%s parses under SANY', (file) => {
    const { java } = requireJava();
    const res = spawnSync(java, ['-cp', ensureTlcJar(), 'tla2sany.SANY', file], { cwd: dir, encoding: 'utf8' });
    expect(res.stdout).not.toMatch(/error/i);
    expect(res.status).toBe(0);
  }, 60_000);
});
