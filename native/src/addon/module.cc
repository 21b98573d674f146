// The addon's entry point: runs every registered export function.
#include "addon/registry.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto fn : parley::addon::export_fns()) fn(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(parley_core, Init)
