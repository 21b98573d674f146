// The visualiser in a real browser (Debian Chromium via playwright-core): the page renders every
// machine with all its states (counted against the live machine objects), search and zoom work,
// nothing is fetched from outside, and during a simulated call on a real bridge the live view
// follows the call: the highlight moves from state to state, the last event and the rolling log
// update. Saves a screenshot of the live view (.build/viz-live.png; docs/viz-live.png when
// PARLEY_UPDATE_SCREENSHOTS=1 or when it does not exist yet).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { MACHINES } from '../../machines/index.js';
import { playoutMachine } from '../../machines/playout.js';
import { loadConfig } from '../../src/config/index.js';
import { Metrics, silentLogger } from '../../src/obs/index.js';
import { ParleyServer } from '../../src/server/index.js';
import { ManualClock } from '../../src/session/clock.js';
import { InspectEndpoint } from '../../src/viz/inspect/endpoint.js';
import { InspectHub } from '../../src/viz/inspect/hub.js';
import { VizServer } from '../../src/viz/server.js';
import { openBrowser, type Browser } from './chromium.js';
import { fixtureV1, fixtureV2, graphJson, liveStates } from './fixtures.js';

const TOKEN = 'browser-test-token';
let browser: Browser;
let viz: VizServer;
let bridge: ParleyServer;
let hub: InspectHub;

beforeAll(async () => {
  const config = loadConfig({ env: {}, cwd: '/nonexistent-dir-for-config', overrides: { port: 0, host: '127.0.0.1', authToken: TOKEN } });
  hub = new InspectHub({ machines: MACHINES.map((m) => m.name) });
  const endpoint = new InspectEndpoint({ hub, authToken: TOKEN });
  bridge = new ParleyServer({
    config,
    metrics: new Metrics({ processMetrics: false }),
    clock: new ManualClock(),
    log: silentLogger(),
    handler: { accept: () => { throw new Error('telephony is not used here'); } },
    upgrades: [endpoint],
  });
  const port = await bridge.listen();
  viz = new VizServer({ root: process.cwd(), port: 0, order: MACHINES.map((m) => m.name), inspectUrl: `ws://127.0.0.1:${port}/inspect`, inspectToken: TOKEN });
  await viz.listen();
  browser = await openBrowser();
  await browser.page.goto(viz.url);
  await browser.page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await viz?.close();
  await bridge?.shutdown(0);
});

