// The simulators' own base64 reader: strict where Node's decoder is lenient.
import { describe, expect, it } from 'vitest';
import { strictBase64, strictBase64Length } from '../../../src/tools/sim/audio/base64.js';

describe('sim base64', () => {
  it('reads padded standard base64 and gives its decoded length without decoding', () => {
    for (const bytes of [0, 1, 2, 3, 4, 5, 160, 161]) {
      const b = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37) & 255));
      const text = b.toString('base64');
      expect(strictBase64Length(text)).toBe(bytes);
      expect(strictBase64(text)?.equals(b)).toBe(true);
    }
  });

  it('rejects what Node would silently skip or accept: junk, URL alphabet, missing or misplaced padding', () => {
    for (const bad of ['AAA', 'AA A', 'AA-_', 'AA=A', 'A===', 'AAAA====', '!AAA', 'AAAAAA==\n']) {
      expect(strictBase64(bad), bad).toBeUndefined();
      expect(strictBase64Length(bad), bad).toBeUndefined();
    }
  });
});
