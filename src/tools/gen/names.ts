// Identifier spellings of one machine name in each target language.

/** 'aiLink' → 'AiLink' (TLA+ module prefix, TS type prefix). */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** 'aiLink' → 'AI_LINK' (TS constant prefix). */
export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** 'aiLink' → 'ai_link' (C++ namespace). */
export function lowerSnake(name: string): string {
  return upperSnake(name).toLowerCase();
}

/** 'media.playout' → 'media_playout': tag predicate names ('.' and '-' become '_'). */
export function tagIdent(tag: string): string {
  return tag.replace(/[.-]/g, '_').replace(/[^A-Za-z0-9_]/g, '_');
}

const CPP_KEYWORDS = new Set(
  ('alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class ' +
    'compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype ' +
    'default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline ' +
    'int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register ' +
    'reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template ' +
    'this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t ' +
    'while xor xor_eq').split(' '),
);

/** Configuration name → C++ enumerator: 'active.speaking|link.open' → 'active_speaking__link_open'. */
export function cppStateIdent(config: string): string {
  const id = config.replace(/\|/g, '__').replace(/[.-]/g, '_').replace(/[^A-Za-z0-9_]/g, '_');
  const safe = /^[0-9]/.test(id) ? `s_${id}` : id;
  return CPP_KEYWORDS.has(safe) ? `${safe}_` : safe;
}
