// The routes table (src/session/system.ts), row by row: each row's action, when its machine
// performs it, delivers the row's event to the target machine — and only when the effect was
// performed. The table itself must name real actions and events (checked against the headers).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCallSystem, ROUTES, type CallActors, type MachineName } from '../../src/session/system.js';
import type { CallEffects, EffectResult } from '../../src/session/effects/types.js';
import { MemoryTrace } from './fakes.js';

const HEADER: Record<MachineName, string> = {
  session: 'machines/session.ts',
  aiLink: 'machines/aiLink.ts',
  turn: 'machines/turn.ts',
  playout: 'machines/playout.ts',
  toolCalls: 'machines/toolCalls.ts',
  callControl: 'machines/callControl.ts',
};

/** Effects that do nothing but record their calls; `refuse` makes the named ones return false. */
function spyEffects(calls: string[], refuse: ReadonlySet<string> = new Set()): CallEffects {
  const spy = <T extends object>(machine: string, names: readonly (keyof T & string)[]): T =>
    Object.fromEntries(
      names.map((n) => [
        n,
        (): EffectResult => {
          calls.push(`${machine}.${n}`);
          return refuse.has(`${machine}.${n}`) ? false : undefined;
        },
      ]),
    ) as T;
  return {
    session: spy('session', ['startAiLink', 'startTimer', 'playNotice', 'beginCleanup', 'cancelTimers', 'closeTelephony', 'stopAiLink', 'requestMediaRelease', 'freeCall', 'reportEnded']),
    aiLink: spy('aiLink', ['openConnection', 'configureSession', 'replayConversation', 'flushCaptureBacklog', 'dropConnection', 'scheduleReconnect', 'reportLinkLost', 'giveUp', 'cancelReconnectTimer', 'reportStopped']),
    turn: spy('turn', ['enqueueAudio', 'dropStaleAudio', 'forwardText', 'dropStaleText', 'requestFlush', 'sendClear', 'sendCancel', 'sendTruncate', 'reportBargeIn', 'dropStaleMark']),
    playout: spy('playout', ['requestFlush', 'releaseCall']),
    callControl: spy('callControl', ['closeConversation', 'startWaitTimer', 'cancelWaitTimer', 'issueHangup', 'issueTransfer', 'reportFailed', 'reopenConversation', 'endSession']),
  };
}

function system(refuse?: ReadonlySet<string>): { actors: CallActors; trace: MemoryTrace; calls: string[] } {
  const calls: string[] = [];
  const trace = new MemoryTrace();
  const actors = createCallSystem(spyEffects(calls, refuse), trace, { maxAttempts: 1, lookaheadMs: 60, turn: { position: 'marks', bargeIn: true } });
  for (const a of [actors.callControl, actors.playout, actors.turn, actors.aiLink, actors.session]) a.start();
  return { actors, trace, calls };
}

/** Drives the `from` machine of a row until it performs the row's action. */
const DRIVE: Record<string, (a: CallActors) => void> = {
  'session.startAiLink': (a) => a.session.send({ type: 'CALL_STARTED' }),
  'session.stopAiLink': (a) => {
    a.session.send({ type: 'CALL_STARTED' });
    a.session.send({ type: 'HANGUP' });
  },
  'session.beginCleanup': (a) => {
    a.session.send({ type: 'CALL_STARTED' });
    a.session.send({ type: 'HANGUP' });
  },
  'session.playNotice': (a) => {
    a.session.send({ type: 'CALL_STARTED' });
    a.session.send({ type: 'AI_GAVE_UP' });
  },
  'aiLink.reportLinkLost': (a) => {
    a.aiLink.send({ type: 'START' });
    a.aiLink.send({ type: 'AI_OPEN', generation: a.aiLink.getSnapshot().context.generation });
    a.aiLink.send({ type: 'AI_CLOSE', generation: a.aiLink.getSnapshot().context.generation, fatal: false });
  },
  'aiLink.giveUp': (a) => {
    a.session.send({ type: 'CALL_STARTED' });
    a.aiLink.send({ type: 'AI_ERROR', generation: a.aiLink.getSnapshot().context.generation, fatal: true });
  },
  'aiLink.reportStopped': (a) => {
    a.aiLink.send({ type: 'START' });
    a.aiLink.send({ type: 'STOP' });
  },
  'callControl.endSession': (a) => {
    a.session.send({ type: 'CALL_STARTED' });
    a.callControl.send({ type: 'END_CALL', reason: 'agent_ended' });
    a.callControl.send({ type: 'FAR_DRAINED', responseDone: true });
    a.callControl.send({ type: 'ACTION_OK' });
  },
  'turn.requestFlush': (a) => {
    a.turn.send({ type: 'RESPONSE_CREATED', responseId: 'r1' });
    a.turn.send({ type: 'AUDIO_DELTA', responseId: 'r1', itemId: 'i1' });
    a.turn.send({ type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: 0, sentMs: 0 });
  },
};

describe('the routes between the machines', () => {
  it('name actions and events the machines declare in their headers', () => {
    for (const r of ROUTES) {
      const from = readFileSync(HEADER[r.from], 'utf8');
      const to = readFileSync(HEADER[r.to], 'utf8');
      expect(from, `${r.from} has no action ${r.action}`).toMatch(new RegExp(`\\b${r.action}\\b`));
      expect(to, `${r.to} has no event ${r.event}`).toMatch(new RegExp(`\\b${r.event}\\b`));
    }
  });

  for (const r of ROUTES) {
    const key = `${r.from}.${r.action}`;
    it(`${key} → ${r.to} ${r.event}`, () => {
      const drive = DRIVE[key];
      expect(drive, `no scenario drives ${key}`).toBeDefined();
      const { actors, trace, calls } = system();
      drive!(actors);
      expect(calls).toContain(key);
      expect(trace.eventsOf(r.to)).toContain(r.event);
    });

    it(`${key} → ${r.to} ${r.event} does not fire when the effect could not be performed`, () => {
      const { actors, trace, calls } = system(new Set([key]));
      DRIVE[key]!(actors);
      expect(calls).toContain(key);
      // The event may still arrive by another route or input; never by this row's alone.
      const others = ROUTES.filter((o) => o !== r && o.to === r.to && o.event === r.event && calls.includes(`${o.from}.${o.action}`));
      if (others.length === 0) expect(trace.eventsOf(r.to)).not.toContain(r.event);
    });
  }

  it('every row is driven by a scenario of this file', () => {
    expect(Object.keys(DRIVE).sort()).toEqual([...new Set(ROUTES.map((r) => `${r.from}.${r.action}`))].sort());
  });
});

describe('the machines of many calls', () => {
  it('share one provided machine per kind (a state-node tree per call is ~70 KB of heap)', () => {
    const a = system().actors;
    const b = system().actors;
    for (const m of ['session', 'aiLink', 'turn', 'playout', 'callControl'] as const) expect(a[m].logic, m).toBe(b[m].logic);
  });

  it("run each call's own effects", () => {
    const one = system();
    const two = system();
    DRIVE['session.startAiLink']!(two.actors);
    expect(two.calls).toContain('session.startAiLink');
    expect(one.calls).not.toContain('session.startAiLink');
    expect(one.trace.eventsOf('aiLink')).not.toContain('START');
  });
});
