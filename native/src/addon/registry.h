// Each addon file registers its exports with PARLEY_ADDON_EXPORTS so that
// module.cc never needs editing when a component is added.
#pragma once
#include <napi.h>

#include <vector>

namespace parley::addon {

using ExportFn = void (*)(Napi::Env env, Napi::Object exports);

// Function-local static: safe against static-initialisation order.
inline std::vector<ExportFn>& export_fns() {
  static std::vector<ExportFn> fns;
  return fns;
}

struct Registrar {
  explicit Registrar(ExportFn fn) { export_fns().push_back(fn); }
};

}  // namespace parley::addon

#define PARLEY_ADDON_CONCAT_(a, b) a##b
#define PARLEY_ADDON_CONCAT(a, b) PARLEY_ADDON_CONCAT_(a, b)
#define PARLEY_ADDON_EXPORTS(fn) \
  static ::parley::addon::Registrar PARLEY_ADDON_CONCAT(parley_registrar_, __LINE__)(fn)
