// PARLEY_AI=cascade end to end, offline: a simulated caller on a real telephony socket, the
// bridge, the sim-agent as the LLM (text-only session, server VAD), the ElevenLabs and OpenAI
// TTS fakes — all over loopback. The fakes speak tones (ElevenLabs 440 Hz at 16 kHz, OpenAI
// 660 Hz at 24 kHz), so the pitch the caller hears tells which provider spoke and whether its
// audio was resampled from the right rate (TT2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { EL_HZ, heardRuns, OPENAI_HZ, startCascadeBridge, type CascadeBridge } from './harness.js';

const MS_PER_CHAR = 25;
/** Pitch tolerance: the caller measures by zero crossings over 8 kHz µ-law. */
const HZ_TOL = 0.05;
const near = (hz: number, want: number) => Math.abs(hz - want) <= want * HZ_TOL;

describe.concurrent('cascade mode end to end', () => {
  describe('barge-in mid-sentence', () => {
    let bridge: CascadeBridge;
    beforeAll(async () => {
      // ElevenLabs at real time: when the caller barges in, the reply's later sentences are
      // still waiting for TTS (or its text is still streaming).
      bridge = await startCascadeBridge({ elevenlabs: { speed: 1 } });
    });
    afterAll(() => bridge.close());

    it('drops all pending text and audio of the cancelled response; the next reply plays', async () => {
      const script: ScriptStep[] = [
        { kind: 'say', ms: 700 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'say', ms: 600 },
        { kind: 'barge', afterMs: 600, sayMs: 700 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'hangup' },
      ];
      const report = await bridge.call('twilio', { script });
      expect(report.failure).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.bargeIns).toHaveLength(1);
      const b = report.bargeIns[0]!;
      expect(b.clearAtMs).toBeDefined();
      expect(b.staleFramesAfterClear).toBe(0);
      // Three replies were heard; the second only in part.
      expect(report.turns.filter((t) => t.firstAgentAudioMs !== undefined).length).toBe(3);

      // What ElevenLabs was asked to say, per turn (its contexts: the response id, and `_b` for
      // the sentence asked for ahead).
      const turnOf = (contextId: string) => contextId.replace(/(_b)?(_r\d+)?$/, '');
      const texts = bridge.fakes.elevenlabs.texts();
      const contexts = [...new Set(texts.map((t) => turnOf(t.contextId)))];
      expect(contexts).toHaveLength(3);
      const interrupted = contexts[1]!;
      const closed = bridge.fakes.elevenlabs.closes().find((c) => turnOf(c.contextId) === interrupted);
      expect(closed).toBeDefined();
      const sentFor = texts.filter((t) => turnOf(t.contextId) === interrupted);
      // None of the interrupted reply's sentences reached TTS after the cancel (the one asked
      // for ahead went before it).
      expect(sentFor.length).toBeGreaterThan(0);
      expect(sentFor.every((t) => t.t <= closed!.t)).toBe(true);
      const fullMs = ['Sure, I can help with that.', 'Dr. Smith is available on Monday at 9 a.m. or on Tuesday afternoon.', 'Which one works better for you?']
        .map((s) => [...s].filter((c) => c.trim()).length * MS_PER_CHAR)
        .reduce((a, x) => a + x, 0);
      expect(b.heardMs).toBeLessThan(fullMs * 0.75);

      await bridge.idle();
      expect(await bridge.metric('parley_barge_ins_total', { protocol: 'twilio' })).toBe(1);
      expect(await bridge.metric('parley_tts_requests_total', { outcome: 'failed' })).toBe(0);
      // Pending sentences were dropped in the queue or never left the text stage.
      const dropped = (await bridge.metric('parley_tts_cancelled_drops_total', { stage: 'queue' })) + (await bridge.metric('parley_tts_cancelled_drops_total', { stage: 'text' }));
      expect(dropped).toBeGreaterThan(0);
      // The model's context now holds only what the caller heard of that reply.
      const types = bridge.agent.received().map((e) => e.type);
      expect(types).toContain('conversation.item.delete');
      expect(types).not.toContain('input_audio_buffer.clear'); // BI5
    });
  });

  describe('provider failure', () => {
    let bridge: CascadeBridge;
    beforeAll(async () => {
      bridge = await startCascadeBridge({ config: { tts: { failoverThreshold: 2, cooldownMs: 600_000 } } });
    });
    afterAll(() => bridge.close());

    it('fails over to OpenAI TTS, whose audio plays at the right rate (TT2)', async () => {
      bridge.fakes.elevenlabs.arm({ kind: 'error', code: 'quota_exceeded' }, 'always');
      const script: ScriptStep[] = [
        { kind: 'say', ms: 700 },
        { kind: 'listen', quietMs: 500 },
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 500 },
        { kind: 'hangup' },
      ];
      const report = await bridge.call('twilio', { script });
      expect(report.ok).toBe(true);
      const runs = heardRuns(report.wavPath!);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (const r of runs) expect(near(r.hz, OPENAI_HZ), `heard ${r.hz.toFixed(0)} Hz`).toBe(true);
      // Duration as the provider made it (both replies): not stretched or squeezed by a wrong rate.
      const sentences = [
        'Thanks for calling Parley, caller 1.',
        'This is the simulated agent speaking.',
        'How can I help you today?',
        'Sure, I can help with that.',
        'Dr. Smith is available on Monday at 9 a.m. or on Tuesday afternoon.',
        'Which one works better for you?',
      ];
      const expectedMs = sentences.map((s) => [...s].filter((c) => c.trim()).length * MS_PER_CHAR).reduce((a, x) => a + x, 0);
      const heardMs = runs.reduce((a, r) => a + r.ms, 0);
      expect(Math.abs(heardMs - expectedMs)).toBeLessThan(expectedMs * 0.1);
      await bridge.idle();
      expect(bridge.app.cascade!.breaker.state).toBe('open');
      // Two failures opened the breaker; then ElevenLabs was not asked again: every text it got
      // belongs to the first reply. (A sentence asked for ahead fails with the one before it on
      // the same socket: a failed request, dropped unreported to the breaker and asked for
      // again — so two reported failures may take up to four failed requests.)
      const failed = await bridge.metric('parley_tts_requests_total', { provider: 'elevenlabs', outcome: 'failed' });
      expect(failed).toBeGreaterThanOrEqual(2);
      expect(failed).toBeLessThanOrEqual(4);
      const turns = new Set(bridge.fakes.elevenlabs.texts().map((t) => t.contextId.replace(/(_b)?(_r\d+)?$/, '')));
      expect(turns.size).toBe(1);
      expect(await bridge.metric('parley_tts_failovers_total')).toBe(2);
      expect(await bridge.metric('parley_tts_breaker_transitions_total', { to: 'fallback' })).toBe(1);
      expect(await bridge.metric('parley_tts_sentences_lost_total')).toBe(0);
    });
  });

  describe('failover back after cooldown', () => {
    let bridge: CascadeBridge;
    beforeAll(async () => {
      bridge = await startCascadeBridge({ config: { tts: { failoverThreshold: 1, cooldownMs: 1500 } } });
    });
    afterAll(() => bridge.close());

    it('returns to ElevenLabs once a probe after the cooldown succeeds (16 kHz audio-stream leg)', async () => {
      bridge.fakes.elevenlabs.arm({ kind: 'refuse', status: 503 }, 'always');
      const script: ScriptStep[] = [
        { kind: 'say', ms: 700 },
        { kind: 'listen', quietMs: 500 },
        { kind: 'silence', ms: 2000 },
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 500 },
        { kind: 'hangup' },
      ];
      // ElevenLabs recovers as soon as the first reply (all of it from the fallback) is heard.
      const report = await bridge.call('audio-stream', {
        script,
        sampleRate: 16000,
        onTimeline: (e) => {
          if (e.kind === 'agent_audio_start') bridge.fakes.elevenlabs.heal();
        },
      });
      expect(report.ok).toBe(true);
      const runs = heardRuns(report.wavPath!);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(near(runs[0]!.hz, OPENAI_HZ), `first reply at ${runs[0]!.hz.toFixed(0)} Hz`).toBe(true);
      expect(near(runs.at(-1)!.hz, EL_HZ), `last reply at ${runs.at(-1)!.hz.toFixed(0)} Hz`).toBe(true);
      await bridge.idle();
      expect(bridge.app.cascade!.breaker.state).toBe('closed');
      expect(await bridge.metric('parley_tts_breaker_transitions_total', { to: 'primary' })).toBe(1);
    });
  });

  describe('cache under load', () => {
    const PROCESS_CAP = 400_000;
    const CALL_CAP = 150_000;
    let bridge: CascadeBridge;
    beforeAll(async () => {
      bridge = await startCascadeBridge({
        config: { limits: { maxCalls: 100 }, tts: { cacheBytes: PROCESS_CAP, cacheCallBytes: CALL_CAP } },
        elevenlabs: { toneHz: undefined },
      });
    });
    afterAll(() => bridge.close());

    it('stays under its process and per-call byte caps while 16 calls speak (TT4)', async () => {
      const cache = bridge.app.cascade!.cache;
      let maxBytes = 0;
      let maxCall = 0;
      const sampler = setInterval(() => {
        maxBytes = Math.max(maxBytes, cache.bytes);
        for (let i = 1; i <= 40; i++) maxCall = Math.max(maxCall, cache.callBytes(`call-${i}`));
      }, 5);
      const script: ScriptStep[] = [
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'say', ms: 600 },
        { kind: 'listen', quietMs: 400 },
        { kind: 'hangup' },
      ];
      let reports;
      try {
        // Staggered, so later calls find the sentences earlier calls had synthesized.
        const stagger = (i: number) => new Promise((r) => setTimeout(r, i * 150));
        reports = await Promise.all(Array.from({ length: 16 }, (_, i) => stagger(i).then(() => bridge.call(i % 2 ? 'twilio' : 'audio-stream', { script, seed: 10 + i }))));
      } finally {
        clearInterval(sampler);
      }
      expect(reports.filter((r) => r.ok)).toHaveLength(16);
      await bridge.idle(10_000);
      expect(maxBytes).toBeGreaterThan(PROCESS_CAP / 2); // the cap was reached, not just respected
      expect(maxBytes).toBeLessThanOrEqual(PROCESS_CAP);
      expect(maxCall).toBeLessThanOrEqual(CALL_CAP);
      expect(cache.bytes).toBeLessThanOrEqual(PROCESS_CAP);
      const evicted = (await bridge.metric('parley_tts_cache_evictions_total', { reason: 'lru' })) + (await bridge.metric('parley_tts_cache_evictions_total', { reason: 'call_cap' }));
      expect(evicted).toBeGreaterThan(0);
      expect(await bridge.metric('parley_tts_cache_lookups_total', { result: 'hit' })).toBeGreaterThan(0);
      expect(await bridge.metric('parley_tts_cache_bytes')).toBeLessThanOrEqual(PROCESS_CAP);
    });
  });
});
