// Prometheus text exposition → samples, and the few queries the benches need. Scrapes use a
// fresh connection each time (no keep-alive) so the scrape itself leaves no socket behind in
// the server's handle counts.
import { get } from 'node:http';

export type Samples = Map<string, number>;

export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const i = l.lastIndexOf(' ');
    out.set(l.slice(0, i), Number(l.slice(i + 1)));
  }
  return out;
}

export function scrape(base: string): Promise<Samples> {
  return new Promise((resolve, reject) => {
    const req = get(`${base}/metrics`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(parseMetrics(text)));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('scrape timed out')));
  });
}

/** Sum of a metric's samples whose labels include all of `labels`. */
export function value(s: Samples, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [k, v] of s) {
    const brace = k.indexOf('{');
    const n = brace < 0 ? k : k.slice(0, brace);
    if (n !== name) continue;
    if (Object.entries(labels).every(([lk, lv]) => k.includes(`${lk}="${lv}"`))) sum += v;
  }
  return sum;
}

/** A metric's samples by one label's value (non-zero only). */
export function byLabel(s: Samples, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`^${name}\\{.*${label}="([^"]+)"`);
  for (const [k, v] of s) {
    const m = re.exec(k);
    if (m && v !== 0) out[m[1]!] = (out[m[1]!] ?? 0) + v;
  }
  return out;
}
