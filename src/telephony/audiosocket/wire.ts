// Asterisk AudioSocket wire format (docs/reference/audiosocket.md): every message is a 3-byte
// header — kind (1 byte), payload length (16-bit big-endian) — then the payload.
export const KIND = {
  hangup: 0x00,
  uuid: 0x01,
  dtmf: 0x03,
  /** Signed linear 16-bit, 8 kHz, mono, little-endian. */
  slin: 0x10,
  error: 0xff,
} as const;

/** Higher-rate slin kinds newer Asterisk versions send (res_audiosocket.h); Parley refuses them. */
export const SLIN_HIGHER = new Set([0x11, 0x12, 0x13, 0x14]);

export const HEADER_BYTES = 3;
export const MAX_PAYLOAD = 0xffff;

export function message(kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  head.writeUInt8(kind, 0);
  head.writeUInt16BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** A 16-byte binary UUID as the usual 8-4-4-4-12 hex text. */
export function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function uuidBytes(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, ''), 'hex');
}
