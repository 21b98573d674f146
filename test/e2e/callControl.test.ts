// Call control end to end (issue 19): a real `parley serve` (local mode: the embedded sim-agent
// calls the built-in tools on a scripted response), simulated callers, and stand-ins for the
// platforms speaking their real protocols (fake Twilio REST, fake FreeSWITCH ESL). end_call:
// exactly one platform hang-up, no response after the decision, the call ends agent_ended;
// transfer through Twilio REST, ESL and the audio-stream JSON message; a refused transfer goes
// on; DTMF in (Twilio and ESL) reaches the model as one item; send_dtmf through ESL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/index.js';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import type { SimToolCall } from '../../src/tools/sim/agent/toolCalls.js';
import { startFakeEsl, type FakeEsl } from '../../src/tools/sim/platform/fakeEsl.js';
import { startFakeTwilio, type FakeTwilio } from '../../src/tools/sim/platform/fakeTwilio.js';
import type { CallEvent } from '../../src/records/types.js';
import { receivedTypes, startBridge, type Bridge } from './harness.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token';
const BEARER = 'e2e-bearer';
let esl: FakeEsl;

beforeAll(async () => {
  esl = await startFakeEsl('ClueCon');
});
afterAll(async () => {
  await esl.close();
});

const callControl = { tools: ['end_call', 'transfer_call', 'send_dtmf'] as ('end_call' | 'transfer_call' | 'send_dtmf')[], transferTargets: { sales: '+14155550100', desk: '1000' }, endCallMaxWaitMs: 3000, dtmfInterDigitMs: 300 };

/** A bridge with its own fake Twilio (the tests run concurrently). */
async function withBridge(toolCalls: SimToolCall[], body: (b: Bridge, tw: FakeTwilio, events: CallEvent[]) => Promise<void>, extra: ConfigInput = {}, useEsl = false): Promise<void> {
  const events: CallEvent[] = [];
  const tw = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
  const b = await startBridge({
    mode: 'local',
    config: {
      authToken: BEARER,
      twilioAuthToken: TOKEN,
      platform: { twilioApiUrl: tw.url, twilioAccountSid: SID, ...(useEsl ? { freeswitchEsl: `${esl.host}:${esl.port}`, freeswitchEslPassword: 'ClueCon' } : {}) },
      callControl,
      ...extra,
    },
    agent: { replyMs: 600, toolCalls },
    onEvent: (e) => events.push(e),
  });
  try {
    await body(b, tw, events);
  } finally {
    await b.close();
    await tw.close();
  }
}

/** Speak and hear the reply, speak again (the agent's second response calls the tool), then wait. */
const TWO_TURNS: readonly ScriptStep[] = [
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 400 },
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 2500 },
  { kind: 'hangup' },
];

const call = (b: Bridge, protocol: 'twilio' | 'audio-stream', script: readonly ScriptStep[], callId?: string) =>
  b.call(protocol, { token: BEARER, script, ...(callId ? { callId, metadata: { callId } } : {}) });

const outputsOf = (b: Bridge) =>
  b.agent
    .received()
    .filter((e) => e.type === 'conversation.item.create')
    .map((e) => (e.event as { item: { type: string; output?: string; content?: { text: string }[] } }).item);

