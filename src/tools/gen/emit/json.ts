// docs/machines/<name>.json: the machine graph for design review and tools (the visualiser,
// model-based coverage): nodes, declared transitions, configurations and what each event does.
import { formatGuard } from '../guards.js';
import type { MachineModel, StateNodeInfo } from '../model.js';
import { allNodes } from '../walk.js';

export function emitJson(m: MachineModel): string {
  const node = (n: StateNodeInfo) => ({
    id: n.id,
    path: n.path,
    type: n.type,
    tags: n.tags,
    ...(n.initial ? { initial: n.initial } : {}),
    entry: n.entry,
    exit: n.exit,
  });
  const nodes = allNodes(m.root);
  const graph = {
    generated: `npm run gen from ${m.source}; do not edit`,
    name: m.name,
    id: m.id,
    initial: m.initial,
    events: m.events,
    guards: m.guards,
    actions: m.actions,
    tags: m.tags,
    nodes: nodes.map(node),
    transitions: nodes.flatMap((n) =>
      n.transitions.map((t) => ({
        source: t.source,
        event: t.event,
        ...(t.guard ? { guard: formatGuard(t.guard), guardExpr: t.guard } : {}),
        targets: t.targets,
        actions: t.actions,
        reenter: t.reenter,
      })),
    ),
    configurations: m.configurations,
    steps: m.steps,
  };
  return `${JSON.stringify(graph, null, 2)}\n`;
}
