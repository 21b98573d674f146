// ITU-T G.711 mu-law / A-law, bit-exact with the ITU's reference software (G.191 STL), the
// twin of native/src/core/dsp/g711.h.

function bitWidth(v: number): number {
  return 32 - Math.clz32(v);
}

export function ulawEncodeSample(x: number): number {
  let mag = (x < 0 ? ~x : x) >> 2;
  mag += 33;
  if (mag > 0x1fff) mag = 0x1fff;
  const seg = bitWidth(mag >> 6) + 1;
  const hi = 8 - seg;
  const lo = 0x0f - ((mag >> seg) & 0x0f);
  let code = (hi << 4) | lo;
  if (x >= 0) code |= 0x80;
  return code;
}

export function alawEncodeSample(x: number): number {
  let ix = (x < 0 ? ~x : x) >> 4;
  if (ix > 15) {
    const exponent = bitWidth(ix) - 4;
    ix = (ix >> (exponent - 1)) - 16 + (exponent << 4);
  }
  if (x >= 0) ix |= 0x80;
  return ix ^ 0x55;
}

function ulawDecodeCalc(code: number): number {
  const inv = ~code;
  const exponent = (inv >> 4) & 0x07;
  const mantissa = inv & 0x0f;
  const step = 4 << (exponent + 1);
  const mag = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return code < 0x80 ? -mag : mag;
}

function alawDecodeCalc(code: number): number {
  const ix = (code ^ 0x55) & 0x7f;
  const exponent = ix >> 4;
  let mant = ix & 0x0f;
  if (exponent > 0) mant += 16;
  mant = (mant << 4) + 0x08;
  if (exponent > 1) mant <<= exponent - 1;
  return code > 127 ? mant : -mant;
}

export const ULAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, c) => ulawDecodeCalc(c));
export const ALAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, c) => alawDecodeCalc(c));

// Encoders as tables: the mu-law code depends only on x >> 2, the A-law code on x >> 4.
const ULAW_ENC = Uint8Array.from({ length: 16384 }, (_, i) => ulawEncodeSample((i - 8192) * 4));
const ALAW_ENC = Uint8Array.from({ length: 4096 }, (_, i) => alawEncodeSample((i - 2048) * 16));

export function ulawEncode(pcm: Int16Array, out: Uint8Array): void {
  for (let i = 0; i < pcm.length; i++) out[i] = ULAW_ENC[(pcm[i]! >> 2) + 8192]!;
}
export function alawEncode(pcm: Int16Array, out: Uint8Array): void {
  for (let i = 0; i < pcm.length; i++) out[i] = ALAW_ENC[(pcm[i]! >> 4) + 2048]!;
}
export function ulawDecode(codes: Uint8Array, out: Int16Array): void {
  for (let i = 0; i < codes.length; i++) out[i] = ULAW_TABLE[codes[i]!]!;
}
export function alawDecode(codes: Uint8Array, out: Int16Array): void {
  for (let i = 0; i < codes.length; i++) out[i] = ALAW_TABLE[codes[i]!]!;
}
