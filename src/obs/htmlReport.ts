// A small self-contained HTML report of one call (no scripts, no external resources): the key
// figures, the two audio lanes as an inline SVG envelope with markers, and the timeline.
import type { TimelineRow } from './timeline.js';

export interface ReportModel {
  readonly title: string;
  readonly subtitle: string;
  /** Key figures, in order. */
  readonly facts: readonly (readonly [string, string])[];
  readonly rows: readonly TimelineRow[];
  /** Stereo recording: left = caller, right = what the caller heard. */
  readonly wave?: { readonly rate: number; readonly left: Int16Array; readonly right: Int16Array };
  /** Vertical markers on the waveform, ms since the call connected. */
  readonly markers: readonly { readonly t: number; readonly label: string }[];
  readonly files: readonly { readonly label: string; readonly href: string }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 960;
const LANE = 70;

function envelope(samples: Int16Array, width: number): number[] {
  const per = Math.max(1, Math.ceil(samples.length / width));
  const out: number[] = [];
  for (let x = 0; x < width; x++) {
    let peak = 0;
    for (let i = x * per; i < Math.min(samples.length, (x + 1) * per); i++) peak = Math.max(peak, Math.abs(samples[i]!));
    out.push(peak / 32768);
  }
  return out;
}

function lane(env: number[], y: number, color: string, label: string): string {
  const mid = y + LANE / 2;
  const top = env.map((v, x) => `${x},${(mid - v * (LANE / 2 - 2)).toFixed(1)}`);
  const bottom = env.map((v, x) => `${x},${(mid + v * (LANE / 2 - 2)).toFixed(1)}`).reverse();
  return `<text x="4" y="${y + 12}" class="lbl">${esc(label)}</text><line x1="0" x2="${W}" y1="${mid}" y2="${mid}" class="axis"/><polygon points="${[...top, ...bottom].join(' ')}" fill="${color}"/>`;
}

function waveSvg(m: ReportModel): string {
  const w = m.wave;
  if (!w) return '';
  const durMs = (w.left.length / w.rate) * 1000;
  const x = (t: number) => ((t / durMs) * W).toFixed(1);
  const markers = m.markers
    .filter((k) => k.t >= 0 && k.t <= durMs)
    .map((k, i) => `<line x1="${x(k.t)}" x2="${x(k.t)}" y1="0" y2="${2 * LANE + 8}" class="mk"/><text x="${x(k.t)}" y="${2 * LANE + 20 + (i % 3) * 11}" class="mkl">${esc(k.label)}</text>`)
    .join('');
  const ticks: string[] = [];
  for (let s = 0; s * 1000 <= durMs; s++) ticks.push(`<text x="${x(s * 1000)}" y="${2 * LANE + 58}" class="tick">${s}s</text>`);
  return `<svg viewBox="0 0 ${W} ${2 * LANE + 64}" width="100%" role="img" aria-label="caller and heard audio">${lane(envelope(w.left, W), 0, '#3b6ea8', 'caller')}${lane(envelope(w.right, W), LANE + 4, '#b5522b', 'heard (agent)')}${markers}${ticks.join('')}</svg>`;
}

export function renderHtmlReport(m: ReportModel): string {
  const facts = m.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const rows = m.rows.map((r) => `<tr class="${r.who}"><td class="num">${r.t.toFixed(0)}</td><td>${r.who}</td><td>${esc(r.what)}</td></tr>`).join('');
  const files = m.files.map((f) => `<li><a href="${esc(f.href)}">${esc(f.label)}</a></li>`).join('');
  const audio = m.files.find((f) => f.href.endsWith('.wav'));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; media-src 'self'; img-src 'self'">
<title>${esc(m.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}
h1{font-size:1.4em;margin-bottom:0}.sub{color:#666;margin-top:.2em}
table{border-collapse:collapse;margin:1em 0}th,td{padding:2px 10px;text-align:left;vertical-align:top}
.facts th{color:#555;font-weight:normal}.tl td{border-bottom:1px solid #eee}.num{text-align:right;font-variant-numeric:tabular-nums}
tr.caller td:nth-child(2){color:#3b6ea8}tr.parley td:nth-child(2){color:#2d7d46}tr.agent td:nth-child(2){color:#b5522b}
.lbl{font-size:11px;fill:#555}.axis{stroke:#ddd}.mk{stroke:#888;stroke-dasharray:3 3}.mkl{font-size:10px;fill:#444}.tick{font-size:10px;fill:#888}
</style></head><body>
<h1>${esc(m.title)}</h1><p class="sub">${esc(m.subtitle)}</p>
<table class="facts">${facts}</table>
${waveSvg(m)}
${audio ? `<p><audio controls src="${esc(audio.href)}"></audio></p>` : ''}
<h2>Timeline</h2><p class="sub">ms since the call connected; caller = the simulated phone, parley = the bridge, agent = the AI as Parley saw it</p>
<table class="tl"><tr><th>ms</th><th>who</th><th>what</th></tr>${rows}</table>
<h2>Files</h2><ul>${files}</ul>
</body></html>
`;
}
