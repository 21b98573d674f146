// @ts-check
// Pan (drag) and zoom (wheel, buttons) of one machine's SVG by moving its viewBox, so text
// stays crisp at every scale. `focus` frames one element (a search hit, a linked transition).

/**
 * @typedef {{ x: number, y: number, w: number, h: number }} Box
 * @typedef {{ zoom(f: number): void, fit(): void, focus(e: Element): void }} PanZoom
 */

/**
 * @param {HTMLElement} viewport the element holding the SVG
 * @param {SVGSVGElement} svg
 * @returns {PanZoom}
 */
export function panZoom(viewport, svg) {
  const b = svg.viewBox.baseVal;
  /** @type {Box} */
  const orig = { x: b.x, y: b.y, w: b.width || 1, h: b.height || 1 };
  /** @type {Box} */
  let vb = { ...orig };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  // Tall enough to read, never taller than most of the window.
  const fitHeight = () => Math.round(Math.min(window.innerHeight * 0.72, Math.max(220, (viewport.clientWidth * orig.h) / orig.w)));
  viewport.style.height = `${fitHeight()}px`;

  const apply = () => svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
  /** SVG units per screen pixel (the larger axis under "meet"). */
  const unit = () => Math.max(vb.w / Math.max(1, svg.clientWidth), vb.h / Math.max(1, svg.clientHeight));

  /** @param {number} cx @param {number} cy */
  const toSvg = (cx, cy) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 };
    const p = new DOMPoint(cx, cy).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };

  /** @param {number} factor >1 zooms in @param {number} [cx] @param {number} [cy] */
  const zoomAt = (factor, cx, cy) => {
    const p = cx === undefined || cy === undefined ? { x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 } : toSvg(cx, cy);
    const w = Math.min(orig.w * 4, Math.max(orig.w / 25, vb.w / factor));
    const f = vb.w / w;
    vb = { x: p.x - (p.x - vb.x) / f, y: p.y - (p.y - vb.y) / f, w, h: vb.h / f };
    apply();
  };

  viewport.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY);
    },
    { passive: false },
  );

  /** @type {{ x: number, y: number } | null} */
  let drag = null;
  viewport.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY };
    viewport.setPointerCapture(e.pointerId);
    viewport.classList.add('dragging');
  });
  viewport.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const u = unit();
    vb = { ...vb, x: vb.x - (e.clientX - drag.x) * u, y: vb.y - (e.clientY - drag.y) * u };
    drag = { x: e.clientX, y: e.clientY };
    apply();
  });
  const end = () => {
    drag = null;
    viewport.classList.remove('dragging');
  };
  viewport.addEventListener('pointerup', end);
  viewport.addEventListener('pointercancel', end);

  return {
    zoom: (f) => zoomAt(f),
    fit: () => {
      vb = { ...orig };
      apply();
    },
    focus: (target) => {
      if (!(target instanceof SVGGraphicsElement)) return;
      const r = target.getBBox();
      const pad = 40;
      const w = Math.max(r.width + 2 * pad, orig.w / 6);
      const h = Math.max(r.height + 2 * pad, orig.h / 6);
      vb = { x: r.x + r.width / 2 - w / 2, y: r.y + r.height / 2 - h / 2, w, h };
      apply();
    },
  };
}
