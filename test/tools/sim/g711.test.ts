// The simulators' own G.711, checked against the standard's fixed points and quantisation — not
// against Parley's codec.
import { describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../../src/tools/sim/audio/g711.js';

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_PCM = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe('sim G.711', () => {
  it('decodes the standard fixed points', () => {
    expect(Array.from(mulawDecode(Uint8Array.from([0xff, 0x7f, 0x80, 0x00, 0xfe])))).toEqual([0, 0, 32124, -32124, 8]);
    expect(Array.from(alawDecode(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a])))).toEqual([8, -8, 32256, -32256]);
  });

  it('every code decodes to a level that encodes back to it (µ-law −0 excepted)', () => {
    const mu = mulawEncode(mulawDecode(ALL_CODES));
    for (const c of ALL_CODES) if (c !== 0x7f) expect(mu[c], `µ ${c}`).toBe(c);
    expect(Array.from(alawEncode(alawDecode(ALL_CODES)))).toEqual(Array.from(ALL_CODES));
  });

  it('every 16-bit input lands within the codec’s quantisation step, keeping its sign', () => {
    for (const [enc, dec] of [
      [mulawEncode, mulawDecode],
      [alawEncode, alawDecode],
    ] as const) {
      const back = dec(enc(ALL_PCM));
      for (let i = 0; i < ALL_PCM.length; i++) {
        const x = ALL_PCM[i]!;
        const y = back[i]!;
        expect(Math.abs(x - y) <= Math.abs(x) / 16 + 16, `${x} → ${y}`).toBe(true);
        if (Math.abs(x) > 64) expect(Math.sign(y)).toBe(Math.sign(x));
      }
    }
  });
});
