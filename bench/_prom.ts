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

/** histogram_quantile over cumulative buckets (upper-bound interpolation like Prometheus). */
export function histQuantile(s: Samples, name: string, q: number): number | null {
  const buckets = [...s]
    .filter(([k]) => k.startsWith(`${name}_bucket{`))
    .map(([k, v]) => ({ le: k.includes('le="+Inf"') ? Infinity : Number(/le="([^"]+)"/.exec(k)![1]), v }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.v ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevV = 0;
  for (const b of buckets) {
    if (b.v >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevV)) / Math.max(1e-9, b.v - prevV);
    }
    prevLe = b.le;
    prevV = b.v;
  }
  return prevLe;
}
