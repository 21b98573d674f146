// Allocating G.711 helpers for the simulators, over the product's reference codec
// (media/index.ts) so there is one G.711 implementation in TypeScript.
import { alawDecode as alawDecodeInto, alawEncode as alawEncodeInto, ulawDecode, ulawEncode } from '../../media/index.js';

export function mulawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  ulawDecode(bytes, out);
  return out;
}

export function alawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  alawDecodeInto(bytes, out);
  return out;
}

export function mulawEncode(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length);
  ulawEncode(pcm, out);
  return out;
}

export function alawEncode(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length);
  alawEncodeInto(pcm, out);
  return out;
}
