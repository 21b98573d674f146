// An HTTP tool whose requests the model-based tests answer by hand: each request is held until
// the test releases it (the output arrives when the test says), and a request the runtime aborts
// (the call ended) is forgotten.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class HeldTool {
  private readonly held: ServerResponse[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HeldTool> {
    let tool: HeldTool | undefined;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => tool!.hold(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tool = new HeldTool(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/tool`);
    return tool;
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.held.filter((r) => !r.destroyed).length;
  }

  /** Answers the oldest held request (waiting up to `timeoutMs` for one to arrive). */
  async releaseNext(timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.held.findIndex((r) => !r.destroyed);
      if (i >= 0) {
        const [res] = this.held.splice(i, 1);
        res!.setHeader('content-type', 'application/json');
        res!.end(JSON.stringify({ output: { status: 'shipped' } }));
        return;
      }
      if (Date.now() > end) throw new Error('no tool request to answer');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  async close(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private hold(res: ServerResponse): void {
    this.held.push(res);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
