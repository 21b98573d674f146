// The design and the properties live inside the repository: no file may cite a document that is
// not in it (the design notes, the property list or the protocol notes kept elsewhere), every
// Markdown reference must resolve (file and #anchor), and specs/PROPERTIES.md must have exactly
// one section per property id the specs define, naming mutants that exist.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePropertyDocs } from '../src/tools/viz/propertyDocs.js';

const ROOT = process.cwd();

// Built from pieces so that this file does not match its own patterns.
const D = 'DES' + 'IGN';
const FOREIGN: readonly { why: string; re: RegExp }[] = [
  { why: `cites the ${D} document`, re: new RegExp(`\\b${D}\\b`) },
  { why: 'cites a shared/ path outside the repository', re: new RegExp('(?<![\\w/.-])sha' + 'red/') },
  { why: 'cites the seed material', re: new RegExp('\\bse' + 'ed(?:-origin)?(?:\\.md)?\\s*§|\\bse' + 'ed/|se' + 'ed-origin') },
  { why: 'cites an outside working directory', re: new RegExp('/wo' + 'rk/(?:sha' + 'red|notes)\\b') },
  // A bare section sign cites some document by number; only RFC sections are self-explaining.
  { why: 'cites a section (§) of an unnamed document', re: /(?<!RFC \d+ )§\s?\d/ },
];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6}\s+(.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

interface Repo {
  readonly files: readonly string[];
  read(path: string): string;
}

/** Tracked files (git), or every file but node_modules/dist/.git when there is no git. */
function repoFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        if (['node_modules', 'dist', '.git', '.build'].includes(e.name)) continue;
        const p = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) walk(p);
        else out.push(p);
      }
    };
    walk('');
    return out;
  }
}

/** Problems with references in one file: foreign documents, unresolved Markdown paths and anchors. */
function referenceProblems(path: string, text: string, repo: Repo): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  const byBase = new Map<string, string>();
  for (const f of repo.files) if (f.endsWith('.md')) byBase.set(basename(f), f);
  const resolve = (ref: string): string | undefined => {
    const candidates = [normalize(join(dirname(path), ref)), normalize(ref)];
    const hit = candidates.find((c) => repo.files.includes(c));
    if (hit) return hit;
    return ref.includes('/') ? undefined : byBase.get(ref);
  };
  lines.forEach((line, i) => {
    const at = `${path}:${i + 1}`;
    for (const f of FOREIGN) if (f.re.test(line)) problems.push(`${at} ${f.why}: ${line.trim()}`);
    // Markdown documents named anywhere (not inside URLs) must exist, and their anchors too.
    const noUrls = line.replace(/\bhttps?:\/\/\S+/g, '');
    for (const m of noUrls.matchAll(/(?<![\w/.-])((?:\.{1,2}\/)?[\w./-]*[\w-]\.md)(?:#([\w-]+))?/g)) {
      const ref = m[1] ?? '';
      const target = resolve(ref);
      if (!target) {
        problems.push(`${at} names ${ref}, which is not in the repository`);
        continue;
      }
      if (m[2] && !anchorsOf(repo.read(target)).has(m[2])) problems.push(`${at} links ${ref}#${m[2]}: no such heading`);
    }
    // Relative link targets of Markdown files (images, SVGs, other files) must exist.
    if (path.endsWith('.md')) {
      for (const m of noUrls.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const ref = m[1] ?? '';
        if (!ref.endsWith('.md') && !repo.files.includes(normalize(join(dirname(path), ref)))) problems.push(`${at} links ${ref}, which is not in the repository`);
      }
    }
  });
  return problems;
}

const isText = (buf: Buffer): boolean => !buf.subarray(0, 8000).includes(0);
/** This file holds deliberately bad references as fixtures (checked by the first test instead). */
const SELF = 'test/docs.test.ts';

describe('documents inside the repository', () => {
  const files = repoFiles().filter((f) => existsSync(join(ROOT, f)) && f !== SELF);
  const repo: Repo = { files, read: (p) => readFileSync(join(ROOT, p), 'utf8') };

  it('the checker finds foreign and unresolved references (it can fail)', () => {
    const fake: Repo = { files: ['docs/A.md', 'docs/img.svg', 'src/x.ts'], read: () => '# Title\n## Two words\n' };
    const bad = [
      `// see ${D} §2.3`,
      '// protocols' + '.md §1.4',
      '// (§1.2) of something',
      `// ${'sha' + 'red/'}PROPERTIES.md`,
      '// seed' + ' §3.2 and ' + 'seed' + '-origin §3.7',
      '// docs/A.md#missing-heading',
      '// docs/Gone.md',
    ];
    for (const line of bad) expect(referenceProblems('src/x.ts', line, fake), line).not.toEqual([]);
    expect(referenceProblems('docs/A.md', '![x](nope.png)', fake)).not.toEqual([]);
    const good = ['// docs/A.md#two-words and A.md', '// RFC 6455 §4.2.1', '// https://example.com/x.md#y', '// seed: 7, --seed 3'];
    for (const line of good) expect(referenceProblems('src/x.ts', line, fake), line).toEqual([]);
    expect(referenceProblems('docs/B.md', '[a](A.md#title) ![i](img.svg)', fake)).toEqual([]);
    expect(slug('Playout — `specs/Playout.tla`')).toBe('playout--specsplayouttla');
  });

  it('no file cites a document outside the repository, and every Markdown reference resolves', () => {
    const problems = files.flatMap((f) => {
      const buf = readFileSync(join(ROOT, f));
      return isText(buf) ? referenceProblems(f, buf.toString('utf8'), repo) : [];
    });
    expect(problems).toEqual([]);
  });
});

describe('specs/PROPERTIES.md', () => {
  const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.tla'));
  /** Property id → definitions named after it, per spec. */
  const defined = new Map<string, string[]>();
  for (const f of specs) {
    for (const m of readFileSync(join(ROOT, 'specs', f), 'utf8').matchAll(/^(([A-Z]{2}\d+)_\w*)\s*(?:\([^)]*\))?\s*==/gm)) {
      const id = m[2] ?? '';
      defined.set(id, [...(defined.get(id) ?? []), `${m[1]} specs/${f}`]);
    }
  }
  const docs = parsePropertyDocs(readFileSync(join(ROOT, 'specs/PROPERTIES.md'), 'utf8'));
  const documented = docs.map((d) => d.id);

  it('has exactly one section per property id of specs/*.tla, and no other', () => {
    expect(defined.size).toBeGreaterThan(0);
    expect([...defined.keys()].filter((id) => !documented.includes(id)), 'ids without a section').toEqual([]);
    expect(documented.filter((id) => !defined.has(id)), 'sections of ids no spec defines').toEqual([]);
    expect(documented.filter((id, i) => documented.indexOf(id) !== i), 'duplicate sections').toEqual([]);
  });

  it('states each property, names its proving definitions and the mutants that exist', () => {
    for (const d of docs) {
      expect(d.statement, d.id).not.toBe('');
      expect(d.model, `${d.id}: what the model leaves out`).not.toBe('');
      for (const def of defined.get(d.id) ?? []) {
        const [name, spec] = def.split(' ');
        expect(d.provedBy, `${d.id} names ${name}`).toContain(`\`${name}\``);
        expect(d.provedBy, `${d.id} names ${spec}`).toContain(spec);
      }
      expect(d.mutants.length, `${d.id}: no mutant`).toBeGreaterThan(0);
      for (const m of d.mutants) expect(existsSync(join(ROOT, m)), m).toBe(true);
    }
  });

  it('lists every mutant config in the section of the property it declares', () => {
    const dir = join(ROOT, 'specs/mutants');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.cfg'))) {
      const id = /\\\*\s*property:\s*(\S+)/.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? '';
      const doc = docs.find((d) => d.id === id);
      expect(doc?.mutants ?? [], `specs/mutants/${f} (property ${id})`).toContain(`specs/mutants/${f}`);
    }
  });
});