describe.concurrent('call control, end to end', () => {
  it('end_call on Twilio: one REST hang-up (Status=completed), no response after the decision, ended agent_ended', async () => {
    await withBridge([{ turn: 2, name: 'end_call', arguments: { reason: 'resolved' } }], async (b, tw) => {
      const report = await call(b, 'twilio', TWO_TURNS);
      await b.idle();
      // Parley ended the call before the caller's script hung up.
      expect(report.timeline.some((e) => e.kind === 'closed')).toBe(true);
      expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(false);
      const mine = tw.updates.filter((u) => u.form['Status'] !== undefined || u.form['Twiml'] !== undefined);
      expect(mine.map((u) => u.form)).toEqual([{ Status: 'completed' }]);
      expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'agent_ended' })).toBe(1);
      expect(await b.metric('parley_call_control_actions_total', { action: 'hangup', via: 'twilio_rest', outcome: 'ok' })).toBe(1);
      // The output went back (the conversation is complete for a replay), no response.create.
      expect(outputsOf(b).filter((i) => i.type === 'function_call_output')).toHaveLength(1);
      expect(receivedTypes(b.agent, 'response.create')).toHaveLength(0);
      // Every mark Parley sent was echoed before the hang-up: the far side had played it all.
      expect(report.marksEchoed).toBe(report.marksSent);
    });
  });

  it('transfer_call on Twilio: <Dial> to the configured number, the call ends transferred', async () => {
    await withBridge([{ turn: 2, name: 'transfer_call', arguments: { target: 'sales' } }], async (b, tw, events) => {
      await call(b, 'twilio', TWO_TURNS);
      await b.idle();
      expect(tw.updates.map((u) => u.form)).toEqual([{ Twiml: '<Response><Dial><Number>+14155550100</Number></Dial></Response>' }]);
      expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'transferred' })).toBe(1);
      // The call record says so: call.transferred names the target the model chose, call.ended the reason.
      expect(events.filter((e) => e.type === 'call.transferred').map((e) => (e as { target?: string }).target)).toEqual(['sales']);
      expect(events.find((e) => e.type === 'call.ended')).toMatchObject({ reason: 'transferred' });
    });
  });

  it('a refused transfer (unknown name; then Twilio answers 500): the output says so, the call goes on, counted', async () => {
    const calls: SimToolCall[] = [
      { turn: 2, name: 'transfer_call', arguments: { target: 'nobody' } },
      { turn: 4, name: 'transfer_call', arguments: { target: 'sales' } },
    ];
    await withBridge(calls, async (b, tw) => {
      tw.failNext(500);
      const report = await call(b, 'twilio', [...TWO_TURNS.slice(0, 3), { kind: 'listen', quietMs: 400 }, { kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 1500 }, { kind: 'hangup' }]);
      await b.idle();
      // The caller hung up: the call went on after both refusals.
      expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(true);
      const outs = outputsOf(b)
        .filter((i) => i.type === 'function_call_output')
        .map((i) => JSON.parse(i.output!) as { error?: string });
      expect(outs).toHaveLength(2);
      expect(outs[0]!.error).toMatch(/invalid arguments|no transfer target/);
      expect(outs[1]!.error).toMatch(/the transfer failed: Twilio answered HTTP 500/);
      // Each refusal is answered (the model tells the caller): a response.create per output.
      expect(receivedTypes(b.agent, 'response.create')).toHaveLength(2);
      expect(await b.metric('parley_call_control_failures_total', { via: 'twilio_rest' })).toBe(1);
      expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'hangup' })).toBe(1);
    });
  });

  it('DTMF on Twilio reaches the model as one item ("The caller pressed 4 5 #"), counted', async () => {
    await withBridge([], async (b, tw) => {
      const script: ScriptStep[] = [
        { kind: 'say', ms: 400 },
        { kind: 'listen', quietMs: 300 },
        { kind: 'dtmf', digit: '4' },
        { kind: 'dtmf', digit: '5' },
        { kind: 'dtmf', digit: '#' },
        { kind: 'listen', quietMs: 1500 },
        { kind: 'hangup' },
      ];
      await call(b, 'twilio', script);
      await b.idle();
      const texts = outputsOf(b)
        .filter((i) => i.type === 'message')
        .map((i) => i.content?.[0]?.text);
      expect(texts).toEqual(['The caller pressed 4 5 #']);
      expect(await b.metric('parley_dtmf_total', { direction: 'in', outcome: 'twilio' })).toBe(3);
    });
  });

  it('audio-stream without ESL: end_call and transfer are {"type":"parley.action"} messages on the stream', async () => {
    await withBridge([{ turn: 2, name: 'transfer_call', arguments: { target: 'desk' } }], async (b, tw) => {
      const report = await call(b, 'audio-stream', TWO_TURNS, 'a1b2c3d4-0000-4000-8000-000000000001');
      await b.idle();
      const actions = report.timeline.filter((e) => e.kind === 'platform_action').map((e) => JSON.parse(e.detail!) as Record<string, unknown>);
      expect(actions).toEqual([{ type: 'parley.action', callId: 'a1b2c3d4-0000-4000-8000-000000000001', action: 'transfer', destination: '1000' }]);
      expect(report.protocolErrors).toBe(0);
      expect(await b.metric('parley_calls_ended_total', { protocol: 'audio-stream', reason: 'transferred' })).toBe(1);
    });
  });

  it('audio-stream with ESL: end_call is one uuid_kill; DTMF events of the call reach the model', async () => {
    const uuid = 'a1b2c3d4-0000-4000-8000-000000000002';
    esl.addChannel(uuid);
    await withBridge(
      [{ turn: 2, name: 'end_call', arguments: {} }],
      async (b, tw) => {
        const script: ScriptStep[] = [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 400 }, { kind: 'listen', quietMs: 600 }, { kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 2500 }, { kind: 'hangup' }];
        const pending = call(b, 'audio-stream', script, uuid);
        // Wait for Parley's filter for this call, then press 7 on the channel.
        const until = Date.now() + 5000;
        while (!esl.commands.some((c) => c.line === `filter Unique-ID ${uuid}`) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        esl.pressDigit(uuid, '7');
        esl.pressDigit('some-other-call', '9');
        const report = await pending;
        await b.idle();
        expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(false);
        expect(esl.commands.filter((c) => c.line.startsWith(`api uuid_kill ${uuid}`))).toHaveLength(1);
        const texts = outputsOf(b)
          .filter((i) => i.type === 'message')
          .map((i) => i.content?.[0]?.text);
        expect(texts).toEqual(['The caller pressed 7']);
        expect(await b.metric('parley_calls_ended_total', { protocol: 'audio-stream', reason: 'agent_ended' })).toBe(1);
        expect(await b.metric('parley_call_control_actions_total', { action: 'hangup', via: 'esl', outcome: 'ok' })).toBe(1);
      },
      {},
      true,
    );
  });

  it('idle: one spoken prompt after idleTimeoutMs, then the end after idleEndMs of silence (reason idle)', async () => {
    await withBridge(
      [],
      async (b, tw) => {
        const report = await call(b, 'twilio', [{ kind: 'say', ms: 400 }, { kind: 'listen', quietMs: 9000 }, { kind: 'hangup' }]);
        await b.idle();
        expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(false);
        const creates = b.agent.received().filter((e) => e.type === 'response.create');
        expect(creates).toHaveLength(1);
        expect(JSON.stringify(creates[0]!.event)).toContain('still there');
        expect(tw.updates.map((u) => u.form)).toEqual([{ Status: 'completed' }]);
        expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'idle' })).toBe(1);
      },
      { callControl: { ...callControl, idleTimeoutMs: 800, idleEndMs: 1000 } },
    );
  });

  it('max duration: a closing line, heard to its end, then the end (reason max_duration)', async () => {
    await withBridge(
      [],
      async (b, tw) => {
        const report = await call(b, 'twilio', [{ kind: 'say', ms: 400 }, { kind: 'listen', quietMs: 9000 }, { kind: 'hangup' }]);
        await b.idle();
        expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(false);
        const creates = b.agent.received().filter((e) => e.type === 'response.create');
        expect(creates).toHaveLength(1);
        expect(JSON.stringify(creates[0]!.event)).toContain('time limit');
        expect(tw.updates.map((u) => u.form)).toEqual([{ Status: 'completed' }]);
        expect(report.marksEchoed).toBe(report.marksSent);
        // The closing line was heard: agent audio arrived after the limit.
        expect(report.timeline.filter((e) => e.kind === 'agent_audio_start').length).toBeGreaterThanOrEqual(2);
        expect(await b.metric('parley_calls_ended_total', { protocol: 'twilio', reason: 'max_duration' })).toBe(1);
      },
      { callControl: { ...callControl, maxCallMs: 2500 } },
    );
  });

  for (const protocol of ['twilio', 'audio-stream'] as const) {
    it(`end_call after a goodbye in the same response (${protocol}): the goodbye is heard to its end, then one hang-up`, async () => {
      const uuid = `a1b2c3d4-0000-4000-8000-00000000010${protocol === 'twilio' ? 1 : 2}`;
      esl.addChannel(uuid);
      await withBridge(
        [{ turn: 2, name: 'end_call', arguments: { reason: 'goodbye' }, afterSpeech: true }],
        async (b, tw) => {
          const report = await call(b, protocol, TWO_TURNS, protocol === 'audio-stream' ? uuid : undefined);
          await b.idle();
          expect(report.timeline.some((e) => e.kind === 'hangup')).toBe(false);
          const sent = b.agent.stats().audioMsSent;
          // Every frame the agent sent arrived and was played by the far side before the end
          // (one frame of rounding per response).
          console.log(`[goodbye ${protocol}] agent sent ${sent.toFixed(0)} ms, arrived ${report.agentAudioMs.toFixed(0)} ms, heard ${report.heardMs.toFixed(0)} ms`);
          expect(report.agentAudioMs).toBeGreaterThanOrEqual(sent - 40);
          expect(report.heardMs).toBeGreaterThanOrEqual(report.agentAudioMs - 40);
          if (protocol === 'twilio') {
            expect(tw.updates.map((u) => u.form)).toEqual([{ Status: 'completed' }]);
            expect(report.marksEchoed).toBe(report.marksSent);
          } else {
            expect(esl.commands.filter((c) => c.line.startsWith(`api uuid_kill ${uuid}`))).toHaveLength(1);
          }
          expect(receivedTypes(b.agent, 'response.create')).toHaveLength(0);
          expect(await b.metric('parley_calls_ended_total', { protocol, reason: 'agent_ended' })).toBe(1);
        },
        {},
        protocol === 'audio-stream',
      );
    });
  }

  it('send_dtmf: through ESL (uuid_send_dtmf), and refused with a clear output on Twilio; bad digits never reach a platform', async () => {
    const uuid = 'a1b2c3d4-0000-4000-8000-000000000201';
    esl.addChannel(uuid);
    const calls: SimToolCall[] = [
      { turn: 1, name: 'send_dtmf', arguments: { digits: '12w#' } },
      { turn: 3, name: 'send_dtmf', arguments: { digits: '1; rm -rf' } },
    ];
    const script: ScriptStep[] = [...TWO_TURNS.slice(0, 3), { kind: 'listen', quietMs: 400 }, { kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 800 }, { kind: 'hangup' }];
    await withBridge(
      calls,
      async (b) => {
        await call(b, 'audio-stream', script, uuid);
        await b.idle();
        expect(esl.commands.filter((c) => c.line.startsWith('api uuid_send_dtmf')).map((c) => c.line)).toEqual([`api uuid_send_dtmf ${uuid} 12w#`]);
        const outs = outputsOf(b)
          .filter((i) => i.type === 'function_call_output')
          .map((i) => JSON.parse(i.output!) as { status?: string; error?: string });
        expect(outs[0]).toEqual({ status: 'sent', digits: '12w#' });
        expect(outs[1]!.error).toMatch(/invalid arguments/);
        expect(await b.metric('parley_dtmf_total', { direction: 'out', outcome: 'ok' })).toBe(1);
      },
      {},
      true,
    );
    await withBridge([{ turn: 1, name: 'send_dtmf', arguments: { digits: '5' } }], async (b, tw) => {
      await call(b, 'twilio', [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 800 }, { kind: 'hangup' }]);
      await b.idle();
      const out = outputsOf(b).find((i) => i.type === 'function_call_output');
      expect(JSON.parse(out!.output!)).toEqual({ error: 'the keys could not be sent: sending DTMF is not supported on Twilio media streams' });
      expect(tw.updates).toEqual([]);
    });
  });
});
