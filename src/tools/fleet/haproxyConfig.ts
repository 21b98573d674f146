// Renders deploy/haproxy/haproxy.cfg.tmpl, the load-balancer configuration the fleet bench runs
// and the README documents: one file, so what is measured is what operators deploy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../gen/repoRoot.js';

export const HAPROXY_TEMPLATE = join(repoRoot(), 'deploy/haproxy/haproxy.cfg.tmpl');

export interface Backend {
  /** HAProxy server name; also how the fleet result names the instance. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface HaproxyConfigOptions {
  /** `bind` argument of the telephony frontend, e.g. `127.0.0.1:8080`. */
  readonly bind: string;
  /** `bind` argument of the stats page. */
  readonly statsBind: string;
  readonly backends: readonly Backend[];
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** The template with every placeholder filled; throws on a bad name or an unknown placeholder. */
export function renderHaproxyConfig(opts: HaproxyConfigOptions, template = readFileSync(HAPROXY_TEMPLATE, 'utf8')): string {
  if (opts.backends.length === 0) throw new Error('haproxy config: at least one backend is needed');
  const seen = new Set<string>();
  for (const b of opts.backends) {
    if (!NAME.test(b.name)) throw new Error(`haproxy config: bad server name '${b.name}' (letters, digits, _ . -)`);
    if (seen.has(b.name)) throw new Error(`haproxy config: duplicate server name '${b.name}'`);
    seen.add(b.name);
    if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65_535) throw new Error(`haproxy config: bad port ${b.port} for ${b.name}`);
  }
  const values: Record<string, string> = {
    bind: opts.bind,
    stats_bind: opts.statsBind,
    servers: opts.backends.map((b) => `    server ${b.name} ${b.host}:${b.port}`).join('\n'),
  };
  const used = new Set<string>();
  const text = template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`haproxy config: unknown placeholder ${whole} in the template`);
    used.add(key);
    return v;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`haproxy config: the template lacks {{${unused.join('}}, {{')}}}`);
  return text;
}
