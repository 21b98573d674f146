// @ts-check
// The visualiser page: fetches the page model (/api/model), puts every machine's SVG in a
// pan/zoom panel, and wires search, design review (diff, properties) and the live view.
import { el } from './dom.js';
import { initLive } from './live.js';
import { panZoom } from './panzoom.js';
import { renderDiff, renderProperties } from './review.js';
import { initSearch } from './search.js';

/**
 * @typedef {{ id: string, path: string, key: string, type: string, tags: string[] }} PageState
 * @typedef {{ index: number, event: string, source: string, targets: string[], label: string }} PageTransition
 * @typedef {{ status: string, states: { added: string[], removed: string[], changed: { id: string, details: string[] }[] },
 *   transitions: { added: string[], removed: string[], changed: { before: string, after: string }[] } }} PageDiff
 * @typedef {{ name: string, id: string, svg: string, states: PageState[], transitions: PageTransition[], diff?: PageDiff }} PageMachine
 * @typedef {{ machine: string, index: number, label: string, source: string, targets: string[] }} LinkedTransition
 * @typedef {{ spec: string, file: string, line: number, id: string, name: string, comment: string,
 *   statement: string, model: string, checkedAs: string | null, transitions: LinkedTransition[] }} SpecProperty
 * @typedef {{ title: string, mode: 'view' | 'diff', ref?: string, machines: PageMachine[], properties: SpecProperty[], live: boolean }} PageModel
 * @typedef {{ machine: PageMachine, section: HTMLElement, svg: SVGSVGElement, pz: import('./panzoom.js').PanZoom,
 *   pathToId: Map<string, string>, rootId: string, last: HTMLElement }} Panel
 */

/** @param {string} id @returns {HTMLElement} */
const byId = (id) => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page is missing #${id}`);
  return e;
};

/** @param {PageMachine} m @returns {Panel} */
function panel(m) {
  const last = el('span', { class: 'last-event' });
  const viewport = el('div', { class: 'viewport' });
  viewport.innerHTML = m.svg;
  const svg = viewport.querySelector('svg');
  if (!(svg instanceof SVGSVGElement)) throw new Error(`machine ${m.name}: no SVG`);
  const counts = `${m.states.length - 1} states · ${m.transitions.length} transitions`;
  const zoom = el('span', { class: 'zoom' });
  const section = el(
    'section',
    { class: `machine${m.diff ? ` diff-${m.diff.status}` : ''}`, id: `m-${m.name}`, 'data-machine': m.name },
    el('div', { class: 'machine-head' }, el('h2', {}, m.name), el('span', { class: 'muted small' }, counts), last, zoom),
    viewport,
  );
  document.getElementById('machines')?.append(section);
  const pz = panZoom(viewport, svg);
  zoom.append(
    el('button', { type: 'button', title: 'zoom in', onclick: () => pz.zoom(1.25) }, '+'),
    el('button', { type: 'button', title: 'zoom out', onclick: () => pz.zoom(0.8) }, '−'),
    el('button', { type: 'button', title: 'fit', onclick: () => pz.fit() }, 'fit'),
  );
  const root = m.states.find((s) => s.path === '');
  return { machine: m, section, svg, pz, pathToId: new Map(m.states.map((s) => [s.path, s.id])), rootId: root?.id ?? m.id, last };
}

async function main() {
  const res = await fetch('/api/model');
  /** @type {PageModel | { error: string }} */
  const model = await res.json();
  if (!res.ok || 'error' in model) throw new Error('error' in model ? model.error : `HTTP ${res.status}`);
  byId('mode').textContent = model.mode === 'diff' ? `diff vs ${model.ref}` : `${model.machines.length} machines`;
  byId('machines').replaceChildren();
  /** @type {Map<string, Panel>} */
  const panels = new Map();
  for (const m of model.machines) panels.set(m.name, panel(m));
  byId('machine-nav').replaceChildren(
    ...model.machines.map((m) =>
      el(
        'li',
        {},
        el('a', { href: `#m-${m.name}` }, m.name),
        m.diff ? el('span', { class: `badge diff-${m.diff.status}` }, m.diff.status) : el('span', { class: 'muted small' }, ` ${m.states.length - 1} states`),
      ),
    ),
  );
  initSearch(/** @type {HTMLInputElement} */ (byId('search')), byId('search-count'), panels);
  renderProperties(model, panels, byId('properties'));
  renderDiff(model, byId('diff-section'), byId('diff-summary'));
  initLive({
    panels,
    status: byId('relay-status'),
    list: byId('calls'),
    log: /** @type {HTMLTableSectionElement} */ (/** @type {HTMLTableElement} */ (byId('log')).tBodies[0]),
    logCount: byId('log-count'),
    allEvents: /** @type {HTMLInputElement} */ (byId('all-events')),
    follow: /** @type {HTMLInputElement} */ (byId('follow')),
  });
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  byId('machines').replaceChildren(el('p', { class: 'error' }, `Could not load the machines: ${err instanceof Error ? err.message : String(err)}`));
  document.body.dataset.ready = 'error';
});
