// BI5 at the source: no AI adapter ever clears the provider's input buffer, so a barge-in
// cannot discard the caller's speech. specs/BargeIn.tla models the send path as a table
// (AiCallOf: machine action → client call, WireOf: call → wire event); this test holds the
// table to the code: every OpenAI command builder, every client-side send in src/, and the
// wire names the spec uses.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as cmd from '../../src/ai/openai/commands.js';
import { repoRoot } from '../../src/tools/gen/repoRoot.js';

const CLEAR = 'input_audio_buffer.clear';
const root = repoRoot();

/** One call of each exported builder; an export missing here fails the test until added. */
const calls: Record<string, () => Record<string, unknown>> = {
  sessionUpdate: () =>
    cmd.sessionUpdate({ inputFormat: { codec: 'pcm16', rate: 24000 }, outputFormat: { codec: 'pcm16', rate: 24000 }, turnDetection: null }),
  append: () => cmd.append(Buffer.alloc(4)),
  appendBytes: () => JSON.parse(cmd.appendBytes(Buffer.alloc(4), 'evt_1').toString('utf8')) as Record<string, unknown>,
  commit: () => cmd.commit(),
  responseCreate: () => cmd.responseCreate('hi'),
  responseCancel: () => cmd.responseCancel('resp_1'),
  truncate: () => cmd.truncate('item_1', 120),
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('BI5: no client command clears the provider input buffer', () => {
  it('no OpenAI command builder emits input_audio_buffer.clear', () => {
    expect(Object.keys(cmd).sort()).toEqual(Object.keys(calls).sort());
    const types = Object.values(calls).map((f) => f().type);
    expect(types).not.toContain(CLEAR);
    expect(types.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
  });

  it('no client-side source in src/ sends it (the simulated provider, which must answer it, excepted)', () => {
    const offenders = sources(join(root, 'src'))
      .filter((p) => !relative(root, p).startsWith('src/tools/sim/'))
      .filter((p) => {
        const text = readFileSync(p, 'utf8');
        // the client event, not the server's 'input_audio_buffer.cleared' reply
        return /input_audio_buffer\.clear(?!ed)|input_audio_buffer\.\$\{|['"`]input_audio_buffer\.['"`]\s*\+/.test(text);
      })
      .map((p) => relative(root, p));
    expect(offenders).toEqual([]);
  });

  it("the spec's send path names the wire events the builders really send, and clears only under the mutant", () => {
    const spec = readFileSync(join(root, 'specs/BargeIn.tla'), 'utf8');
    const wire = Object.fromEntries([...spec.matchAll(/call = "(\w+)"\s*->\s*"([\w.]+)"/g)].map((m) => [m[1], m[2]]));
    expect(wire.cancelResponse).toBe(cmd.responseCancel('r').type);
    expect(wire.truncate).toBe(cmd.truncate('i', 0).type);
    const clearing = [...spec.matchAll(/\[\] a = "(\w+)"(.*)-> "clearInput"/g)];
    expect(clearing.length).toBeGreaterThan(0);
    for (const m of clearing) expect(m[2]).toMatch(/MUTANT = "clear_input_on_barge_in"/);
    expect(wire.clearInput).toBe(CLEAR);
  });
});
