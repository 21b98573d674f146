// Design-review diff: states and transitions added/removed/changed between two versions of a
// machine, the merged graph that shows both, and the git-ref side read from a real repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffAll, diffMachine } from '../../../src/tools/viz/diff.js';
import { GraphError, parseGraphText } from '../../../src/tools/viz/graph.js';
import { GitError, loadGraphs, loadGraphsAtRef } from '../../../src/tools/viz/load.js';
import { renderMachineSvg } from '../../../src/tools/viz/render/index.js';
import { fixtureV1, fixtureV2, graphJson, graphOf } from './fixtures.js';

describe('diffMachine', () => {
  const v1 = graphOf('fixture', fixtureV1);
  const v2 = graphOf('fixture', fixtureV2);

  it('finds added, removed and changed states', () => {
    const d = diffMachine('fixture', v1, v2);
    expect(d.status).toBe('changed');
    expect(d.states.added).toEqual(['fixture.standby']);
    expect(d.states.removed).toEqual(['fixture.done']);
    expect(d.states.changed).toEqual([{ id: 'fixture.on.audio.quiet', details: ['tags: media.capture → media.capture, media.playout'] }]);
  });

  it('finds added, removed and changed transitions', () => {
    const d = diffMachine('fixture', v1, v2);
    expect([...d.transitions.added].sort()).toEqual(['fixture.off: WAKE → fixture.standby', 'fixture.standby: POWER → fixture.on']);
    expect([...d.transitions.removed].sort()).toEqual(['fixture.on.audio.loud: TICK / log → (internal)', 'fixture.on: FINISH → fixture.done']);
    expect(d.transitions.changed).toEqual([{ before: 'fixture.on.link.down: UP → fixture.on.link.up', after: 'fixture.on.link.down: UP / beep → fixture.on.link.up' }]);
  });

  it('merges removed parts back in and marks every part with its status', async () => {
    const d = diffMachine('fixture', v1, v2);
    expect(d.merged.nodes.map((n) => n.id)).toContain('fixture.done');
    expect(d.merged.transitions).toHaveLength(v2.transitions.length + 2);
    const svg = await renderMachineSvg(d.merged, { nodeStatus: d.nodeStatus, transitionStatus: d.transitionStatus });
    expect(svg).toMatch(/class="sc-state sc-atomic sc-diff-added" data-state="fixture\.standby"/);
    expect(svg).toMatch(/class="sc-state sc-final sc-diff-removed" data-state="fixture\.done"/);
    expect(svg).toMatch(/class="sc-state sc-atomic sc-diff-changed" data-state="fixture\.on\.audio\.quiet"/);
    expect(svg).toMatch(/class="sc-transition sc-diff-removed"[^>]*data-event="FINISH"/);
    expect(svg).toMatch(/class="sc-transition sc-diff-changed"[^>]*data-event="UP"/);
    expect(svg).toMatch(/<text class="sc-internal sc-diff-removed" [^>]*>TICK \/ log<\/text>/);
  });

  it('reports an identical machine as unchanged and a new or deleted one whole', () => {
    expect(diffMachine('fixture', v1, graphOf('fixture', fixtureV1)).status).toBe('unchanged');
    const all = diffAll([{ name: 'gone', graph: v1 }], [{ name: 'fresh', graph: v2 }]);
    expect(all.map((d) => [d.name, d.status])).toEqual([['fresh', 'added'], ['gone', 'removed']]);
    expect(all[0]?.states.added).toHaveLength(v2.nodes.length - 1);
    expect(all[1]?.transitions.removed).toHaveLength(v1.transitions.length);
  });
});

describe('graph files', () => {
  it('rejects a malformed graph with the file and the field', () => {
    expect(() => parseGraphText('{', 'docs/machines/x.json')).toThrow(/docs\/machines\/x\.json: not JSON/);
    expect(() => parseGraphText('{"name":"x"}', 'x.json')).toThrow(GraphError);
    const g = JSON.parse(graphJson('fixture', fixtureV1)) as { transitions: { targets: string[] }[] };
    g.transitions[0] = { ...g.transitions[0], targets: ['fixture.nowhere'] };
    expect(() => parseGraphText(JSON.stringify(g), 'x.json')).toThrow(/unknown state 'fixture\.nowhere'/);
  });
});

describe('graphs at a git ref', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });

  it('reads the ref with git show and diffs it against the working tree', () => {
    const repo = mkdtempSync(join(tmpdir(), 'parley-viz-git-'));
    mkdirSync(join(repo, 'docs/machines'), { recursive: true });
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'docs/machines/fixture.json'), graphJson('fixture', fixtureV1));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'v1');
    writeFileSync(join(repo, 'docs/machines/fixture.json'), graphJson('fixture', fixtureV2));

    const before = loadGraphsAtRef(repo, 'HEAD');
    expect(before.map((b) => b.origin)).toEqual(['HEAD:docs/machines/fixture.json']);
    const [d] = diffAll(before, loadGraphs(repo));
    expect(d?.states.added).toEqual(['fixture.standby']);
    expect(() => loadGraphsAtRef(repo, 'no-such-branch')).toThrow(GitError);
    expect(() => loadGraphsAtRef(repo, 'no-such-branch')).toThrow(/unknown git ref 'no-such-branch'/);
    expect(() => loadGraphsAtRef(repo, '--output=/tmp/x')).toThrow(/not a git ref/);
  });
});
