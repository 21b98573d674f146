// Regression tests for what the fuzzers found (issue 10): each case is the minimal input that
// once broke an entry point, with the answer the protocol now gives.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

function configProblems(env: Record<string, string>, file?: { name: string; text: string }): readonly string[] {
  const cwd = mkdtempSync(join(tmpdir(), 'parley-fuzz-regr-'));
  if (file) writeFileSync(join(cwd, file.name), file.text);
  try {
    loadConfig({ env, cwd });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('fuzz regressions: configuration', () => {
  it('an invalid PARLEY_OPENAI_URL with PARLEY_AI=openai is a ConfigError, not a TypeError (Invalid URL)', () => {
    const problems = configProblems({ PARLEY_AI: 'openai', PARLEY_OPENAI_URL: 'ééé' });
    expect(problems.join('\n')).toMatch(/PARLEY_OPENAI_URL \(ai\.openaiUrl\)/);
  });

  it('a malformed JSON file never echoes its text (it may hold a secret)', () => {
    for (const text of ['{"ai":{"openaiApiKey":}"sk-SECRET"}}', '{"authToken": "sk-SECRET" x}', '{"ai":{"openaiApiKey":\ud800sk-SECRET"}}']) {
      const problems = configProblems({}, { name: 'parley.config.json', text });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/parley\.config\.json: cannot parse: not valid JSON/);
      expect(problems[0]).not.toContain('SECRET');
    }
  });

  it('a malformed YAML file names the place, not the line holding a secret', () => {
    const problems = configProblems({}, { name: 'parley.config.yaml', text: 'ai:\n  openaiApiKey: [sk-SECRET\nport: 1' });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/at line \d+, column \d+/);
    expect(problems.join('\n')).not.toContain('SECRET');
  });

  it('YAML warnings (an unresolved !!js/function tag) are problems, not stderr noise with a silently changed value', () => {
    const problems = configProblems({}, { name: 'parley.config.yaml', text: 'ai:\n  instructions: !!js/function "function () {}"\n' });
    expect(problems.join('\n')).toMatch(/Unresolved tag/);
  });

  it('a YAML alias bomb is refused', () => {
    const bomb = 'a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    expect(configProblems({}, { name: 'parley.config.yaml', text: bomb }).join('\n')).toMatch(/alias|cannot parse/i);
  });

  it('a byte-order mark before a JSON file is accepted', () => {
    expect(configProblems({}, { name: 'parley.config.json', text: '\ufeff{"port": 9001}' })).toEqual([]);
  });
});

describe('fuzz regressions: AI provider events', () => {
  it('an OpenAI audio delta with an empty delta is ignored (bad_shape), not taken as agent audio', async () => {
    const { parseServerEvent } = await import('../../src/ai/openai/server-events.js');
    const ev = parseServerEvent(JSON.stringify({ type: 'response.output_audio.delta', response_id: 'r', item_id: 'i', content_index: 0, delta: '' }), 3);
    expect(ev).toMatchObject({ type: 'ignored', why: 'bad_shape', serverType: 'response.output_audio.delta' });
    const ok = parseServerEvent(JSON.stringify({ type: 'response.output_audio.delta', response_id: 'r', item_id: 'i', delta: 'AAA=' }), 3);
    expect(ok).toMatchObject({ type: 'audio_delta', responseId: 'r', itemId: 'i' });
  });
});

describe('fuzz regressions: ElevenLabs messages', () => {
  it('an empty non-final audio chunk is ignored (bad_audio, counted), not silently dropped', async () => {
    const { parseElevenLabsMessage } = await import('../../src/ai/cascade/tts/elevenlabs/messages.js');
    expect(parseElevenLabsMessage(JSON.stringify({ audio: '', normalized_alignment: { chars: [] } }))).toEqual([{ kind: 'ignored', why: 'bad_audio' }]);
    expect(parseElevenLabsMessage(JSON.stringify({ audio: '', isFinal: true, contextId: 'c' }))).toEqual([{ kind: 'final', contextId: 'c' }]);
  });
});
