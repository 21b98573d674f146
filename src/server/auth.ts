// Telephony upgrade authentication (docs/ARCHITECTURE.md#outside-contract): `Authorization: Bearer
// <token>` or `?token=`.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Constant-time comparison of two strings of any length (compares their digests). */
function same(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

/** True when no token is configured, or the request presents the configured one. */
export function isAuthorized(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (!token) return true;
  const got = presentedToken(req, url);
  return got !== undefined && same(got, token);
}
