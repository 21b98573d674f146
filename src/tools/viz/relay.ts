// `parley viz --inspect <ws-url>`: the page's /live socket is relayed to the bridge's /inspect,
// one upstream connection per page. The relay holds the token (Authorization: Bearer), so it
// never reaches the browser. Upstream frames pass through untouched; the relay adds its own
// status messages ({type:'relay', state}) and reconnects with backoff while the page stays.
import { WebSocket } from 'ws';

export type RelayState = 'off' | 'connecting' | 'open' | 'closed';

export interface RelayMessage {
  readonly type: 'relay';
  readonly state: RelayState;
  readonly url?: string;
  readonly detail?: string;
}

export interface RelayOptions {
  /** ws:// or wss:// URL of the bridge's /inspect; undefined: live view off. */
  readonly url: string | undefined;
  readonly token?: string;
  /** Reconnect delays in ms; the last one repeats. */
  readonly backoffMs?: readonly number[];
}

/** Parses and checks an --inspect URL, with a clear message for the usual mistakes. */
export function checkInspectUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`--inspect: '${raw}' is not a URL; expected ws://<host>:<port>/inspect`);
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`--inspect: unsupported scheme '${u.protocol}'; use ws:// or wss://`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/inspect';
  if (u.searchParams.has('token')) throw new Error('--inspect: do not put the token in the URL; set PARLEY_AUTH_TOKEN');
  return u.toString();
}

/** Relays one page socket; returns when both sides are closed. */
export function relayPage(page: WebSocket, opts: RelayOptions): void {
  const send = (m: RelayMessage): void => {
    if (page.readyState === WebSocket.OPEN) page.send(JSON.stringify([m]));
  };
  if (!opts.url) {
    send({ type: 'relay', state: 'off', detail: 'live view off: start `parley viz --inspect ws://<bridge>:<port>/inspect`' });
    return;
  }
  const url = opts.url;
  const backoff = opts.backoffMs ?? [500, 1000, 2000, 5000];
  let attempt = 0;
  let upstream: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pageOpen = true;

  const connect = (): void => {
    send({ type: 'relay', state: 'connecting', url });
    const ws = new WebSocket(url, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {}, handshakeTimeout: 5000 });
    upstream = ws;
    let detail = '';
    ws.on('unexpected-response', (_req, res) => {
      detail = res.statusCode === 401 ? 'bridge refused: HTTP 401 (set PARLEY_AUTH_TOKEN to the bridge token)' : `bridge answered HTTP ${res.statusCode}`;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      attempt = 0;
      send({ type: 'relay', state: 'open', url });
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary && page.readyState === WebSocket.OPEN) page.send(data.toString());
    });
    ws.on('error', (err) => {
      detail ||= err.message;
    });
    ws.on('close', () => {
      if (upstream !== ws) return;
      upstream = undefined;
      if (!pageOpen) return;
      send({ type: 'relay', state: 'closed', url, detail: detail || 'bridge closed the stream' });
      const delay = backoff[Math.min(attempt, backoff.length - 1)] ?? 5000;
      attempt += 1;
      timer = setTimeout(connect, delay);
    });
  };

  page.on('close', () => {
    pageOpen = false;
    if (timer) clearTimeout(timer);
    upstream?.close();
    upstream = undefined;
  });
  page.on('message', () => send({ type: 'relay', state: upstream ? 'open' : 'closed', url, detail: 'the live stream is read-only' }));
  page.on('error', () => page.terminate());
  connect();
}
