// deploy/k8s (plain YAML + kustomization) against the code: the ports, probe paths and metric
// names the server really serves, the env names and values the config loader accepts, the grace
// period against the drain deadline, and the objects wired to each other by name and labels.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_BINDINGS, loadConfig, settings } from '../../src/config/index.js';
import { Metrics } from '../../src/obs/index.js';
import { BACKSTOP_MS } from '../../src/server/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';

const DIR = join(process.cwd(), 'deploy/k8s');
// Parsed YAML, navigated field by field: a wrong path reads undefined and fails the assertion.
type Obj = Record<string, any>;

const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as Obj;
const docs: Obj[] = (kustomization['resources'] as string[]).flatMap((f) =>
  parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJSON() as Obj;
  }),
);
const one = (kind: string): Obj => {
  const found = docs.filter((d) => d['kind'] === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
};
const deployment = one('Deployment');
const pod = deployment['spec']['template'] as Obj;
const container = (pod['spec']['containers'] as Obj[])[0]!;
const configMap = one('ConfigMap');
const secret = one('Secret');
const cmEnv = configMap['data'] as Record<string, string>;
const secretEnv = secret['stringData'] as Record<string, string>;
/** The configuration a pod gets from the ConfigMap and a filled-in Secret. */
const podConfig = (secrets: Record<string, string> = secretEnv) => loadConfig({ env: { ...cmEnv, ...secrets }, cwd: mkdtempSync(join(tmpdir(), 'parley-k8s-')) });

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('kustomization', () => {
  it('lists existing files holding exactly the objects the issue asks for', () => {
    for (const f of kustomization['resources'] as string[]) expect(existsSync(join(DIR, f)), f).toBe(true);
    expect(docs.map((d) => d['kind']).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service']);
    expect((kustomization['images'] as Obj[]).map((i) => i['name'])).toContain(container['image']);
  });

  it('wires the objects together by name and labels', () => {
    const podLabels = pod['metadata']['labels'] as Record<string, string>;
    expect(matches(deployment['spec']['selector']['matchLabels'], podLabels)).toBe(true);
    expect(matches(one('Service')['spec']['selector'], podLabels)).toBe(true);
    expect(matches(one('PodDisruptionBudget')['spec']['selector']['matchLabels'], podLabels)).toBe(true);
    const target = one('HorizontalPodAutoscaler')['spec']['scaleTargetRef'] as Obj;
    expect([target['kind'], target['name']]).toEqual(['Deployment', deployment['metadata']['name']]);
    const from = container['envFrom'] as Obj[];
    expect(from.map((f) => f['configMapRef']?.['name'] ?? f['secretRef']?.['name'])).toEqual([configMap['metadata']['name'], secret['metadata']['name']]);
  });
});

describe('configuration', () => {
  it('uses only documented env names, secrets only in the Secret', () => {
    const known = new Set(ENV_BINDINGS.map((b) => b.env));
    for (const k of [...Object.keys(cmEnv), ...Object.keys(secretEnv)]) expect(known.has(k), k).toBe(true);
    const secretNames = new Set(settings().filter((s) => s.secret).map((s) => s.env));
    expect(new Set(Object.keys(secretEnv))).toEqual(secretNames);
    for (const k of Object.keys(cmEnv)) expect(secretNames.has(k), k).toBe(false);
  });

  it('is accepted by the config loader, with the placeholder Secret (local agent) and a filled one (OpenAI)', () => {
    expect(podConfig().ai.mode).toBe('local');
    expect(podConfig({ ...secretEnv, OPENAI_API_KEY: 'sk-test', PARLEY_AUTH_TOKEN: 't' }).ai.mode).toBe('openai');
  });

  it('gives a grace period longer than preStop + the drain deadline + the backstop', () => {
    const drainMs = podConfig().shutdown.drainMs;
    const preStop = container['lifecycle']['preStop']['exec']['command'] as string[];
    expect(preStop[0]).toBe('sleep');
    const preStopMs = Number(preStop[1]) * 1000;
    const graceMs = Number(pod['spec']['terminationGracePeriodSeconds']) * 1000;
    expect(graceMs).toBeGreaterThan(preStopMs + drainMs + BACKSTOP_MS);
  });

  it('listens on the configured port everywhere: container, probes, Service, scrape annotation', () => {
    const port = podConfig().port;
    const named = (container['ports'] as Obj[]).find((p) => p['name'] === 'http')!;
    expect(named['containerPort']).toBe(port);
    expect(container['readinessProbe']['httpGet']['port']).toBe('http');
    expect(container['livenessProbe']['httpGet']['port']).toBe('http');
    expect(one('Service')['spec']['ports'][0]['targetPort']).toBe('http');
    expect(pod['metadata']['annotations']['prometheus.io/port']).toBe(String(port));
  });
});

describe('against a running server', () => {
  let app: ParleyApp;
  beforeAll(async () => {
    app = await startParley({ config: loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', ai: { mode: 'local' } } }) });
  });
  afterAll(async () => app?.shutdown());

  it('answers 200 on the readiness, liveness and scrape paths', async () => {
    const paths = [container['readinessProbe']['httpGet']['path'], container['livenessProbe']['httpGet']['path'], pod['metadata']['annotations']['prometheus.io/path']];
    expect(paths).toEqual(['/readyz', '/healthz', '/metrics']);
    for (const p of paths) expect((await fetch(`http://127.0.0.1:${app.port}${p}`)).status, p).toBe(200);
  });

  it('exports the metrics the HPA and the adapter rules name', async () => {
    const hpaMetrics = (one('HorizontalPodAutoscaler')['spec']['metrics'] as Obj[]).map((m) => m['pods']['metric']['name'] as string);
    expect(hpaMetrics).toEqual(['parley_calls_active', 'parley_media_saturation']);
    const rules = (parse(readFileSync(join(process.cwd(), 'deploy/prometheus-adapter/rules.yaml'), 'utf8')) as Obj)['rules'] as Obj[];
    expect(rules.map((r) => r['name']['as'])).toEqual(hpaMetrics);
    const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    for (const m of hpaMetrics) {
      expect(new Metrics({ processMetrics: false }).registry.getSingleMetric(m), m).toBeDefined();
      expect(text).toMatch(new RegExp(`^# TYPE ${m} gauge$`, 'm'));
    }
  });
});

describe('capacity and disruption', () => {
  it('caps calls per pod above the autoscaling target, and fits that cap in the memory limit', () => {
    const maxCalls = podConfig().limits.maxCalls;
    const target = Number(one('HorizontalPodAutoscaler')['spec']['metrics'][0]['pods']['target']['averageValue']);
    expect(maxCalls).toBeGreaterThan(target);
    // Budget (docs/ARCHITECTURE.md#budgets): ≤ 256 KiB per call; the capacity bench measured
    // ~0.6 MiB RSS per call over a ~76 MiB baseline (README "Sizing"): the limit must hold
    // maxCalls at that rate.
    const limitMiB = Number(/^(\d+)Mi$/.exec(container['resources']['limits']['memory'])![1]);
    const requestMiB = Number(/^(\d+)Mi$/.exec(container['resources']['requests']['memory'])![1]);
    expect(limitMiB).toBeGreaterThanOrEqual(76 + maxCalls * 0.6);
    expect(requestMiB).toBeGreaterThanOrEqual(76 + target * 0.6);
    expect(container['resources']['limits']['cpu']).toBeUndefined();
  });

  it('rolls and disrupts one pod at a time, never below the replica count, as non-root', () => {
    expect(deployment['spec']['strategy']['rollingUpdate']['maxUnavailable']).toBe(0);
    expect(one('PodDisruptionBudget')['spec']['maxUnavailable']).toBe(1);
    expect(pod['spec']['securityContext']['runAsNonRoot']).toBe(true);
    expect(pod['spec']['securityContext']['runAsUser']).not.toBe(0);
    expect(container['args']).toEqual(['serve']);
  });
});
