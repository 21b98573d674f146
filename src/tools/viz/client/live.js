// @ts-check
// The live view: the /live socket (relayed from the bridge's /inspect) lists calls; the selected
// call's active states are highlighted in every machine, its last event shown per machine with
// the transition it took, and every step lands in a rolling log.
import { clock, el, part } from './dom.js';

const MAX_LOG = 200;

/**
 * @typedef {import('./main.js').Panel} Panel
 * @typedef {{ value: string, paths: string[], tags: string[] }} MachineView
 * @typedef {{ type: 'step', connId: string, callId: string, machine: string, seq: number, t: number,
 *   event: { type: string, [k: string]: unknown }, from: string | null, to: string, changed: boolean, view: MachineView }} Step
 * @typedef {{ connId: string, callId: string, protocol: string, startedAt: number, endedAt: number | null,
 *   machines: Record<string, MachineView>, last: Step | null, log?: Step[] }} Call
 */

/**
 * @param {{ panels: Map<string, Panel>, status: HTMLElement, list: HTMLElement, log: HTMLTableSectionElement,
 *   logCount: HTMLElement, allEvents: HTMLInputElement, follow: HTMLInputElement }} ui
 */
export function initLive(ui) {
  /** @type {Map<string, Call>} */
  const calls = new Map();
  /** @type {string | null} */
  let selected = null;
  let listQueued = false;

  const status = (/** @type {string} */ state, /** @type {string} */ text) => {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
  };

  /** Highlights a machine's configuration for the selected call; marks the transition a step took. */
  const paint = (/** @type {string} */ machine, /** @type {MachineView} */ view, /** @type {Step | null} */ step, /** @type {MachineView | undefined} */ prev) => {
    const p = ui.panels.get(machine);
    if (!p) return;
    for (const g of p.svg.querySelectorAll('.sc-active')) g.classList.remove('sc-active');
    const now = new Set([p.rootId]);
    for (const path of view.paths) {
      const id = p.pathToId.get(path);
      if (!id) continue;
      now.add(id);
      part(p.svg, 'state', id)?.classList.add('sc-active');
    }
    p.section.dataset.active = view.value;
    for (const g of p.svg.querySelectorAll('.sc-fired')) g.classList.remove('sc-fired');
    if (!step) {
      p.last.textContent = '';
      delete p.section.dataset.lastEvent;
      return;
    }
    p.section.dataset.lastEvent = step.event.type;
    p.last.textContent = `last: ${step.event.type}${step.changed ? `  ${step.from ?? '∅'} → ${step.to}` : '  (no change)'}`;
    const before = new Set([p.rootId, ...(prev?.paths ?? []).map((x) => p.pathToId.get(x) ?? '')]);
    const taken = p.machine.transitions.find(
      (t) => t.event === step.event.type && before.has(t.source) && (t.targets.length === 0 ? !step.changed : t.targets.every((x) => now.has(x))),
    );
    if (taken) part(p.svg, 'transition', taken.index)?.classList.add('sc-fired');
  };

  const paintCall = () => {
    const c = selected ? calls.get(selected) : undefined;
    document.body.dataset.selectedCall = c?.callId ?? '';
    for (const [name, p] of ui.panels) {
      const v = c?.machines[name];
      if (v) paint(name, v, c?.last?.machine === name ? c.last : null, undefined);
      else {
        for (const g of p.svg.querySelectorAll('.sc-active, .sc-fired')) g.classList.remove('sc-active', 'sc-fired');
        p.last.textContent = '';
        delete p.section.dataset.active;
      }
    }
  };

  const select = (/** @type {string | null} */ connId) => {
    selected = connId;
    paintCall();
    queueList();
  };

  const renderList = () => {
    listQueued = false;
    const all = [...calls.values()].sort((a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || b.startedAt - a.startedAt);
    ui.list.replaceChildren(
      ...all.map((c) =>
        el(
          'li',
          {
            'data-conn': c.connId,
            'data-call': c.callId,
            class: `${c.connId === selected ? 'selected' : ''} ${c.endedAt !== null ? 'ended' : 'live'}`,
            onclick: () => {
              ui.follow.checked = false;
              select(c.connId);
            },
          },
          el('b', {}, c.callId),
          el('span', { class: 'muted' }, ` ${c.protocol} · ${c.endedAt !== null ? 'ended' : 'live'} · ${clock(c.startedAt)}`),
          el('div', { class: 'small' }, `session: ${c.machines.session?.value ?? '–'}`, c.last ? ` · last ${c.last.machine}.${c.last.event.type}` : ''),
        ),
      ),
    );
    if (all.length === 0) ui.list.append(el('li', { class: 'muted' }, 'no calls yet'));
  };
  const queueList = () => {
    if (!listQueued) {
      listQueued = true;
      setTimeout(renderList, 80);
    }
  };

  const logRow = (/** @type {Step} */ s) => {
    if (!s.changed && !ui.allEvents.checked) return;
    const c = calls.get(s.connId);
    ui.log.prepend(
      el(
        'tr',
        { class: s.changed ? 'changed' : 'nochange', 'data-machine': s.machine, 'data-event': s.event.type },
        el('td', {}, clock(s.t)),
        el('td', {}, c?.callId ?? s.callId),
        el('td', {}, s.machine),
        el('td', {}, s.event.type),
        el('td', {}, s.changed ? `${s.from ?? '∅'} → ${s.to}` : `${s.to} (no change)`),
      ),
    );
    while (ui.log.rows.length > MAX_LOG) ui.log.deleteRow(-1);
    ui.logCount.textContent = `(${ui.log.rows.length} shown, newest first)`;
  };

  const newest = () => [...calls.values()].filter((c) => c.endedAt === null).sort((a, b) => b.startedAt - a.startedAt)[0];

  /** @param {any} m */
  const handle = (m) => {
    switch (m.type) {
      case 'relay':
        status(m.state, m.state === 'open' ? `connected to ${m.url}` : m.state === 'off' ? m.detail : `${m.state}${m.url ? ` ${m.url}` : ''}${m.detail ? ` — ${m.detail}` : ''}`);
        break;
      case 'hello': {
        calls.clear();
        ui.log.replaceChildren();
        /** @type {Step[]} */
        const steps = [];
        for (const c of /** @type {Call[]} */ (m.calls)) {
          calls.set(c.connId, { ...c, log: undefined });
          steps.push(...(c.log ?? []));
        }
        steps.sort((a, b) => a.t - b.t).forEach(logRow);
        select(selected && calls.has(selected) ? selected : (newest()?.connId ?? null));
        break;
      }
      case 'call.start':
        calls.set(m.call.connId, { ...m.call, log: undefined });
        if (ui.follow.checked || selected === null) select(m.call.connId);
        queueList();
        break;
      case 'call.rename': {
        const c = calls.get(m.connId);
        if (c) c.callId = m.callId;
        if (m.connId === selected) document.body.dataset.selectedCall = m.callId;
        queueList();
        break;
      }
      case 'step': {
        /** @type {Step} */
        const s = m;
        let c = calls.get(s.connId);
        if (!c) {
          c = { connId: s.connId, callId: s.callId, protocol: '?', startedAt: s.t, endedAt: null, machines: {}, last: null };
          calls.set(s.connId, c);
        }
        const prev = c.machines[s.machine];
        c.machines[s.machine] = s.view;
        c.last = s;
        if (selected === null && ui.follow.checked) select(s.connId);
        if (s.connId === selected) paint(s.machine, s.view, s, prev);
        logRow(s);
        queueList();
        break;
      }
      case 'call.end': {
        const c = calls.get(m.connId);
        if (c) c.endedAt = m.t;
        queueList();
        break;
      }
      case 'dropped':
        ui.status.dataset.dropped = String(Number(ui.status.dataset.dropped ?? 0) + m.count);
        break;
      case 'error':
        console.warn('inspect:', m.message);
        break;
    }
  };

  const connect = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`);
    ws.onmessage = (e) => {
      /** @type {unknown} */
      let msgs;
      try {
        msgs = JSON.parse(String(e.data));
      } catch {
        return;
      }
      for (const m of Array.isArray(msgs) ? msgs : [msgs]) handle(m);
    };
    ws.onclose = () => {
      status('closed', 'lost the viz server; retrying…');
      setTimeout(connect, 2000);
    };
  };
  ui.follow.addEventListener('change', () => {
    if (ui.follow.checked) select(newest()?.connId ?? selected);
  });
  renderList();
  connect();
}
