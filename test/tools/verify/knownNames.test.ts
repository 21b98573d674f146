// A hand-written spec names machine states, tags, events, actions and guards as strings; a
// rename in machines/ (or a typo in the spec) would silently make a guard or a property
// vacuous. Each spec therefore ASSUMEs, through its generated module's Known* operators, that
// every such name exists. Here: the ASSUMEs list every machine name the spec uses, and a state
// renamed in a temporary copy stops TLC with the unknown name.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/tools/gen/repoRoot.js';
import { verify } from '../../../src/tools/verify/verify.js';

const root = repoRoot();
const SPECS = ['BargeIn', 'Greeting', 'Playout', 'Reconnect', 'Session'];
const VOCAB = { States: 'KnownStates', TagNames: 'KnownTags', Events: 'KnownEvents', ActionNames: 'KnownActions', GuardNames: 'KnownGuards' } as const;

const strings = (text: string): Set<string> => new Set([...text.matchAll(/"([^"\n]*)"/g)].map((m) => m[1] ?? ''));

function machineOf(spec: string): { prefix: string; module: string; vocab: Record<keyof typeof VOCAB, Set<string>> } {
  const text = readFileSync(join(root, 'specs', `${spec}.tla`), 'utf8');
  const m = /^(\w+) == INSTANCE (\w+Machine) WITH/m.exec(text);
  if (!m?.[1] || !m[2]) throw new Error(`${spec} instances no generated machine`);
  const gen = readFileSync(join(root, 'specs/generated', `${m[2]}.tla`), 'utf8');
  const vocab = Object.fromEntries(
    Object.keys(VOCAB).map((k) => [k, strings(new RegExp(`^${k} == \\{(.*)\\}$`, 'm').exec(gen)?.[1] ?? '')]),
  ) as Record<keyof typeof VOCAB, Set<string>>;
  return { prefix: m[1], module: m[2], vocab };
}

/** The names a spec's ASSUME passes to prefix!Known<Kind>({...}). */
function assumed(text: string, prefix: string, op: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(new RegExp(`${prefix}!${op}\\(\\{([^}]*)\\}\\)`, 'g'))) for (const s of strings(m[1] ?? '')) out.add(s);
  return out;
}

describe('hand-written specs ASSUME the machine names they use', () => {
  it.each(SPECS)('%s lists every machine tag, event, action and guard it writes', (spec) => {
    const { prefix, vocab } = machineOf(spec);
    const text = readFileSync(join(root, 'specs', `${spec}.tla`), 'utf8');
    const used = strings(text);
    for (const kind of ['TagNames', 'Events', 'ActionNames', 'GuardNames'] as const) {
      const missing = [...used].filter((s) => vocab[kind].has(s) && !assumed(text, prefix, VOCAB[kind]).has(s));
      expect(missing, `${spec}: ${kind} used but not in ${prefix}!${VOCAB[kind]}`).toEqual([]);
    }
  });

  it('a state renamed in the machine breaks the spec that names it (TLC stops on the ASSUME)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'parley-known-'));
    try {
      mkdirSync(join(tmp, 'specs/generated'), { recursive: true });
      for (const f of readdirSync(join(root, 'specs/generated'))) copyFileSync(join(root, 'specs/generated', f), join(tmp, 'specs/generated', f));
      copyFileSync(join(root, 'specs/Reconnect.tla'), join(tmp, 'specs/Reconnect.tla'));
      const cfg = readFileSync(join(root, 'specs/Reconnect.cfg'), 'utf8').replace(/^\\\* timeout:.*$/m, '');
      writeFileSync(join(tmp, 'specs/Reconnect.cfg'), cfg);
      // The machine's 'backoff' state renamed to 'waiting', the spec left as it was.
      const gen = join(tmp, 'specs/generated/AiLinkMachine.tla');
      const renamed = readFileSync(gen, 'utf8').replaceAll('"backoff"', '"waiting"');
      writeFileSync(gen, renamed);
      const report = await verify({ root: tmp, timeoutSeconds: 90, jobs: 1, workers: 1 });
      const r = report.results[0];
      expect(r).toMatchObject({ config: 'specs/Reconnect.cfg', verdict: 'error', ok: false });
      expect(r?.message).toMatch(/AiLinkMachine has no state/);
      expect(r?.message).toMatch(/backoff/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
