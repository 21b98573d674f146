// Issue 20 (part 3): agent audio that reaches Parley at about real time (the provider streaming at 1×)
// must not stutter on mod_audio_stream, whose inject buffer plays only while it holds its
// minimum fill. The caller's far-side emulation counts every gap inside an agent run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../../src/telephony/types.js';
import { startBridge, type Bridge } from './harness.js';

const REPLY_MS = 3000;
const SCRIPT: readonly ScriptStep[] = [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 600 }, { kind: 'hangup' }];

describe.each<[TelephonyProtocol, number]>([
  ['audio-stream', 1],
  ['audio-stream', 1.2],
  ['twilio', 1.2],
])('%s, agent audio at %d× real time', (protocol, speed) => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode: 'openai', agent: { replyMs: REPLY_MS, speed } });
  });
  afterAll(() => bridge.close());

  it('the whole answer is heard without a dropout inside it', async () => {
    const report = await bridge.call(protocol, { script: SCRIPT, ...(protocol === 'audio-stream' ? { sampleRate: 16000 } : {}) });
    expect(report.failure).toBeUndefined();
    expect(report.heardMs).toBeGreaterThanOrEqual(REPLY_MS * 0.95);
    expect({ underruns: report.underruns, underrunMs: report.underrunMs }).toEqual({ underruns: 0, underrunMs: 0 });
  });
});
