// The load-balancer configuration operators deploy (deploy/haproxy/haproxy.cfg.tmpl): rendered,
// accepted by the real HAProxy, routing and checks as documented; the log and stats parsers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { checkHaproxyConfig, ensureHaproxy, parseLbLine, parseStatsCsv } from '../../src/tools/fleet/haproxy.js';
import { renderHaproxyConfig } from '../../src/tools/fleet/haproxyConfig.js';
import { metricSum } from '../../src/tools/fleet/promText.js';

const backends = [
  { name: 'p1', host: '127.0.0.1', port: 18081 },
  { name: 'p2', host: '127.0.0.1', port: 18082 },
];
const render = () => renderHaproxyConfig({ bind: '127.0.0.1:18080', statsBind: '127.0.0.1:18090', backends });

describe('haproxy template', () => {
  it('renders every placeholder and one server line per instance', () => {
    const cfg = render();
    expect(cfg).not.toMatch(/\{\{/);
    expect(cfg).toContain('    server p1 127.0.0.1:18081\n    server p2 127.0.0.1:18082');
    expect(cfg).toMatch(/bind 127\.0\.0\.1:18080\n/);
  });

  it('routes only the telephony paths, by least connections, health-checked on /readyz', () => {
    const cfg = render();
    const { port } = loadConfig({ env: {} });
    expect(port).toBe(8080); // the README's fleet example uses the default port
    expect(cfg).toMatch(/acl telephony path \/twilio \/audio-stream\n/);
    expect(cfg).toMatch(/http-request deny deny_status 404 unless telephony/);
    expect(cfg).toMatch(/balance leastconn/);
    expect(cfg).toMatch(/option httpchk GET \/readyz/);
    expect(cfg).toMatch(/retry-on 503 conn-failure/);
    expect(cfg).toMatch(/timeout tunnel \d+h/);
  });

  it('is accepted by haproxy -c', () => {
    const bin = ensureHaproxy();
    const dir = mkdtempSync(join(tmpdir(), 'parley-haproxy-'));
    const path = join(dir, 'haproxy.cfg');
    writeFileSync(path, render());
    expect(checkHaproxyConfig(bin, path)).toBeNull();
    writeFileSync(path, render().replace('balance leastconn', 'balance no-such-algorithm'));
    expect(checkHaproxyConfig(bin, path)).toMatch(/balance only supports/);
  });

  it('rejects bad server names, duplicates, ports and unknown placeholders', () => {
    const b = backends[0]!;
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends: [] })).toThrow(/at least one backend/);
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends: [{ ...b, name: 'a b' }] })).toThrow(/bad server name/);
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends: [b, b] })).toThrow(/duplicate/);
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends: [{ ...b, port: 0 }] })).toThrow(/bad port/);
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends }, 'bind {{bind}} {{nope}}')).toThrow(/unknown placeholder \{\{nope\}\}/);
    expect(() => renderHaproxyConfig({ bind: 'x', statsBind: 'y', backends }, 'bind {{bind}}')).toThrow(/lacks \{\{stats_bind\}\}, \{\{servers\}\}/);
  });
});

describe('haproxy log and stats parsing', () => {
  it('reads an upgrade line, with and without a redispatch', () => {
    const l = parseLbLine('parley-lb 127.0.0.1:5555 GET /twilio?fleet=fleet-7 parley/p2 101 0 0/0/3', 42);
    expect(l).toEqual({ at: 42, client: '127.0.0.1:5555', method: 'GET', uri: '/twilio?fleet=fleet-7', backend: 'parley', server: 'p2', status: 101, retries: 0 });
    expect(parseLbLine('parley-lb 127.0.0.1:5556 GET /audio-stream parley/p1 101 +1 0/0/2', 0)?.retries).toBe(1);
    expect(parseLbLine('parley-lb 127.0.0.1:5557 GET /twilio parley/<NOSRV> 503 -1 -1/-1/-1', 0)).toMatchObject({ server: '<NOSRV>', status: 503 });
    expect(parseLbLine('[WARNING] something else', 0)).toBeUndefined();
  });

  it('reads the stats CSV by column name', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,hrsp_5xx',
      'parley,p1,0,0,3,9,,40,1,2,0,0,,0,0,2,1,UP,0',
      'parley,BACKEND,0,0,3,9,,40,1,2,0,0,,0,0,2,1,UP,5',
      '',
    ].join('\n');
    const rows = parseStatsCsv(csv);
    expect(rows[0]).toEqual({ proxy: 'parley', name: 'p1', status: 'UP', currentSessions: 3, totalSessions: 40, retries: 2, redispatches: 1, responses5xx: 0 });
    expect(rows[1]!.responses5xx).toBe(5);
    expect(() => parseStatsCsv('# pxname,svname\n')).toThrow(/no column status/);
  });

  it('sums a metric over its label sets, and not a longer name with the same prefix', () => {
    const text = [
      '# HELP parley_calls_active calls in progress',
      'parley_calls_active{protocol="twilio"} 3',
      'parley_calls_active{protocol="audio-stream"} 4',
      'parley_calls_active_total 100',
      'parley_media_saturation 0.25',
    ].join('\n');
    expect(metricSum(text, 'parley_calls_active')).toBe(7);
    expect(metricSum(text, 'parley_media_saturation')).toBe(0.25);
    expect(metricSum(text, 'parley_missing')).toBeUndefined();
  });
});
