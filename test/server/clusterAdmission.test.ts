// The primary's admission over the whole cluster: PARLEY_MAX_CALLS counts every worker's live
// calls and every place granted and not yet settled, wherever the calls land.
import { describe, expect, it } from 'vitest';
import { ClusterAdmission } from '../../src/server/cluster/admission.js';

describe('ClusterAdmission', () => {
  it('grants up to the limit to one worker alone, and refuses the next on any worker', () => {
    let live = 0;
    const a = new ClusterAdmission(3, () => live);
    expect([a.request(1), a.request(1), a.request(1)]).toEqual([true, true, true]);
    expect(a.request(2)).toBe(false);
    expect(a.request(1)).toBe(false);
    // A call's live report takes over its grant: counted once, so still full.
    live = 1;
    a.started(1);
    expect(a.held()).toBe(2);
    expect(a.request(2)).toBe(false);
    // It ends: one place free, on any worker.
    live = 0;
    expect(a.request(2)).toBe(true);
  });

  it('a settled attempt that failed frees its place; a dead worker frees what it was granted', () => {
    const a = new ClusterAdmission(2, () => 0);
    expect(a.request(1)).toBe(true);
    expect(a.request(2)).toBe(true);
    expect(a.request(1)).toBe(false);
    a.settle(1);
    expect(a.request(1)).toBe(true);
    a.forget(2);
    expect(a.held()).toBe(1);
    expect(a.request(2)).toBe(true);
  });

  it('live calls count against the limit; a settle without a grant does not go below zero', () => {
    let live = 2;
    const a = new ClusterAdmission(2, () => live);
    expect(a.request(1)).toBe(false);
    live = 1;
    a.settle(1);
    a.started(2);
    expect(a.held()).toBe(0);
    expect(a.request(1)).toBe(true);
  });

  it('after close (draining) nothing is granted', () => {
    const a = new ClusterAdmission(10, () => 0);
    a.close();
    expect(a.request(1)).toBe(false);
  });
});