describe('parley viz in Chromium', () => {
  it.each(MACHINES.map((m) => [m.name, m] as const))('renders every state of %s', async (name, entry) => {
    const drawn = await browser.page.$$eval(`section[data-machine="${name}"] g.sc-state:not(.sc-root)`, (gs) =>
      gs.map((g) => ({ id: g.getAttribute('data-state'), width: (g as unknown as { getBBox(): { width: number } }).getBBox().width, text: g.querySelector('.sc-name')?.textContent })),
    );
    const live = liveStates(entry.machine);
    expect(drawn).toHaveLength(live.length);
    expect(new Set(drawn.map((d) => d.id))).toEqual(new Set(live.map((s) => s.id)));
    for (const d of drawn) {
      expect(d.width, `${d.id} has a laid-out box`).toBeGreaterThan(20);
      expect(live.find((s) => s.id === d.id)?.key).toBe(d.text);
    }
  });

  it('searches across machines and zooms', async () => {
    const { page } = browser;
    await page.fill('#search', 'flushing');
    const hits = await page.$$eval('.sc-match', (gs) => gs.map((g) => g.getAttribute('data-state') ?? g.getAttribute('data-event')));
    expect(hits).toContain('playout.flushing');
    expect(await page.textContent('#search-count')).toMatch(/^\d+ match/);
    await page.fill('#search', '');
    expect(await page.$$('.sc-match')).toHaveLength(0);

    const svg = 'section[data-machine="playout"] svg';
    const before = await page.getAttribute(svg, 'viewBox');
    await page.click('section[data-machine="playout"] button[title="zoom in"]');
    const zoomed = await page.getAttribute(svg, 'viewBox');
    expect(zoomed).not.toBe(before);
    await page.click('section[data-machine="playout"] button[title="fit"]');
    expect(await page.getAttribute(svg, 'viewBox')).toBe(before);
  });

  it('follows a simulated call live: the highlight moves, the last event and the log update', async () => {
    const { page } = browser;
    await page.waitForSelector('#relay-status[data-state="open"]');
    const active = () => page.$$eval('section[data-machine="playout"] g.sc-state.sc-active', (gs) => gs.map((g) => g.getAttribute('data-state')));
    const waitActive = (id: string) => page.waitForSelector(`section[data-machine="playout"] g.sc-state.sc-active[data-state="${id}"]`, { timeout: 5000 });

    // A simulated call: the playout actor of a call, inspected exactly as the session runtime
    // inspects it (hub.openCall(...).inspector(machine)), driven through its events.
    const call = hub.openCall('twilio-sim-1', 'twilio');
    const actor = createActor(playoutMachine, { input: { lookaheadMs: 80 }, inspect: call.inspector('playout') }).start();
    await waitActive('playout.idle');
    call.rename('CA-browser-test');
    await page.waitForSelector('#calls li[data-call="CA-browser-test"].selected');

    actor.send({ type: 'WRITE', bufferedMs: 20 });
    await waitActive('playout.prefill');
    expect(await active()).toEqual(['playout.prefill']);

    actor.send({ type: 'WRITE', bufferedMs: 100 });
    await waitActive('playout.playing');
    expect(await active()).toEqual(['playout.playing']);
    expect(await page.getAttribute('section[data-machine="playout"]', 'data-last-event')).toBe('WRITE');
    expect(await page.textContent('section[data-machine="playout"] .last-event')).toContain('prefill → playing');
    const fired = await page.$$eval('section[data-machine="playout"] g.sc-transition.sc-fired', (gs) => gs.map((g) => g.getAttribute('data-source')));
    expect(fired).toEqual(['playout.prefill']);

    actor.send({ type: 'FLUSH' });
    await waitActive('playout.flushing');
    const rows = await page.$$eval('#log tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-event')));
    expect(rows.slice(0, 3)).toEqual(['FLUSH', 'WRITE', 'WRITE']);

    mkdirSync('.build', { recursive: true });
    await page.screenshot({ path: '.build/viz-live.png' });
    if (process.env.PARLEY_UPDATE_SCREENSHOTS === '1' || !existsSync('docs/viz-live.png')) copyFileSync('.build/viz-live.png', 'docs/viz-live.png');

    actor.send({ type: 'CLOSE' });
    await waitActive('playout.closed');
    call.end();
    await page.waitForSelector('#calls li[data-call="CA-browser-test"].ended');
  });

  it('shows a design-review diff against a git ref', async () => {
    // A repository whose HEAD has fixture v1 and whose working tree has v2.
    const repo = mkdtempSync(join(tmpdir(), 'parley-viz-diff-'));
    mkdirSync(join(repo, 'docs/machines'), { recursive: true });
    mkdirSync(join(repo, 'src/viz'), { recursive: true });
    symlinkSync(resolve('src/viz/client'), join(repo, 'src/viz/client'));
    writeFileSync(join(repo, 'package.json'), '{}');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    writeFileSync(join(repo, 'docs/machines/fixture.json'), graphJson('fixture', fixtureV1));
    git('add', 'docs');
    git('commit', '-q', '-m', 'v1');
    writeFileSync(join(repo, 'docs/machines/fixture.json'), graphJson('fixture', fixtureV2));
    const diffViz = new VizServer({ root: repo, port: 0, ref: 'HEAD' });
    await diffViz.listen();
    const page = await browser.page.context().newPage();
    try {
      await page.goto(diffViz.url);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.textContent('#mode')).toBe('diff vs HEAD');
      const status = (sel: string) => page.$$eval(sel, (gs) => gs.map((g) => g.getAttribute('data-state') ?? g.getAttribute('data-event')));
      expect(await status('g.sc-diff-added')).toEqual(expect.arrayContaining(['fixture.standby', 'WAKE']));
      expect(await status('g.sc-diff-removed')).toEqual(expect.arrayContaining(['fixture.done', 'FINISH']));
      expect(await status('g.sc-diff-changed')).toEqual(expect.arrayContaining(['fixture.on.audio.quiet', 'UP']));
      const summary = await page.textContent('#diff-summary');
      expect(summary).toContain('states added (1)fixture.standby');
      expect(summary).toContain('transitions removed (2)');
      await page.screenshot({ path: '.build/viz-diff.png' });
    } finally {
      await page.close();
      await diffViz.close();
    }
  });

  it('fetched nothing from outside the local server and logged no errors', () => {
    const origin = new URL(viz.url);
    for (const url of browser.requests) {
      const u = new URL(url);
      expect(u.protocol === 'data:' || u.host === origin.host, url).toBe(true);
    }
    expect(browser.requests.some((u) => u.endsWith('/live'))).toBe(true);
    expect(browser.errors).toEqual([]);
  });
});
