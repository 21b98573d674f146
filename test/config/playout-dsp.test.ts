// PARLEY_TTS_DSP (tts.dsp) and PARLEY_PLAYOUT_GAIN_DB (media.playoutGainDb): defaults per AI
// mode, env and file values, and refusals that name the variable, the key and the range.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'parley-config-dsp-'));
const CASCADE = { PARLEY_AI: 'cascade', OPENAI_API_KEY: 'sk-x', ELEVENLABS_API_KEY: 'el-x' };
const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig({ env, cwd: dir() });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('playout DSP settings', () => {
  it('turn the TTS chain on by default in cascade mode only, with no gain', () => {
    const cascade = loadConfig({ env: CASCADE, cwd: dir() });
    expect(cascade.tts.dsp).toBe(true);
    expect(cascade.media.playoutGainDb).toBe(0);
    expect(loadConfig({ env: {}, cwd: dir() }).tts.dsp).toBe(false);
    expect(loadConfig({ env: { OPENAI_API_KEY: 'sk-x' }, cwd: dir() }).tts.dsp).toBe(false);
  });

  it('honour an explicit value in every mode, from env or file', () => {
    expect(loadConfig({ env: { ...CASCADE, PARLEY_TTS_DSP: 'off' }, cwd: dir() }).tts.dsp).toBe(false);
    expect(loadConfig({ env: { PARLEY_TTS_DSP: '1' }, cwd: dir() }).tts.dsp).toBe(true);
    expect(loadConfig({ env: { PARLEY_PLAYOUT_GAIN_DB: '-6.5' }, cwd: dir() }).media.playoutGainDb).toBe(-6.5);
    const d = dir();
    writeFileSync(join(d, 'parley.config.yaml'), 'tts:\n  dsp: false\nmedia:\n  playoutGainDb: 3\n');
    const c = loadConfig({ env: { PARLEY_AI: 'cascade', OPENAI_API_KEY: 'sk-x', ELEVENLABS_API_KEY: 'el-x' }, cwd: d });
    expect(c.tts.dsp).toBe(false);
    expect(c.media.playoutGainDb).toBe(3);
  });

  it('refuse bad values, naming the variable, the key and what is accepted', () => {
    const [loud] = problemsOf({ PARLEY_PLAYOUT_GAIN_DB: '21' });
    expect(loud).toMatch(/^PARLEY_PLAYOUT_GAIN_DB \(media\.playoutGainDb\) = 21 from env PARLEY_PLAYOUT_GAIN_DB: .*accepted: number -40–20/);
    expect(problemsOf({ PARLEY_PLAYOUT_GAIN_DB: '-40.5' })[0]).toMatch(/accepted: number -40–20/);
    expect(problemsOf({ PARLEY_PLAYOUT_GAIN_DB: 'loud' })).toEqual(['PARLEY_PLAYOUT_GAIN_DB (media.playoutGainDb) = "loud": expected a number']);
    expect(problemsOf({ PARLEY_TTS_DSP: 'maybe' })).toEqual(['PARLEY_TTS_DSP (tts.dsp) = "maybe": expected true or false (also 1/0, yes/no, on/off)']);
  });
});
