// Renders DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no system package,
// and the same bytes on every machine for the same input.
import { instance } from '@viz-js/viz';

type Viz = Awaited<ReturnType<typeof instance>>;
let viz: Promise<Viz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const svg = (await viz).renderString(dot, { format: 'svg' });
  return svg.endsWith('\n') ? svg : `${svg}\n`;
}
