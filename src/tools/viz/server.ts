// `parley viz`'s local web server: the page, its scripts (served from src/tools/viz/client, nothing
// from the network: the CSP forbids it), the page model as JSON, and the /live relay.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { buildPageModel, type PageModel } from './model.js';
import { pageHtml } from './page.js';
import { relayPage } from './relay.js';

export interface VizServerOptions {
  readonly root: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly ref?: string;
  readonly order?: readonly string[];
  /** The bridge's /inspect URL to relay at /live. */
  readonly inspectUrl?: string;
  readonly inspectToken?: string;
}

const CLIENT_DIR = 'src/tools/viz/client';
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export class VizServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly assets: ReadonlyMap<string, string>;

  constructor(private readonly opts: VizServerOptions) {
    const dir = join(opts.root, CLIENT_DIR);
    if (!existsSync(dir)) throw new Error(`${CLIENT_DIR} not found under ${opts.root}`);
    // A fixed list read once: nothing outside it can be requested (no path traversal).
    this.assets = new Map(readdirSync(dir).filter((f) => /^[a-z][a-z0-9-]*\.(js|css)$/.test(f)).map((f) => [f, join(dir, f)]));
    this.http = createServer((req, res) => {
      this.request(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.http.on('upgrade', (req, socket, head) => {
      socket.on('error', () => {});
      if ((req.url ?? '').split('?')[0] !== '/live') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        relayPage(ws, { url: opts.inspectUrl, ...(opts.inspectToken ? { token: opts.inspectToken } : {}) }),
      );
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo | null)?.port ?? 0;
  }

  get url(): string {
    const host = this.opts.host ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}/`;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  /** The page model, rebuilt per request so a reload shows the latest `npm run gen`. */
  model(): Promise<PageModel> {
    return buildPageModel({
      root: this.opts.root,
      ...(this.opts.ref !== undefined ? { ref: this.opts.ref } : {}),
      ...(this.opts.order ? { order: this.opts.order } : {}),
      live: this.opts.inspectUrl !== undefined,
    });
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) return void res.end();
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      return void res.end();
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      return void res.end(pageHtml());
    }
    if (path === '/api/model') {
      const body = JSON.stringify(await this.model());
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      return void res.end(body);
    }
    const asset = /^\/client\/([^/]+)$/.exec(path)?.[1];
    const file = asset ? this.assets.get(asset) : undefined;
    if (asset && file) {
      res.writeHead(200, { ...headers, 'content-type': TYPES[asset.split('.').pop() ?? ''] ?? 'application/octet-stream' });
      return void res.end(readFileSync(file));
    }
    res.writeHead(404, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `not found: ${path}` }));
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'viz server closing');
    this.wss.close();
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
