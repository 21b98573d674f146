// A client of /inspect (the live machine steps of every call) that reports when a call's AI
// link enters a state — the chaos bench hangs callers up while their link is in backoff.
import { WebSocket } from 'ws';
import type { InspectMessage } from '../src/obs/inspect/protocol.js';

export interface InspectWatch {
  /** Step messages the bridge dropped because this client fell behind. */
  readonly dropped: number;
  close(): void;
}

export function watchMachineState(base: string, machine: string, state: string, onEnter: (callId: string) => void): Promise<InspectWatch> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/inspect`);
    let dropped = 0;
    ws.on('message', (data) => {
      let msgs: InspectMessage[];
      try {
        msgs = JSON.parse(String(data)) as InspectMessage[];
      } catch {
        return;
      }
      for (const m of msgs) {
        if (m.type === 'dropped') dropped += m.count;
        if (m.type === 'step' && m.machine === machine && m.changed && m.to === state) onEnter(m.callId);
      }
    });
    ws.once('open', () =>
      resolve({
        get dropped() {
          return dropped;
        },
        close: () => ws.close(),
      }),
    );
    ws.once('error', reject);
  });
}
