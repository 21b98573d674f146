// The visualiser in a real browser (Debian Chromium via playwright-core): the page renders every
// machine with all its states (counted against the live machine objects), search and zoom work,
// nothing is fetched from outside, a diff against a git ref is highlighted, and during a
// simulated call — the real bridge (`startParley`, local AI mode = the embedded sim-agent) and
// `simCall` as a Twilio caller who interrupts the agent — the live view follows the call through
// the bridge's authenticated /inspect: the highlight moves from state to state in every machine,
// the last event and the rolling log update. Saves a screenshot of the live view
// (.build/viz-live.png; docs/viz-live.png when PARLEY_UPDATE_SCREENSHOTS=1 or when it is missing).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINES } from '../../../machines/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { startParley, type ParleyApp } from '../../../src/app.js';
import { simCall, type ScriptStep } from '../../../src/tools/sim/caller/index.js';
import { VizServer } from '../../../src/tools/viz/server.js';
import { openBrowser, type Browser } from './chromium.js';
import { fixtureV1, fixtureV2, graphJson, liveStates } from './fixtures.js';

const TOKEN = 'browser-test-token';
let browser: Browser;
let viz: VizServer;
let app: ParleyApp;

/** Speak, hear the reply, speak again and talk over the second reply, hang up. */
const CALL: readonly ScriptStep[] = [
  { kind: 'say', ms: 700 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'say', ms: 500 },
  { kind: 'barge', afterMs: 400, sayMs: 600 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'hangup' },
];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-viz-browser-'));
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: { port: 0, host: '127.0.0.1', authToken: TOKEN, logLevel: 'silent', ai: { mode: 'local' } },
  });
  app = await startParley({ config, localAgent: { replyMs: 600 } });
  viz = new VizServer({
    root: process.cwd(),
    port: 0,
    order: MACHINES.map((m) => m.name),
    inspectUrl: `ws://127.0.0.1:${app.port}/inspect`,
    inspectToken: TOKEN,
  });
  await viz.listen();
  browser = await openBrowser({ width: 1600, height: 1500 });
  await browser.page.goto(viz.url);
  await browser.page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await viz?.close();
  await app?.shutdown();
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
    // Record every configuration each machine panel shows, in order.
    await page.evaluate(`(() => {
      window.__seen = {};
      for (const s of document.querySelectorAll('section.machine')) {
        const name = s.dataset.machine;
        const seen = (window.__seen[name] = []);
        // Records arrive batched: each one's oldValue is the value the one before it set.
        new MutationObserver((records) => {
          const values = [...records.slice(1).map((r) => r.oldValue), s.dataset.active];
          for (const v of values) if (v && seen[seen.length - 1] !== v) seen.push(v);
        }).observe(s, { attributes: true, attributeOldValue: true, attributeFilter: ['data-active'] });
      }
    })()`);

    const report = simCall({ url: `ws://127.0.0.1:${app.port}/twilio`, token: TOKEN, callId: 'CA-browser-test', script: CALL, maxCallMs: 40_000 });
    await page.waitForSelector('#calls li[data-call="CA-browser-test"].selected', { timeout: 10_000 });
    // Mid-call: the agent is answering; every machine shows where the call is.
    await page.waitForSelector('section[data-machine="turn"] g.sc-active[data-state="turn.agentSpeaking"]', { timeout: 15_000 });
    await page.waitForSelector('section[data-machine="session"] g.sc-active[data-state="session.active.live"]');
    mkdirSync('.build', { recursive: true });
    await page.screenshot({ path: '.build/viz-live.png' });
    if (process.env.PARLEY_UPDATE_SCREENSHOTS === '1' || !existsSync('docs/viz-live.png')) copyFileSync('.build/viz-live.png', 'docs/viz-live.png');

    const done = await report;
    expect(done.ok, done.failure).toBe(true);
    expect(done.bargeIns.length).toBeGreaterThan(0);
    await page.waitForSelector('section[data-machine="session"] g.sc-active[data-state="session.closed"]', { timeout: 10_000 }).catch(async (e) => {
      console.log('live view at timeout:', JSON.stringify(await page.evaluate('window.__seen')), await page.textContent('#calls'), await page.textContent('#relay-status'), JSON.stringify(done.timeline.slice(-5)));
      throw e;
    });
    await page.waitForSelector('#calls li[data-call="CA-browser-test"].ended', { timeout: 10_000 });

    const seen = (await page.evaluate('window.__seen')) as Record<string, string[]>;
    const inOrder = (xs: readonly string[] | undefined, want: readonly string[]) => {
      let i = 0;
      for (const x of xs ?? []) if (x === want[i]) i += 1;
      return i === want.length;
    };
    expect(inOrder(seen.session, ['connecting', 'active.live', 'draining.stoppingAi', 'draining.releasingMedia', 'closed']), JSON.stringify(seen.session)).toBe(true);
    expect(inOrder(seen.turn, ['listening', 'userSpeaking', 'agentSpeaking', 'interrupted.speaking']), JSON.stringify(seen.turn)).toBe(true);
    expect(inOrder(seen.aiLink, ['idle', 'connecting', 'open', 'stopped']), JSON.stringify(seen.aiLink)).toBe(true);
    expect(inOrder(seen.playout, ['idle', 'playing', 'flushing', 'closed']), JSON.stringify(seen.playout)).toBe(true);

    // Exactly one state per region is lit at the end, and the last transition is marked.
    expect(await page.$$eval('section[data-machine="session"] g.sc-state.sc-active', (gs) => gs.map((g) => g.getAttribute('data-state')))).toEqual(['session.closed']);
    expect(await page.getAttribute('section[data-machine="session"]', 'data-last-event')).toBe('MEDIA_RELEASED');
    expect(await page.$$eval('section[data-machine="session"] g.sc-transition.sc-fired', (gs) => gs.map((g) => g.getAttribute('data-source')))).toEqual([
      'session.draining.releasingMedia',
    ]);
    const events = await page.$$eval('#log tbody tr', (trs) => trs.map((tr) => `${tr.getAttribute('data-machine')}.${tr.getAttribute('data-event')}`));
    expect(events[0]).toBe('session.MEDIA_RELEASED');
    expect(events).toEqual(expect.arrayContaining(['turn.SPEECH_STARTED', 'session.CALL_STARTED', 'playout.FLUSH']));
  }, 60_000);

  it('shows a design-review diff against a git ref', async () => {
    // A repository whose HEAD has fixture v1 and whose working tree has v2.
    const repo = mkdtempSync(join(tmpdir(), 'parley-viz-diff-'));
    mkdirSync(join(repo, 'docs/machines'), { recursive: true });
    mkdirSync(join(repo, 'src/tools/viz'), { recursive: true });
    symlinkSync(resolve('src/tools/viz/client'), join(repo, 'src/tools/viz/client'));
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
