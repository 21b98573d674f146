// `npm run bench -- framing [--sockets N] [--rounds N]`: CPU per outbound frame of the session's
// send path (TelephonyOut → encoder → ws → kernel) for each outbound framing, over real loopback
// WebSockets drained by a child process. Rounds alternate between the framings so load on the
// machine hits both alike; figures are this process's CPU time (process.cpuUsage), not wall time.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { TelephonyOut } from '../src/session/feeds/telephonyOut.js';
import type { TelephonySocket } from '../src/session/seam.js';
import { ReportedFarSide } from '../src/telephony/far-side/reported.js';
import type { OutboundFraming } from '../src/telephony/encoder-template.js';
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
    const cpuUs: Record<OutboundFraming, number[]> = { template: [], stringify: [] };
    const sysUs: Record<OutboundFraming, number[]> = { template: [], stringify: [] };
    for (let r = 0; r < rounds * 2; r++) {
      const framing: OutboundFraming = r % 2 === 0 ? 'template' : 'stringify';
      const outs = conns.map((ws, i) => ({ ws, out: new TelephonyOut(ws as unknown as TelephonySocket, new TwilioEncoder(`MZ${String(i).padStart(32, '0')}`, { framing }), new ReportedFarSide()) }));
      const t0 = process.cpuUsage();
      for (let t = 0; t < ticks; t++) {
        // One media-thread wake-up: each call sends its frame and mark in one corked write.
        for (const { ws, out } of outs) {
          const sock = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
          sock.cork();
          out.frame(payload, 1, 1, 20, t * 20);
          sock.uncork();
        }
        if (t % 50 === 49) await new Promise((res) => setImmediate(res)); // let the sockets drain
      }
      const d = process.cpuUsage(t0);
      cpuUs[framing].push((d.user + d.system) / (ticks * sockets));
      sysUs[framing].push(d.system / (ticks * sockets));
      for (const { out } of outs) out.clear(0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const t = median(cpuUs.template);
    const s = median(cpuUs.stringify);
    const os = await import('node:os');
    process.stdout.write(
      `${JSON.stringify({
        bench: 'framing',
        sockets,
        framesPerRound: ticks * sockets,
        cpuUsPerFrame: { template: Math.round(t * 100) / 100, stringify: Math.round(s * 100) / 100, ratio: Math.round((t / s) * 1000) / 1000 },
        kernelUsPerFrame: { template: Math.round(median(sysUs.template) * 100) / 100, stringify: Math.round(median(sysUs.stringify) * 100) / 100 },
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
