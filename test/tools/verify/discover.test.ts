// What `parley verify` checks: the bigger models of specs/bench/ only on request, and the
// configs' 'unfired:' excuses read into each job.
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/tools/gen/repoRoot.js';
import { discoverJobs } from '../../../src/tools/verify/discover.js';

const root = repoRoot();

describe('discoverJobs', () => {
  it('leaves specs/bench out unless asked, and checks a bench config against its spec', () => {
    expect(discoverJobs(root).some((j) => j.config.startsWith('specs/bench/'))).toBe(false);
    const bench = discoverJobs(root, 'BargeIn', true).filter((j) => j.config.startsWith('specs/bench/'));
    expect(bench.length).toBeGreaterThan(0);
    for (const j of bench) expect(j).toMatchObject({ spec: 'BargeIn', specFile: 'specs/BargeIn.tla', expect: 'pass' });
  });

  it("reads each config's unfired excuses, with their reasons", () => {
    const session = discoverJobs(root, 'Session').find((j) => j.config === 'specs/Session.cfg');
    expect(session?.unfired.map((u) => u.action).sort()).toEqual(['JoinDone', 'SockCbBegin', 'SockCbEnd']);
    for (const u of session?.unfired ?? []) expect(u.reason.length).toBeGreaterThan(5);
    expect(discoverJobs(root).every((j) => j.problem === undefined || !/unfired/.test(j.problem))).toBe(true);
  });
});
