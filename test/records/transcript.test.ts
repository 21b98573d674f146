// Transcripts of both sides (issue 19, the call record): caller turns transcribed in every mode, agent turns
// from the output transcript, each with times; the turn the caller cut off keeps the text heard.
import { afterEach, describe, expect, it } from 'vitest';
import { simCall, type ScriptStep } from '../../src/tools/sim/caller/index.js';
import { ended, startRecordsBridge, type RecordsBridge } from './harness.js';

const SCRIPT: readonly ScriptStep[] = [
  { kind: 'say', ms: 700 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'say', ms: 500 },
  { kind: 'barge', afterMs: 500, sayMs: 700 },
  // Long enough for the last caller turn's transcription, not for the whole third reply.
  { kind: 'silence', ms: 900 },
  { kind: 'hangup' },
];

let bridge: RecordsBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

describe.each(['openai', 'cascade'] as const)('transcripts in %s mode', (mode) => {
  it('has caller and agent turns in order with times, and the cut turn as heard', async () => {
    bridge = await startRecordsBridge(mode);
    const report = await simCall({ url: bridge.url('twilio'), script: SCRIPT, maxCallMs: 20_000 });
    expect(report.failure).toBeUndefined();
    await bridge.idle();
    const [end] = ended(bridge.events);
    expect(end).toBeDefined();
    const turns = end!.transcript;
    const callers = turns.filter((t) => t.role === 'caller');
    const agents = turns.filter((t) => t.role === 'agent');
    // Three caller turns, each transcribed by the agent (audio.input.transcription was asked for).
    expect(callers.length).toBe(3);
    for (const t of callers) expect(t.text).toMatch(/^\[caller turn \d+, [\d.]+ s\]$/);
    expect(agents.length).toBeGreaterThanOrEqual(2);
    for (const t of turns) expect(t.endMs).toBeGreaterThanOrEqual(t.startMs);
    // The second reply was cut 500 ms in: its text is the words that came with the audio heard.
    const cut = agents.find((t) => t.interrupted);
    expect(cut).toBeDefined();
    // cascade: cut by each spoken sentence's audio; openai/local: by the deltas' place in the audio.
    expect(cut!.cut).toBe(mode === 'cascade' ? 'sentence_timing' : 'delta_position');
    expect(cut!.heardMs).toBeGreaterThan(300);
    expect(cut!.heardMs).toBeLessThan(900);
    const full = agents.find((t) => !t.interrupted)!;
    expect(cut!.text.length).toBeGreaterThan(0);
    expect(cut!.text.split(' ').length).toBeLessThan(full.text.split(' ').length);
    if (mode !== 'cascade') expect(cut!.text).toMatch(/^\[reply \d+\] thanks/);
    // The turns were also sent one by one as call.transcript, in call order.
    const streamed = bridge.events.filter((e) => e.type === 'call.transcript');
    expect(streamed.map((e) => (e as { turn: unknown }).turn)).toEqual(turns);
    const seqs = bridge.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(bridge.events[0]!.type).toBe('call.started');
    expect(bridge.events.at(-1)!.type).toBe('call.ended');
  }, 30_000);
});
