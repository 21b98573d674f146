// Twilio request signatures (X-Twilio-Signature) on the /twilio WebSocket upgrade: base64 of
// HMAC-SHA1, keyed with the account's auth token, over the URL Twilio connected to (scheme,
// host, path and query; an upgrade has no POST parameters). Behind TLS termination or a load
// balancer the URL Parley sees is not the one Twilio signed, so the public base URL can be
// configured; otherwise wss:// and the Host header are assumed (Twilio streams only over wss).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthRequest } from '../platform.js';

export const SIGNATURE_HEADER = 'x-twilio-signature';

export function twilioSignature(authToken: string, url: string): string {
  return createHmac('sha1', authToken).update(url, 'utf8').digest('base64');
}

/** The URLs Twilio may have signed for this request: with and without the default port. */
export function signedUrlCandidates(req: Pick<AuthRequest, 'headers' | 'url'>, publicUrl: string | undefined): string[] {
  const base = new URL(publicUrl ?? `wss://${String(req.headers['host'] ?? 'localhost')}`);
  const path = new URL(req.url || '/', 'http://parley.invalid');
  // A public URL with a path prefix (a reverse proxy's mount point) keeps it.
  const prefix = base.pathname.replace(/\/+$/, '');
  const target = `${base.protocol}//${base.host}${prefix}${path.pathname}${path.search}`;
  if (base.port) return [target];
  const defaultPort = base.protocol === 'wss:' || base.protocol === 'https:' ? 443 : 80;
  return [target, `${base.protocol}//${base.hostname}:${defaultPort}${prefix}${path.pathname}${path.search}`];
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** Checks the request's X-Twilio-Signature against the auth token, in constant time per candidate. */
export function checkTwilioSignature(req: Pick<AuthRequest, 'headers' | 'url'>, authToken: string, publicUrl: string | undefined): SignatureCheck {
  const got = req.headers[SIGNATURE_HEADER];
  if (typeof got !== 'string' || got.length === 0) return 'missing';
  const presented = Buffer.from(got, 'utf8');
  let ok = false;
  for (const url of signedUrlCandidates(req, publicUrl)) {
    const want = Buffer.from(twilioSignature(authToken, url), 'utf8');
    if (want.length === presented.length && timingSafeEqual(want, presented)) ok = true;
  }
  return ok ? 'valid' : 'invalid';
}
