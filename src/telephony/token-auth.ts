// Parley's token as some platforms present it on the upgrade: in a header of their own (Telnyx's
// `x-telnyx-streaming-auth-token`) or as the password of HTTP basic auth (Exotel's
// wss://KEY:TOKEN@host URLs, Asterisk websocket_client.conf username/password). Compared in
// constant time; absent credentials fall back to the bearer token / ?token= check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthContext, AuthRequest, AuthVerdict } from './platform.js';

/** The secret these credentials are checked against: the bridge's own token. */
export const TOKEN_SECRET = 'PARLEY_AUTH_TOKEN';

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function header(req: AuthRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

/** The password of `Authorization: Basic base64(user:password)`, if that is what was sent. */
export function basicPassword(req: AuthRequest): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header(req, 'authorization') ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Checks a presented token against PARLEY_AUTH_TOKEN; undefined when no token is configured. */
export function tokenVerdict(presented: string | undefined, ctx: AuthContext, what: string): AuthVerdict | undefined {
  const expected = ctx.secret(TOKEN_SECRET);
  if (!expected) return undefined;
  if (presented === undefined) return { result: 'missing' };
  return same(presented, expected) ? { result: 'valid' } : { result: 'invalid', detail: `${what} does not match PARLEY_AUTH_TOKEN` };
}

export const headerTokenAuth =
  (name: string) =>
  (req: AuthRequest, ctx: AuthContext): AuthVerdict | undefined =>
    tokenVerdict(header(req, name), ctx, `${name} header`);

export const basicAuth = (req: AuthRequest, ctx: AuthContext): AuthVerdict | undefined => tokenVerdict(basicPassword(req), ctx, 'basic-auth password');
