// Keys and goodbyes as sim-call sees them (issue 19, the simulators): sim-call presses keys on audio-stream
// through a fake FreeSWITCH event socket (the DTMF event for the call's uuid), a batch of keys
// ends the caller's turn (callControl.dtmfEndsTurn, per profile) on both platforms, and sim-call
// reports what it heard of the goodbye when the agent hangs up.
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { run as simCallCmd } from '../../src/cli/commands/sim-call.js';
import type { ConfigInput } from '../../src/config/index.js';
import type { CallReport, ScriptStep } from '../../src/tools/sim/caller/index.js';
import type { SimAgentOptions } from '../../src/tools/sim/agent/types.js';
import { receivedTypes, startBridge, type Bridge } from './harness.js';

const BEARER = 'keys-bearer';

/** A loopback port nobody listens on now (Parley is pointed at it before sim-call's fake ESL takes it; the client retries). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function withBridge(agent: SimAgentOptions, config: ConfigInput, body: (b: Bridge) => Promise<void>): Promise<void> {
  const b = await startBridge({ mode: 'local', config: { authToken: BEARER, ...config }, agent });
  try {
    await body(b);
  } finally {
    await b.close();
  }
}

type Item = { type: string; content?: { text?: string }[] };
/** The message items Parley created, in order, with where each response.create fell. */
const itemsAndCreates = (b: Bridge) =>
  b.agent
    .received()
    .filter((e) => e.type === 'response.create' || (e.type === 'conversation.item.create' && (e.event as { item: Item }).item.type === 'message'))
    .map((e) => (e.type === 'response.create' ? 'response.create' : ((e.event as { item: Item }).item.content?.[0]?.text ?? '')));

describe.concurrent('keys and goodbyes through sim-call', () => {
  it('audio-stream, the sim-call command: --fake-esl turns dtmf:4 dtmf:# into DTMF events for the call; the batch ends the turn; the answer is a goodbye heard in full, then one uuid_kill', async () => {
    const uuid = 'c0ffee00-0000-4000-8000-000000000019';
    const port = await freePort();
    const config: ConfigInput = {
      platform: { freeswitchEsl: `127.0.0.1:${port}`, freeswitchEslPassword: 'ClueCon' },
      callControl: { tools: ['end_call'], endCallMaxWaitMs: 3000, dtmfInterDigitMs: 200 },
    };
    // The keys are the caller's 2nd turn of the conversation: its answer says goodbye, then end_call.
    const agent: SimAgentOptions = { replyMs: 800, toolCalls: [{ callerTurn: 2, name: 'end_call', arguments: {}, afterSpeech: true }] };
    await withBridge(agent, config, async (b) => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
      let code: number;
      try {
        code = await simCallCmd([
          ...['--url', b.url('audio-stream'), '--token', BEARER, '--metadata', JSON.stringify({ callId: uuid }), '--quiet'],
          ...['--fake-esl', String(port), '--script', 'say:600,listen:300,dtmf:4,dtmf:#,wait-hangup:8000'],
        ]);
      } finally {
        spy.mockRestore();
      }
      const report = JSON.parse(out.join('').trim().split('\n').at(-1)!) as CallReport & { esl: string[] };
      expect(code, JSON.stringify(report)).toBe(0);
      await b.idle();
      expect(itemsAndCreates(b)).toEqual(['The caller pressed 4 #', 'response.create']);
      const said = b.agent.stats().callsAfterSpeech.find((c) => c.name === 'end_call')?.speechMs;
      expect(said).toBeGreaterThanOrEqual(780);
      // What the caller heard of the goodbye: all of it, nothing audible left at the far side.
      expect(report.goodbye).toBeDefined();
      expect(report.goodbye!.missingFrames).toBe(0);
      expect(report.goodbye!.heardMs).toBeGreaterThanOrEqual(said! - 20);
      expect(report.esl).toEqual([`api uuid_kill ${uuid} NORMAL_CLEARING`]);
      expect(await b.metric('parley_dtmf_total', { direction: 'in', outcome: 'esl' })).toBe(2);
    });
  });

  const config: ConfigInput = {
    callControl: { dtmfInterDigitMs: 150 },
    agents: { default: { instructions: 'x' }, quiet: { instructions: 'x', dtmfEndsTurn: false } },
  };

  it('Twilio: keys pressed while the agent speaks end the turn: answered once its response is done', async () => {
    // Real-time deltas: the reply stays active at Parley while the caller presses 9.
    const script: ScriptStep[] = [{ kind: 'say', ms: 500 }, { kind: 'silence', ms: 700 }, { kind: 'dtmf', digit: '9' }, { kind: 'listen', quietMs: 400, timeoutMs: 6000 }, { kind: 'hangup' }];
    await withBridge({ replyMs: 1600, speed: 1 }, config, async (b) => {
      const report = await b.call('twilio', { token: BEARER, script });
      expect(report.ok, report.failure).toBe(true);
      await b.idle();
      expect(itemsAndCreates(b)).toEqual(['The caller pressed 9', 'response.create']);
      // Asked for after the reply was done: the provider refused nothing.
      expect(b.agent.stats().errorsSent).toBe(0);
      expect(b.agent.stats().responses).toBe(2);
    });
  });

  it('Twilio: a profile with dtmfEndsTurn false leaves the keys for the next spoken turn (no response.create)', async () => {
    await withBridge({ replyMs: 600 }, config, async (b) => {
      const quiet: ScriptStep[] = [{ kind: 'say', ms: 500 }, { kind: 'listen', quietMs: 300 }, { kind: 'dtmf', digit: '1' }, { kind: 'silence', ms: 900 }, { kind: 'hangup' }];
      const report = await b.call('twilio', { token: BEARER, script: quiet, customParameters: { agent: 'quiet' } });
      expect(report.ok, report.failure).toBe(true);
      await b.idle();
      expect(itemsAndCreates(b)).toEqual(['The caller pressed 1']);
      expect(receivedTypes(b.agent, 'response.create')).toHaveLength(0);
      expect(b.agent.stats().responses).toBe(1);
    });
  });
});
