// Exposes the core's ABI version so the TypeScript binding can refuse a stale build.
#include "addon/registry.h"

namespace {

constexpr int kAbiVersion = 3;  // 2: open() takes the playout DSP options; 3: Engine takes wakeEveryTicks

void Export(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace
