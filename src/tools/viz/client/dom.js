// @ts-check
// Small DOM helpers for the visualiser page (browser code, no dependencies).

/**
 * Creates an element. Attributes: `class`, `on<event>` listeners, `data-*` and the rest as
 * attributes (false/null/undefined skipped). Children: nodes or text.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Node | string | number | null | undefined | (Node | string)[])} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/**
 * The element of a state or transition inside a machine's SVG.
 * @param {Element} svg
 * @param {'state' | 'transition'} kind
 * @param {string | number} key state id or transition index
 * @returns {Element | null}
 */
export function part(svg, kind, key) {
  // Edges list every transition they draw: data-transition="3 4 5".
  return svg.querySelector(`[data-${kind}~="${CSS.escape(String(key))}"]`);
}

/** @param {number} t wall-clock ms */
export function clock(t) {
  const d = new Date(t);
  const p = (/** @type {number} */ n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
