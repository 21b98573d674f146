// `npm run bench -- framing [--sockets N] [--rounds N]`: CPU per outbound frame of the session's
// send path (TelephonyOut → encoder → ws → kernel) for each outbound framing, over real loopback
// WebSockets drained by a child process. Rounds alternate between the framings so load on the
// machine hits both alike; figures are this process's CPU time (process.cpuUsage), not wall time.
// 'template' is Parley's default path (TelephonyOut writes a frame and its mark as finished
// frames in one socket write); 'one-write' collects a whole tick's messages per socket into one
// write; 'stringify' is ws.send per JSON.stringify'd message, the earlier path.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { TelephonyOut } from '../src/session/feeds/telephonyOut.js';
import type { TelephonySocket } from '../src/session/seam.js';
import { ReportedFarSide } from '../src/telephony/far-side/reported.js';
import { textFrames, type OutboundFraming } from '../src/telephony/encoder-template.js';
import { TwilioEncoder } from '../src/telephony/twilio/encoder.js';

const DRAIN = `
const { WebSocket } = require('ws');
const [url, n] = process.argv.slice(1);
let open = 0;
for (let i = 0; i < Number(n); i++) {
  const ws = new WebSocket(url);
  ws.on('open', () => { if (++open === Number(n)) process.stdout.write('open\\n'); });
  ws.on('message', () => {});
}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { sockets: { type: 'string' }, rounds: { type: 'string' }, frames: { type: 'string' } } });
  const sockets = Number(values.sockets ?? 50);
  const rounds = Number(values.rounds ?? 6);
  const ticks = Number(values.frames ?? 400); // frames per socket per round
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const port = (wss.address() as { port: number }).port;
  const conns: WebSocket[] = [];
  wss.on('connection', (ws) => conns.push(ws));
  const child = spawn(process.execPath, ['-e', DRAIN, `ws://127.0.0.1:${port}`, String(sockets)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout!, 'data');
    while (conns.length < sockets) await new Promise((r) => setTimeout(r, 10));
    const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff));
    type Mode = OutboundFraming | 'one-write';
    const modes: Mode[] = ['template', 'stringify', 'one-write'];
    const cpuUs: Record<Mode, number[]> = { template: [], stringify: [], 'one-write': [] };
    const sysUs: Record<Mode, number[]> = { template: [], stringify: [], 'one-write': [] };
    for (let r = 0; r < rounds * modes.length; r++) {
      const mode = modes[r % modes.length]!;
      const framing: OutboundFraming = mode === 'stringify' ? 'stringify' : 'template';
      const outs = conns.map((ws, i) => {
        const sock = (ws as unknown as { _socket: { write(b: Buffer): void } })._socket;
        const target: TelephonySocket = mode === 'one-write' ? oneWriteSocket(ws, sock) : (ws as unknown as TelephonySocket);
        const writeFrames = mode === 'template' ? (b: Buffer) => sock.write(b) : undefined;
        return { ws, target, out: new TelephonyOut(target, new TwilioEncoder(`MZ${String(i).padStart(32, '0')}`, { framing }), new ReportedFarSide(), undefined, writeFrames) };
      });
      const t0 = process.cpuUsage();
      for (let t = 0; t < ticks; t++) {
        // One media-thread wake-up: each call sends its frame and mark in one corked write.
        for (const { ws, target, out } of outs) {
          const sock = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
          sock.cork();
          out.frame(payload, 1, 1, 20, t * 20);
          (target as Partial<{ flush(): void }>).flush?.();
          sock.uncork();
        }
        if (t % 50 === 49) await new Promise((res) => setImmediate(res)); // let the sockets drain
      }
      const d = process.cpuUsage(t0);
      cpuUs[mode].push((d.user + d.system) / (ticks * sockets));
      sysUs[mode].push(d.system / (ticks * sockets));
      // A frame the far end refused would close its socket and make later sends free: check.
      for (const { ws, out } of outs) if (out.framesSent !== ticks || ws.readyState !== ws.OPEN) throw new Error(`${mode}: ${out.framesSent}/${ticks} frames sent, socket state ${ws.readyState}`);
      for (const { out } of outs) out.clear(0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const t = median(cpuUs.template);
    const s = median(cpuUs.stringify);
    const w = median(cpuUs['one-write']);
    const os = await import('node:os');
    process.stdout.write(
      `${JSON.stringify({
        bench: 'framing',
        sockets,
        framesPerRound: ticks * sockets,
        cpuUsPerFrame: { template: r2(t), stringify: r2(s), oneWrite: r2(w), templateVsStringify: Math.round((t / s) * 1000) / 1000, oneWriteVsStringify: Math.round((w / s) * 1000) / 1000 },
        kernelUsPerFrame: { template: r2(median(sysUs.template)), stringify: r2(median(sysUs.stringify)), oneWrite: r2(median(sysUs['one-write'])) },
        rounds: cpuUs,
        note: 'CPU µs of this process per outbound frame (media + mark, Twilio), median over rounds; includes ws framing and the socket write',
        loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      })}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    for (const c of conns) c.terminate();
    wss.close();
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** A socket whose text messages collect into one Buffer of finished frames, written at flush. */
function oneWriteSocket(ws: WebSocket, sock: { write(b: Buffer): void }): TelephonySocket & { flush(): void } {
  let pending: string[] = [];
  return {
    OPEN: ws.OPEN,
    CONNECTING: ws.CONNECTING,
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (frame) => void pending.push(frame as string),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    flush() {
      sock.write(textFrames(pending));
      pending = [];
    },
  };
}
