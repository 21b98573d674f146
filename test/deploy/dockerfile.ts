// A small Dockerfile reader for the image checks: instructions per stage, with line
// continuations joined, comments dropped, and JSON-array (exec form) arguments parsed.
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && /^\s*#/.test(line)) continue;
    if (/^\s*#/.test(line)) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const l of logical) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    if (!m) throw new Error(`Dockerfile: cannot read '${l}'`);
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`Dockerfile: bad FROM '${args}'`);
      stages.push({ from: f[1]!, name: f[2], instructions: [] });
    } else if (stages.length > 0) stages.at(-1)!.instructions.push({ keyword, args });
  }
  return stages;
}

/** Exec-form arguments (`["node", "x"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const v = JSON.parse(args) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`Dockerfile: bad exec form ${args}`);
  return v as string[];
}

export interface CopyFrom {
  readonly from: string;
  /** Source path in that stage, and destination relative to the runtime WORKDIR. */
  readonly source: string;
  readonly dest: string;
}

/** `COPY --from=<stage> <abs source> <dest>` lines of a stage (destinations relative to `workdir`). */
export function copiesFrom(stage: Stage, workdir: string): CopyFrom[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))
    .map((i) => {
      const parts = i.args.split(' ').filter((p) => !p.startsWith('--') || p.startsWith('--from='));
      const from = parts[0]!.slice('--from='.length);
      if (parts.length !== 3) throw new Error(`Dockerfile: expected one source and one destination in 'COPY ${i.args}'`);
      const dest = parts[2]!.replace(/^\.\//, '').replace(/\/$/, '');
      const source = parts[1]!;
      if (!source.startsWith(`${workdir}/`)) throw new Error(`Dockerfile: COPY source ${source} is outside ${workdir}`);
      return { from, source: source.slice(workdir.length + 1), dest };
    });
}
