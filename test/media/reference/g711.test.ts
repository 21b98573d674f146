// The reference G.711 against the standard's tables (decoder output at every code, encoder
// decision intervals for every 16-bit input), independently of the native twin.
import { describe, expect, it } from 'vitest';
import { ALAW_TABLE, ULAW_TABLE, alawEncodeSample, ulawEncodeSample } from '../../../src/media/reference/g711.js';

function ulawStandard(code: number): number {
  const s = 7 - ((code >> 4) & 7);
  const q = 15 - (code & 15);
  const mag = 4 * ((2 * q + 33) * 2 ** s - 33);
  return code & 0x80 || mag === 0 ? mag : -mag;
}

function alawStandard(code: number): number {
  const c = code ^ 0x55;
  const s = (c >> 4) & 7;
  const q = c & 15;
  const mag = 8 * (s === 0 ? 2 * q + 1 : (2 * q + 33) * 2 ** (s - 1));
  return c & 0x80 ? mag : -mag;
}

/** Upper decision bound (exclusive) of each magnitude code, ascending; G.191 negatives use -x-1. */
function ulawExpected(x: number): number {
  const m = (x >= 0 ? x : -x - 1) / 4;
  for (let s = 0; s < 8; s++)
    for (let q = 0; q < 16; q++) {
      const hi = s === 7 && q === 15 ? Infinity : (q + 17) * 2 ** (s + 1) - 33;
      if (m < hi) return (x >= 0 ? 0x80 : 0) | ((7 - s) << 4) | (15 - q);
    }
  return -1;
}

function alawExpected(x: number): number {
  const m = x >= 0 ? x : -x - 1;
  for (let s = 0; s < 8; s++)
    for (let q = 0; q < 16; q++) {
      const hi = s === 7 && q === 15 ? Infinity : s === 0 ? 16 * (q + 1) : (17 + q) * 16 * 2 ** (s - 1);
      if (m < hi) return ((x >= 0 ? 0x80 : 0) | (s << 4) | q) ^ 0x55;
    }
  return -1;
}

describe('G.711 reference', () => {
  it('decodes every code to the standard reconstruction level', () => {
    for (let c = 0; c < 256; c++) {
      expect(ULAW_TABLE[c], `mu-law ${c}`).toBe(ulawStandard(c));
      expect(ALAW_TABLE[c], `A-law ${c}`).toBe(alawStandard(c));
    }
    expect([ULAW_TABLE[0x00], ULAW_TABLE[0x80], ULAW_TABLE[0xff], ALAW_TABLE[0xd5], ALAW_TABLE[0x2a]]).toEqual([-32124, 32124, 0, 8, -32256]);
  });

  it('encodes every 16-bit input into the standard decision interval', () => {
    for (let x = -32768; x <= 32767; x++) {
      if (ulawEncodeSample(x) !== ulawExpected(x)) expect.fail(`mu-law x=${x}: ${ulawEncodeSample(x)} != ${ulawExpected(x)}`);
      if (alawEncodeSample(x) !== alawExpected(x)) expect.fail(`A-law x=${x}: ${alawEncodeSample(x)} != ${alawExpected(x)}`);
    }
  });
});
