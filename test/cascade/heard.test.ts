// What the caller heard of a cascade response, for truncation.
import { describe, expect, it } from 'vitest';
import { heardText } from '../../src/ai/cascade/heard.js';

const S = [
  { text: 'Thanks for calling.', ms: 1000 },
  { text: 'How can I help you today?', ms: 1200 },
  { text: 'Take your time.', ms: 800 },
];

describe('heardText', () => {
  it('keeps whole sentences heard, and the share of words of the one cut midway', () => {
    expect(heardText(S, 0)).toBe('');
    expect(heardText(S, 999)).toBe('Thanks for');
    expect(heardText(S, 1000)).toBe('Thanks for calling.');
    expect(heardText(S, 1600)).toBe('Thanks for calling. How can I');
    expect(heardText(S, 5000)).toBe('Thanks for calling. How can I help you today? Take your time.');
  });

  it('a sentence that produced no audio (lost, or still queued) is never heard', () => {
    expect(heardText([{ text: 'Lost sentence here.', ms: 0 }], 0)).toBe('');
    expect(heardText([{ text: 'Lost.', ms: 0 }, { text: 'One two.', ms: 500 }], 600)).toBe('One two.');
    expect(heardText([{ text: 'One two.', ms: 500 }, { text: 'Queued, never spoken.', ms: 0 }], 900)).toBe('One two.');
  });
});
