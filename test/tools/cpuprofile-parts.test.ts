// The profile's time by part: each sample goes to the first frame from the leaf up that a part
// claims, so a write is a write wherever it is called from and a builtin is its caller's.
import { describe, expect, it } from 'vitest';
import { parts, type Profile } from '../../bench/_cpuprofile-parts.js';

const SRC = 'file:///app/dist/src';
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });

// root ─ idle
//      ├ onWake (media) ─ appendAudio (ai) ─ send (ws) ─ Socket._writev (net) ─ writev (native)
//      ├ onMessage (session) ─ send (xstate) ─ enqueueAudio (session) ─ push (native builtin)
//      │                                     └ Array.push builtin (called by xstate itself)
//      └ (garbage collector)
const profile: Profile = {
  nodes: [
    frame(1, '(root)', '', [2, 3, 8, 12]),
    frame(2, '(idle)', ''),
    frame(3, 'onWake', `${SRC}/media/native-engine.js`, [4]),
    frame(4, 'appendAudio', `${SRC}/ai/openai/client.js`, [5]),
    frame(5, 'send', 'file:///app/node_modules/ws/lib/sender.js', [6]),
    frame(6, 'Socket._writev', 'node:net', [7]),
    frame(7, 'writev', ''),
    frame(8, 'onMessage', `${SRC}/session/call.js`, [9]),
    frame(9, 'send', 'file:///app/node_modules/xstate/dist/raise-0.cjs.js', [10, 11]),
    frame(10, 'enqueueAudio', `${SRC}/session/system.js`, [13]),
    frame(11, 'push', ''),
    frame(12, '(garbage collector)', ''),
    frame(13, 'push', ''),
  ],
  // idle 4, writev 3, ws's own 1, xstate's builtin 2, the action's builtin 1, gc 1 (ms each)
  samples: [2, 2, 2, 2, 7, 7, 7, 5, 11, 11, 13, 12],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('parts', () => {
  it('gives each sample to the innermost frame a part claims', () => {
    const rows = Object.fromEntries(parts(profile).map((r) => [r.part, r.ms]));
    expect(rows).toEqual({ idle: 4, 'socket writes': 3, 'websocket (ws)': 1, 'machines (XState)': 2, 'session runtime': 1, gc: 1 });
  });

  it('gives percentages of all samples and of the busy ones', () => {
    const writes = parts(profile).find((r) => r.part === 'socket writes')!;
    expect(writes.pct).toBe(25); // 3 of 12
    expect(writes.busyPct).toBe(37.5); // 3 of the 8 not idle
    expect(parts(profile).find((r) => r.part === 'idle')!.busyPct).toBe(0);
  });

  it('leaves a sample no part claims as node internals, and skips negative time deltas', () => {
    const p: Profile = { nodes: [frame(1, '(root)', '', [2]), frame(2, 'emit', 'node:events')], samples: [2, 2], timeDeltas: [500, -1] };
    expect(parts(p)).toEqual([{ part: 'node internals / other', ms: 1, pct: 100, busyPct: 100 }]);
  });
});
