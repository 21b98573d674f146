// One events POST over node:http(s), not fetch: Node's fetch parses HTTP with a WebAssembly build
// of llhttp, compiled synchronously on the first connection and instantiated per connection,
// which stalled the event loop (and so every call's audio) for tens to hundreds of ms when a
// webhook server held its connections open. node:http parses in native code.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The status code, or why there is none: 'timeout', 'network' or 'aborted'. */
export function postJson(url: string, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number, signal: AbortSignal): Promise<number | 'timeout' | 'network' | 'aborted'> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: number | 'timeout' | 'network' | 'aborted') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res: IncomingMessage) => {
        res.resume(); // the body is not read, only drained
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(res.statusCode ?? 0));
      },
    );
    const timer = setTimeout(() => {
      done('timeout');
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      done('aborted');
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', () => done('network'));
    req.end(body);
  });
}
