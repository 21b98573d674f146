// `response.create`'s `response.metadata` as the GA API takes it (up to 16 string pairs), echoed
// in the response object of response.created / response.done (Parley tells its tool-output
// responses apart by it).

/** response.create's `response.metadata`: up to 16 string pairs (keys ≤ 64, values ≤ 512 chars), or the API's complaint. */
export function responseMetadata(response: unknown): Readonly<Record<string, string>> | undefined | string {
  if (typeof response !== 'object' || response === null) return undefined;
  const m = (response as Record<string, unknown>)['metadata'];
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) return 'metadata must be an object of strings';
  const entries = Object.entries(m as Record<string, unknown>);
  if (entries.length > 16) return 'metadata has more than 16 keys';
  for (const [k, v] of entries) if (k.length > 64 || typeof v !== 'string' || v.length > 512) return `invalid metadata entry '${k.slice(0, 64)}'`;
  return m as Record<string, string>;
}

export function withMetadata(ev: Record<string, unknown>, metadata: Readonly<Record<string, string>>): Record<string, unknown> {
  const r = ev['response'];
  return typeof r === 'object' && r !== null ? { ...ev, response: { ...(r as Record<string, unknown>), metadata } } : ev;
}
