// G.711 µ-law / A-law for the simulators: the far side's own codec, written apart from Parley's
// (the classic segment-search formulation of ITU-T G.711, as in the public-domain Sun Microsystems
// g711.c), so a codec bug in Parley is not agreed with by its test doubles.

const SEG_U = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_A = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(v: number, ends: readonly number[]): number {
  let s = 0;
  while (s < ends.length && v > ends[s]!) s++;
  return s;
}

function ulawByte(x: number): number {
  let v = x >> 2; // 14-bit
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > 8159) v = 8159; // clip
  v += 33; // bias
  const seg = segment(v, SEG_U);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

function ulawLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function alawByte(x: number): number {
  let v = x >> 3; // 13-bit
  let mask = 0xd5;
  if (v < 0) {
    v = -v - 1;
    mask = 0x55;
  }
  const seg = segment(v, SEG_A);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((seg < 2 ? v >> 1 : v >> seg) & 0x0f)) ^ mask;
}

function alawLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

// Decoding is a table lookup built from the formulas above: the offline agent decodes every
// appended byte (the mapping form of Int16Array.from was half its CPU at 300 calls).
const ULAW_TABLE = Int16Array.from({ length: 256 }, (_, code) => ulawLinear(code));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, code) => alawLinear(code));

function decodeWith(table: Int16Array, bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

export function mulawDecode(bytes: Uint8Array): Int16Array {
  return decodeWith(ULAW_TABLE, bytes);
}

export function alawDecode(bytes: Uint8Array): Int16Array {
  return decodeWith(ALAW_TABLE, bytes);
}

export function mulawEncode(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ulawByte(pcm[i]!);
  return out;
}

export function alawEncode(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = alawByte(pcm[i]!);
  return out;
}
