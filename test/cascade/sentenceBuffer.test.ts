// The original engine's sentence rules (docs/reference/original-engine.md#sentence-rules), made
// explicit: each case names the rule it pins down, including the quirks kept on purpose (nothing
// splits before index 10, "Hello. World." is one sentence, "no." is an abbreviation, ellipses never
// split).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SentenceBuffer, SENTENCE_RULES } from '../../src/ai/cascade/sentenceBuffer.js';

/** Feeds `text` in deltas of `step` characters; returns the sentences and the flushed rest. */
function split(text: string, step = 1, rules = SENTENCE_RULES): string[] {
  const b = new SentenceBuffer(rules);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(...b.add(text.slice(i, i + step)));
  const rest = b.flush();
  if (rest !== undefined) out.push(rest);
  return out;
}

describe('sentence boundaries', () => {
  it('splits after . ? ! followed by space and an uppercase letter', () => {
    expect(split('Thanks for calling us. How can I help you today? I am listening!')).toEqual([
      'Thanks for calling us.',
      'How can I help you today?',
      'I am listening!',
    ]);
  });

  it('never honours a boundary before index 10 (short replies wait for flush or more text)', () => {
    expect(split('Yes. Sure thing, I can do that.')).toEqual(['Yes. Sure thing, I can do that.']);
    expect(split('Hello. World.')).toEqual(['Hello. World.']);
    const b = new SentenceBuffer();
    expect(b.add('Sure! ')).toEqual([]);
    expect(b.flush()).toBe('Sure!');
  });

  it('a terminal mark at the end of the buffer is not a boundary yet', () => {
    const b = new SentenceBuffer();
    expect(b.add('This is a full sentence.')).toEqual([]);
    expect(b.add(' Next')).toEqual(['This is a full sentence.']);
  });

  it('a period followed by a lowercase word does not split; ? and ! do', () => {
    expect(split('The price is 5 dollars. or so they say')).toEqual(['The price is 5 dollars. or so they say']);
    expect(split('Did you say that? yes I did')).toEqual(['Did you say that?', 'yes I did']);
    expect(split('That is amazing! really amazing')).toEqual(['That is amazing!', 'really amazing']);
  });

  it('looks at most three characters ahead for the uppercase letter', () => {
    expect(split('This is the end.  Then more')).toEqual(['This is the end.', 'Then more']);
    expect(split('This is the end.    Then more')).toEqual(['This is the end.    Then more']);
  });

  it('a closing quote or parenthesis after the mark only helps ? and ! (the original cuts before it)', () => {
    // For '.', the first non-space character after it must be uppercase: a closer is not.
    expect(split('He said "it works." Then left')).toEqual(['He said "it works." Then left']);
    expect(split('He said it works.) Then left')).toEqual(['He said it works.) Then left']);
    expect(split('Did he say "really?" Then left')).toEqual(['Did he say "really?', '" Then left']);
  });

  it('does not split after abbreviations, single letters or inside ellipses', () => {
    expect(split('Please call Dr. Smith at the office. She knows')).toEqual(['Please call Dr. Smith at the office.', 'She knows']);
    expect(split('We open at 9 a.m. Monday through Friday. Bye now')).toEqual(['We open at 9 a.m. Monday through Friday.', 'Bye now']);
    expect(split('My middle name is J. Robert, you see')).toEqual(['My middle name is J. Robert, you see']);
    expect(split('Well, I was thinking... Maybe not')).toEqual(['Well, I was thinking... Maybe not']);
    // The original's list has "no": "I said no. Then…" stays one sentence.
    expect(split('I told him no. Then he left')).toEqual(['I told him no. Then he left']);
  });

  it('splits on newline, semicolon and colon (index >= 10), never on comma by default', () => {
    expect(split('First line here\nSecond line')).toEqual(['First line here', 'Second line']);
    expect(split('We have two options; pick one')).toEqual(['We have two options;', 'pick one']);
    expect(split('Here is the plan: we go now')).toEqual(['Here is the plan:', 'we go now']);
    expect(split('Well, this is a long clause with many words, and then another one')).toHaveLength(1);
  });

  it('splits on comma only when enabled and at index >= 40', () => {
    const rules = { ...SENTENCE_RULES, splitOnComma: true };
    expect(split('Short, clause here and there', 1, rules)).toEqual(['Short, clause here and there']);
    expect(split('This is a rather long first clause of text, and the rest', 1, rules)).toEqual([
      'This is a rather long first clause of text,',
      'and the rest',
    ]);
  });

  it('cuts a buffer at maxChars at its last boundary, else its last space, else hard', () => {
    const rules = { ...SENTENCE_RULES, maxChars: 40 };
    expect(split('one two three four five six seven eight nine ten eleven', 1, rules)).toEqual([
      'one two three four five six seven eight',
      'nine ten eleven',
    ]);
    expect(split('x'.repeat(95), 1, rules)).toEqual(['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(15)]);
  });

  it('flush emits the trimmed rest once; reset drops it', () => {
    const b = new SentenceBuffer();
    b.add('  half a sentence ');
    expect(b.flush()).toBe('half a sentence');
    expect(b.flush()).toBeUndefined();
    b.add('cancelled text');
    b.reset();
    expect(b.pending).toBe(0);
    expect(b.flush()).toBeUndefined();
  });

  it('rejects rules that cannot work', () => {
    expect(() => new SentenceBuffer({ ...SENTENCE_RULES, minChars: 0 })).toThrow(RangeError);
    expect(() => new SentenceBuffer({ ...SENTENCE_RULES, maxChars: 5 })).toThrow(RangeError);
  });
});

describe('sentence buffer properties', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'B', ' ', '.', '?', '!', ',', ';', ':', '\n', '"', 'x', 'Y'), maxLength: 600 });

  it('loses no text and keeps it in order, whatever the delta sizes', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 50 }), (t, step) => {
        const squash = (s: string) => s.replace(/\s+/g, '');
        expect(squash(split(t, step).join(''))).toBe(squash(t));
      }),
    );
  });

  it('emits the same sentences however the text is chunked, each within maxChars', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 40 }), (t, step) => {
        const whole = split(t, 1);
        expect(split(t, step)).toEqual(whole);
        for (const s of whole.slice(0, -1)) expect(s.length).toBeLessThanOrEqual(SENTENCE_RULES.maxChars);
      }),
    );
  });
});
