// @ts-check
// Search over every machine: a state matches on its name, id, tags, entry/exit actions and
// internal transitions; a transition on its event, guard and actions. Matches are outlined,
// the rest dimmed; Enter frames the first match.

/**
 * @typedef {import('./main.js').Panel} Panel
 */

/**
 * @param {HTMLInputElement} input
 * @param {HTMLElement} countEl
 * @param {Map<string, Panel>} panels
 */
export function initSearch(input, countEl, panels) {
  /** @type {Element[]} */
  let hits = [];

  const run = () => {
    const q = input.value.trim().toLowerCase();
    hits = [];
    for (const p of panels.values()) {
      p.svg.classList.toggle('sc-searching', q !== '');
      let n = 0;
      for (const g of p.svg.querySelectorAll('.sc-state:not(.sc-root), .sc-transition')) {
        const id = g.getAttribute('data-state') ?? '';
        const match = q !== '' && (`${id} ${g.textContent ?? ''}`.toLowerCase().includes(q));
        g.classList.toggle('sc-match', match);
        if (match) {
          n += 1;
          hits.push(g);
        }
      }
      p.section.classList.toggle('no-match', q !== '' && n === 0);
      p.section.dataset.matches = String(n);
    }
    countEl.textContent = q ? `${hits.length} match${hits.length === 1 ? '' : 'es'}` : '';
  };

  input.addEventListener('input', run);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      input.value = '';
      run();
    }
    if (e.key !== 'Enter' || hits.length === 0) return;
    const first = hits[0];
    const panel = [...panels.values()].find((p) => first && p.svg.contains(first));
    if (!panel || !first) return;
    panel.section.scrollIntoView({ block: 'start' });
    panel.pz.focus(first);
  });
}
