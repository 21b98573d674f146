// The shape of the code, read from the sources' imports: small files, the product never
// depending on its tools, the session never on the server, the AI adapters never on telephony,
// and the media core's reference internals reached only through media's public face.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(import.meta.dirname, '..'));
const MAX_LINES = 400;

/** The product: what `parley serve` runs. */
const PRODUCT = ['src/base', 'src/server', 'src/session', 'src/telephony', 'src/ai', 'src/media', 'src/config', 'src/obs', 'src/generated', 'src/functions', 'src/records', 'src/app.ts'];
/** The tools: simulators, model-based tests, generator, TLC wrapper, visualiser, fleet bench. */
const TOOLS = 'src/tools';
/** The one documented embedding of a tool in the product: the offline agent (PARLEY_AI=local). */
const EMBEDDING = 'src/ai/local.ts';

function walk(dir: string, exts: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...walk(rel, exts));
    else if (exts.test(name)) out.push(rel);
  }
  return out;
}

/** Repository-relative targets of a file's relative imports (type-only ones included). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, join(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const under = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);
const SOURCES = walk('src', /\.(ts|js)$/);

/** Every (file, imported path) pair of the sources that breaks `rule`. */
function violations(rule: (file: string, target: string) => boolean, files: readonly string[] = SOURCES): string[] {
  return files.flatMap((f) => importsOf(f).filter((t) => rule(f, t)).map((t) => `${f} → ${t}`));
}

describe('architecture', () => {
  it(`every source file has at most ${MAX_LINES} lines`, () => {
    const native = walk('native/src', /\.(cc|h)$/);
    const long = [...SOURCES, ...native]
      .map((f) => ({ f, n: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.n > MAX_LINES)
      .map((x) => `${x.f}: ${x.n} lines`);
    expect(long).toEqual([]);
  });

  it('the product never imports the tools (except the documented offline-agent embedding)', () => {
    const isProduct = (f: string) => PRODUCT.some((p) => under(f, p));
    expect(violations((f, t) => isProduct(f) && f !== EMBEDDING && under(t, TOOLS))).toEqual([]);
  });

  it('the session never imports the server (the server imports the session’s seam)', () => {
    expect(violations((f, t) => under(f, 'src/session') && under(t, 'src/server'))).toEqual([]);
  });

  it('the AI adapters never import telephony', () => {
    expect(violations((f, t) => under(f, 'src/ai') && under(t, 'src/telephony'))).toEqual([]);
  });

  it('media/reference is reached only from inside media/ (and from tests and benches)', () => {
    expect(violations((f, t) => !under(f, 'src/media') && under(t, 'src/media/reference'))).toEqual([]);
  });

  it('the checks see the imports they are about (each rule fires on a file that breaks it)', () => {
    // Guards the guard: the import reader must find a known import, or every rule passes vacuously.
    expect(importsOf('src/app.ts')).toContain('src/session/runtime.ts');
    expect(importsOf(EMBEDDING).some((t) => under(t, TOOLS))).toBe(true);
  });
});
