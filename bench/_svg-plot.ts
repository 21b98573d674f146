// A small, dependency-free SVG plot: stacked panels sharing the x axis (time), each with one or
// more series, its own y range, ticks and a legend. Enough for the soak bench's report.
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
  /** Optional horizontal marker (e.g. a budget), drawn dashed. */
  readonly marker?: { readonly y: number; readonly label: string };
  /** A shaded x range (e.g. the warm-up). */
  readonly shade?: { readonly from: number; readonly to: number; readonly label: string };
}

const W = 900;
const PANEL_H = 170;
const M = { left: 70, right: 20, top: 30, bottom: 30 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function plotSvg(title: string, xLabel: string, panels: readonly Panel[]): string {
  const allX = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)));
  const x0 = Math.min(0, ...allX);
  const x1 = Math.max(x0 + 1e-9, ...allX);
  const plotW = W - M.left - M.right;
  const H = M.top + panels.length * (PANEL_H + M.bottom) + 20;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * plotW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((p, i) => {
    const top = M.top + i * (PANEL_H + M.bottom);
    const ys = p.series.flatMap((s) => s.points.map(([, y]) => y)).concat(p.marker ? [p.marker.y] : []);
    const yMax = niceMax(Math.max(0, ...ys) * 1.05);
    const sy = (y: number) => top + PANEL_H - (y / yMax) * PANEL_H;
    out.push(`<text x="${M.left}" y="${top - 6}" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`);
    if (p.shade) {
      out.push(`<rect x="${sx(p.shade.from)}" y="${top}" width="${Math.max(0, sx(p.shade.to) - sx(p.shade.from))}" height="${PANEL_H}" fill="#eee"/>`);
      out.push(`<text x="${sx(p.shade.from) + 4}" y="${top + PANEL_H - 6}" fill="#888">${esc(p.shade.label)}</text>`);
    }
    out.push(`<rect x="${M.left}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
    for (let k = 0; k <= 4; k++) {
      const v = (yMax * k) / 4;
      out.push(`<line x1="${M.left - 4}" x2="${M.left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/>`);
      out.push(`<text x="${M.left - 6}" y="${sy(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
    for (let k = 0; k <= 6; k++) {
      const x = x0 + ((x1 - x0) * k) / 6;
      out.push(`<text x="${sx(x)}" y="${top + PANEL_H + 14}" text-anchor="middle">${fmt(x)}</text>`);
    }
    if (p.marker) {
      out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${sy(p.marker.y)}" y2="${sy(p.marker.y)}" stroke="#c00" stroke-dasharray="5,4"/>`);
      out.push(`<text x="${M.left + plotW - 4}" y="${sy(p.marker.y) - 4}" text-anchor="end" fill="#c00">${esc(p.marker.label)}</text>`);
    }
    p.series.forEach((s, j) => {
      if (s.points.length > 0) {
        const d = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
        out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
      }
      out.push(`<rect x="${M.left + 10 + j * 170}" y="${top + 6}" width="10" height="10" fill="${s.color}"/>`);
      out.push(`<text x="${M.left + 24 + j * 170}" y="${top + 15}">${esc(s.name)}</text>`);
    });
  });
  out.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
