// Wire helpers every adapter needs (telephony decoders, the AI clients, the simulators): strict
// base64, JSON without throwing, and the record check. Neutral: imports nothing of Parley.

/**
 * Decode padded base64, or undefined when the text is not valid base64. Buffer.from(s, 'base64')
 * silently skips junk (and accepts the URL alphabet), which would hide bad input; checking the
 * decoded length against the text's length catches skipped characters at native speed.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  const pad = n > 0 && text.charCodeAt(n - 1) === 61 ? (text.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return undefined;
  const buf = Buffer.from(text, 'base64');
  return buf.length === (n / 4) * 3 - pad ? buf : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
