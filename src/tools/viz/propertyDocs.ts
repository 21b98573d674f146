// The property texts of specs/PROPERTIES.md: one `### <id>` section per property id, made of
// paragraphs that each start with a bold label (`**Statement.** …`, `**Proved by.** …`,
// `**Mutants.** …`, `**Origin.** …`, `**Model.** …`). `parley viz` shows these next to the spec
// definitions, and test/docs.test.ts checks them against specs/*.tla and specs/mutants/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PropertyDoc {
  readonly id: string;
  /** The property in plain words. */
  readonly statement: string;
  /** The definitions that prove it, their spec and config. */
  readonly provedBy: string;
  /** Repository paths of the mutant configs named in the Mutants paragraph. */
  readonly mutants: readonly string[];
  readonly origin: string;
  /** What the model assumes or leaves out. */
  readonly model: string;
  /** 1-based line of the `### <id>` heading. */
  readonly line: number;
}

/** Where the property texts live, relative to the repository root. */
export const PROPERTY_DOCS_PATH = 'specs/PROPERTIES.md';

const HEADING = /^###\s+([A-Z]{2}\d+)\s*$/;
const FIELD = /^\*\*([A-Za-z /]+)\.\*\*\s*([\s\S]*)$/;
const MUTANT_PATH = /specs\/mutants\/[\w.-]+\.cfg/g;

/** Labelled paragraphs of one section, keyed by their label in lower case. */
function fields(body: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const paragraphs = body.join('\n').split(/\n\s*\n/);
  for (const p of paragraphs) {
    const m = FIELD.exec(p.trim());
    if (m?.[1] && m[2] !== undefined) out.set(m[1].toLowerCase(), m[2].replace(/\s+/g, ' ').trim());
  }
  return out;
}

/** Every `### <id>` section of a PROPERTIES.md text, in order. Duplicate ids are all kept. */
export function parsePropertyDocs(text: string): PropertyDoc[] {
  const lines = text.split('\n');
  const out: PropertyDoc[] = [];
  for (let i = 0; i < lines.length; i++) {
    const id = HEADING.exec(lines[i] ?? '')?.[1];
    if (!id) continue;
    let j = i + 1;
    while (j < lines.length && !/^#{1,3}\s/.test(lines[j] ?? '')) j++;
    const f = fields(lines.slice(i + 1, j));
    const mutants = f.get('mutants') ?? '';
    out.push({
      id,
      statement: f.get('statement') ?? '',
      provedBy: f.get('proved by') ?? '',
      mutants: [...new Set(mutants.match(MUTANT_PATH) ?? [])],
      origin: f.get('origin') ?? '',
      model: f.get('model') ?? '',
      line: i + 1,
    });
  }
  return out;
}

/** The property texts of a repository by id (empty when it has no specs/PROPERTIES.md). */
export function loadPropertyDocs(root: string): Map<string, PropertyDoc> {
  const path = join(root, PROPERTY_DOCS_PATH);
  if (!existsSync(path)) return new Map();
  return new Map(parsePropertyDocs(readFileSync(path, 'utf8')).map((d) => [d.id, d]));
}
