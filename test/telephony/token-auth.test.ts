// The token as Telnyx (a header) and Exotel / Asterisk (basic auth) present it.
import { describe, expect, it } from 'vitest';
import { basicAuth, basicPassword, headerTokenAuth } from '../../src/telephony/token-auth.js';
import type { AuthContext, AuthRequest } from '../../src/telephony/platform.js';

const ctx = (token?: string): AuthContext => ({ publicUrl: undefined, secret: (n) => (n === 'PARLEY_AUTH_TOKEN' ? token : undefined) });
const req = (headers: Record<string, string>): AuthRequest => ({ headers, url: '/x', remoteAddress: '127.0.0.1' });
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('platform token credentials', () => {
  it('basic auth: the password is the token', () => {
    expect(basicPassword(req({ authorization: basic('key', 'p:a:ss') }))).toBe('p:a:ss');
    expect(basicPassword(req({ authorization: 'Bearer x' }))).toBeUndefined();
    expect(basicAuth(req({ authorization: basic('k', 'sekret') }), ctx('sekret'))).toEqual({ result: 'valid' });
    expect(basicAuth(req({ authorization: basic('k', 'nope') }), ctx('sekret'))?.result).toBe('invalid');
    expect(basicAuth(req({}), ctx('sekret'))).toEqual({ result: 'missing' });
    expect(basicAuth(req({ authorization: basic('k', 'x') }), ctx())).toBeUndefined();
  });

  it('a header token (Telnyx x-telnyx-streaming-auth-token)', () => {
    const auth = headerTokenAuth('x-telnyx-streaming-auth-token');
    expect(auth(req({ 'x-telnyx-streaming-auth-token': 'sekret' }), ctx('sekret'))).toEqual({ result: 'valid' });
    expect(auth(req({ 'x-telnyx-streaming-auth-token': 'sekre' }), ctx('sekret'))?.result).toBe('invalid');
    expect(auth(req({}), ctx('sekret'))).toEqual({ result: 'missing' });
  });
});
