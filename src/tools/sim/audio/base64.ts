// The simulators' own strict base64 reading (RFC 4648 §4, padded, standard alphabet), kept apart
// from Parley's decoder so a decoding bug in Parley cannot be agreed with by its own test doubles.
// Node's Buffer.from(s, 'base64') skips junk silently; the far sides reject it, so do we.

const isAlphabet = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 47; /* / */

/** Decoded length of strict padded base64, else undefined. */
export function strictBase64Length(text: string): number | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  const pad = n >= 2 && text.charCodeAt(n - 2) === 61 ? 2 : n >= 1 && text.charCodeAt(n - 1) === 61 ? 1 : 0;
  if (pad === 2 && text.charCodeAt(n - 1) !== 61) return undefined;
  for (let i = 0; i < n - pad; i++) if (!isAlphabet(text.charCodeAt(i))) return undefined;
  return (n / 4) * 3 - pad;
}

/** The decoded bytes, or undefined when `text` is not strict padded base64. */
export function strictBase64(text: string): Buffer | undefined {
  return strictBase64Length(text) === undefined ? undefined : Buffer.from(text, 'base64');
}
