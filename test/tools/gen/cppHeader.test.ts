// Every committed guard header compiles as C++20 with -Wall -Wextra -Werror, and its constexpr
// predicates agree, at compile time, with the live machine's tags for every configuration.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINES } from '../../../machines/index.js';
import { extractModel } from '../../../src/tools/gen/extract.js';
import { cppStateIdent, lowerSnake, tagIdent } from '../../../src/tools/gen/names.js';
import { repoRoot } from '../../../src/tools/gen/repoRoot.js';

describe('native/generated/*_guards.h', () => {
  it.each(MACHINES.map((m) => [m.name, m] as const))('%s: compiles and matches the machine', (name, entry) => {
    const m = extractModel(entry);
    const ns = `parley::gen::${lowerSnake(name)}`;
    const lines = [`#include "${join(repoRoot(), 'native/generated', `${name}_guards.h`)}"`, `using namespace ${ns};`];
    lines.push(`static_assert(kStateCount == ${m.configurations.length});`);
    lines.push(`static_assert(kInitialState == State::${cppStateIdent(m.initial)});`);
    for (const c of m.configurations) {
      const s = `State::${cppStateIdent(c.name)}`;
      lines.push(`static_assert(static_cast<unsigned>(${s}) == ${c.index}u);`);
      lines.push(`static_assert(is_done(${s}) == ${c.done});`);
      for (const t of m.tags) lines.push(`static_assert(tag_${tagIdent(t)}(${s}) == ${c.tags.includes(t)}, "${c.name} ${t}");`);
      lines.push(`static_assert(state_name(${s})[0] == '${c.name[0] ?? ''}');`);
    }
    lines.push(`static_assert(is_state_index(${m.configurations.length - 1}) && !is_state_index(${m.configurations.length}));`);
    lines.push('int main() { return 0; }', '');
    const dir = mkdtempSync(join(tmpdir(), 'parley-hdr-'));
    try {
      const src = join(dir, 'check.cc');
      writeFileSync(src, lines.join('\n'));
      const res = spawnSync('g++', ['-std=c++20', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', src], { encoding: 'utf8' });
      expect(res.error).toBeUndefined();
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
