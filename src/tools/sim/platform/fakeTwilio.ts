// A stand-in for Twilio's REST API, for tests and offline runs (PARLEY_TWILIO_API_URL): it
// answers the Call resource update — POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json,
// form-encoded, HTTP basic auth (the account's auth token or one of its API keys) — as Twilio documents it (docs/reference/twilio-rest.md): 200
// with the call resource, 401 on bad credentials (error 20003), 404 for an unknown call (20404),
// and whatever failure a test asks for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioUpdate {
  readonly accountSid: string;
  readonly callSid: string;
  readonly form: Readonly<Record<string, string>>;
  readonly at: number;
}

export interface FakeTwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** API keys of the account (SID SK…, secret): also accepted as basic auth user/password. */
  readonly apiKeys?: readonly { readonly sid: string; readonly secret: string }[];
  /** CallSids that exist (default: any). */
  readonly knownCalls?: readonly string[];
}

export interface FakeTwilio {
  readonly url: string;
  /** Every accepted update, in order. */
  readonly updates: TwilioUpdate[];
  /** Requests refused (auth, shape), with their HTTP status. */
  readonly refused: number[];
  /** The next n updates answer this status (Twilio's error body) instead of 200. */
  failNext(status: number, n?: number): void;
  /** The next n updates are never answered (the client's timeout must fire). */
  stallNext(n?: number): void;
  close(): Promise<void>;
}

const PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Calls\/([A-Za-z0-9]+)\.json$/;

export async function startFakeTwilio(opts: FakeTwilioOptions): Promise<FakeTwilio> {
  const updates: TwilioUpdate[] = [];
  const refused: number[] = [];
  let fail: { status: number; n: number } | undefined;
  let stall = 0;
  const error = (res: ServerResponse, status: number, code: number, message: string) => {
    refused.push(status);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const m = PATH.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return error(res, 404, 20404, 'The requested resource was not found');
    // Basic auth with the account SID and auth token, or with one of the account's API keys.
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const credentials = [basic(opts.accountSid, opts.authToken), ...(opts.apiKeys ?? []).map((k) => basic(k.sid, k.secret))];
    if (!credentials.includes(req.headers.authorization ?? '') || m[1] !== opts.accountSid) return error(res, 401, 20003, 'Authenticate');
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return error(res, 400, 20001, 'Unsupported content type');
    if (opts.knownCalls && !opts.knownCalls.includes(m[2]!)) return error(res, 404, 20404, `The requested resource /Calls/${m[2]}.json was not found`);
    const form = Object.fromEntries(new URLSearchParams(body));
    if (stall > 0) {
      stall--;
      return; // never answered
    }
    if (fail && fail.n > 0) {
      fail.n--;
      return error(res, fail.status, fail.status === 400 ? 21220 : 20500, fail.status === 400 ? 'Call is not in-progress. Cannot redirect.' : 'Internal Server Error');
    }
    updates.push({ accountSid: m[1]!, callSid: m[2]!, form, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: m[2], account_sid: m[1], status: form['Status'] ?? 'in-progress', api_version: '2010-04-01' }));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    updates,
    refused,
    failNext: (status, n = 1) => (fail = { status, n }),
    stallNext: (n = 1) => (stall = n),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
