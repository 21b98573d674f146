// specs/PROPERTIES.md sections → property texts (what `parley viz` shows for each property).
import { describe, expect, it } from 'vitest';
import { loadPropertyDocs, parsePropertyDocs } from '../../../src/tools/viz/propertyDocs.js';

const TEXT = `# Properties

Intro with **Statement.** that is not in a section.

## Group

### AB1

**Statement.** First line
continues here.

**Proved by.** \`AB1_Thing\` in \`specs/Ab.tla\`.

**Mutants.** \`specs/mutants/Ab_one.cfg\` (bug one); \`specs/mutants/Ab_two.cfg\` and again
\`specs/mutants/Ab_one.cfg\`.

**Origin.** #1.

**Model.** Leaves out
time.

## Another group

### CD12

**Statement.** Only a statement.

### not-an-id
`;

describe('property docs', () => {
  it('reads each ### <id> section and its labelled paragraphs, joining wrapped lines', () => {
    const docs = parsePropertyDocs(TEXT);
    expect(docs.map((d) => `${d.id}:${d.line}`)).toEqual(['AB1:7', 'CD12:24']);
    const [ab, cd] = docs;
    expect(ab?.statement).toBe('First line continues here.');
    expect(ab?.provedBy).toBe('`AB1_Thing` in `specs/Ab.tla`.');
    expect(ab?.mutants).toEqual(['specs/mutants/Ab_one.cfg', 'specs/mutants/Ab_two.cfg']);
    expect(ab?.origin).toBe('#1.');
    expect(ab?.model).toBe('Leaves out time.');
    // A section ends at the next heading: CD12 does not inherit AB1's fields.
    expect(cd).toMatchObject({ statement: 'Only a statement.', provedBy: '', mutants: [], model: '' });
  });

  it('reads the repository file', () => {
    const docs = loadPropertyDocs(process.cwd());
    expect(docs.size).toBeGreaterThan(0);
    for (const d of docs.values()) {
      expect(d.statement, d.id).not.toBe('');
      expect(d.provedBy, d.id).toContain(`${d.id}_`);
      expect(d.mutants.length, d.id).toBeGreaterThan(0);
      expect(d.model, d.id).not.toBe('');
    }
  });

  it('is empty for a repository without the file', () => {
    expect(loadPropertyDocs('/nonexistent-root').size).toBe(0);
  });
});
