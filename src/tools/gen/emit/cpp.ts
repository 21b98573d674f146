// native/generated/<name>_guards.h: the state enum (in configuration order, which is the index
// JS writes into a call's atomic state word) and one constexpr predicate per tag, as a bit mask
// test so the media thread pays one shift per check.
import type { MachineModel } from '../model.js';
import { cppStateIdent, lowerSnake, tagIdent } from '../names.js';
import { banner } from './banner.js';

export function emitCppHeader(m: MachineModel): string {
  const ns = lowerSnake(m.name);
  const states = m.configurations.map((c) => ({ ...c, ident: cppStateIdent(c.name) }));
  const mask = (pred: (c: (typeof states)[number]) => boolean): string => {
    let bits = 0n;
    for (const c of states) if (pred(c)) bits |= 1n << BigInt(c.index);
    return `0x${bits.toString(16)}ULL`;
  };
  const initial = states.find((c) => c.name === m.initial);
  const lines: string[] = [];
  lines.push(banner('//', m.source, `State enum and tag predicates of the '${m.id}' machine (see specs/README.md).`));
  lines.push('#pragma once', '', '#include <cstddef>', '#include <cstdint>', '', `namespace parley::gen::${ns} {`, '');
  lines.push('// The index of each enumerator is the value JS writes into the state word.');
  lines.push('enum class State : std::uint8_t {');
  for (const c of states) lines.push(`  ${c.ident} = ${c.index},`);
  lines.push('};', '');
  lines.push(`inline constexpr std::size_t kStateCount = ${states.length};`);
  lines.push(`inline constexpr State kInitialState = State::${initial?.ident ?? states[0]?.ident ?? 'invalid'};`, '');
  lines.push('/// Whether a raw state word names a State (anything else is a corrupt word).');
  lines.push('constexpr bool is_state_index(std::uint32_t index) { return index < kStateCount; }', '');
  lines.push('constexpr const char* state_name(State s) {', '  switch (s) {');
  for (const c of states) lines.push(`    case State::${c.ident}: return "${c.name}";`);
  lines.push('  }', '  return "?";', '}', '');
  lines.push('namespace detail {');
  lines.push('constexpr bool in_mask(std::uint64_t mask, State s) {');
  lines.push('  return ((mask >> static_cast<unsigned>(s)) & 1ULL) != 0;');
  lines.push('}');
  lines.push('}  // namespace detail', '');
  lines.push('/// The machine is done: it takes no further transitions.');
  lines.push(`constexpr bool is_done(State s) { return detail::in_mask(${mask((c) => c.done)}, s); }`, '');
  for (const tag of m.tags) {
    const members = states.filter((c) => c.tags.includes(tag)).map((c) => c.name);
    lines.push(`/// ${tag}: ${members.join(', ') || '(no state)'}`);
    lines.push(`constexpr bool tag_${tagIdent(tag)}(State s) { return detail::in_mask(${mask((c) => c.tags.includes(tag))}, s); }`, '');
  }
  lines.push(`}  // namespace parley::gen::${ns}`, '');
  return lines.join('\n');
}
