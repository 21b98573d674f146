// @ts-check
// Design review: the diff summary against a git ref, and the spec properties with the
// transitions their comments name (click one to frame it in its machine).
import { el, part } from './dom.js';

/**
 * @typedef {import('./main.js').Panel} Panel
 * @typedef {import('./main.js').PageModel} PageModel
 */

/**
 * Frames a transition (or, for an internal one, its line in the state box) and marks it.
 * @param {Map<string, Panel>} panels @param {string} machine @param {number} index
 */
function showTransition(panels, machine, index) {
  const p = panels.get(machine);
  if (!p) return;
  for (const old of document.querySelectorAll('.sc-linked')) old.classList.remove('sc-linked');
  const target = part(p.svg, 'transition', index);
  if (!target) return;
  target.classList.add('sc-linked');
  p.section.scrollIntoView({ block: 'start' });
  p.pz.focus(target);
}

/**
 * @param {PageModel} model
 * @param {Map<string, Panel>} panels
 * @param {HTMLElement} root
 */
export function renderProperties(model, panels, root) {
  if (model.properties.length === 0) return;
  root.classList.remove('muted');
  root.replaceChildren();
  /** @type {Map<string, PageModel['properties'][number][]>} */
  const bySpec = new Map();
  for (const p of model.properties) bySpec.set(p.spec, [...(bySpec.get(p.spec) ?? []), p]);
  for (const [spec, props] of bySpec) {
    const items = props.map((p) =>
      el(
        'li',
        { class: 'prop', 'data-prop': p.name, title: `${p.file}:${p.line}` },
        el('b', {}, p.name),
        p.checkedAs ? el('span', { class: `badge ${p.checkedAs}` }, p.checkedAs) : el('span', { class: 'badge unchecked' }, 'not in cfg'),
        // The text is the property's section of specs/PROPERTIES.md; the spec's comment only
        // when that section is missing.
        p.statement || p.comment ? el('div', { class: 'comment' }, p.statement || p.comment) : null,
        p.model ? el('div', { class: 'model' }, `Model: ${p.model}`) : null,
        p.transitions.length
          ? el(
              'ul',
              { class: 'links' },
              p.transitions.map((t) =>
                el(
                  'li',
                  {},
                  el(
                    'a',
                    {
                      href: '#',
                      'data-machine': t.machine,
                      'data-transition': t.index,
                      onclick: (/** @type {Event} */ e) => {
                        e.preventDefault();
                        showTransition(panels, t.machine, t.index);
                      },
                    },
                    `${t.machine}: ${t.source.split('.').slice(1).join('.') || t.source} — ${t.label}${t.targets.length ? ` → ${t.targets.map((x) => x.split('.').slice(1).join('.')).join(', ')}` : ''}`,
                  ),
                ),
              ),
            )
          : el('div', { class: 'muted small' }, 'names no transition'),
      ),
    );
    root.append(el('details', { open: true }, el('summary', {}, `${spec} `, el('span', { class: 'muted' }, props[0]?.file ?? '')), el('ul', { class: 'props' }, items)));
  }
}

/**
 * @param {PageModel} model
 * @param {HTMLElement} section
 * @param {HTMLElement} root
 */
export function renderDiff(model, section, root) {
  if (model.mode !== 'diff') return;
  section.hidden = false;
  const ref = document.getElementById('diff-ref');
  if (ref) ref.textContent = model.ref ?? '';
  root.replaceChildren();
  for (const m of model.machines) {
    const d = m.diff;
    if (!d) continue;
    /** @param {string} title @param {string[]} xs @param {string} cls */
    const list = (title, xs, cls) => (xs.length ? el('div', { class: `diff-group ${cls}` }, el('h4', {}, `${title} (${xs.length})`), el('ul', {}, xs.map((x) => el('li', {}, x)))) : null);
    root.append(
      el(
        'details',
        { open: d.status !== 'unchanged', class: `diff-machine diff-${d.status}`, 'data-machine': m.name },
        el('summary', {}, m.name, ' ', el('span', { class: `badge diff-${d.status}` }, d.status)),
        list('states added', [...d.states.added], 'added'),
        list('states removed', [...d.states.removed], 'removed'),
        list('states changed', d.states.changed.map((c) => `${c.id}: ${c.details.join('; ')}`), 'changed'),
        list('transitions added', [...d.transitions.added], 'added'),
        list('transitions removed', [...d.transitions.removed], 'removed'),
        list('transitions changed', d.transitions.changed.map((c) => `${c.before}  ⇒  ${c.after}`), 'changed'),
      ),
    );
  }
}
