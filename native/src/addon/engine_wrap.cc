// The `Engine` class's lifecycle: construction (starts the media thread), the coalesced
// wake-up of JS, and shutdown.
//
// Shutdown: close() joins the media thread, then releases the thread-safe function; an env
// cleanup hook does the same if JS never called close(), and the destructor asserts nothing
// of JS (basic finalizer). No thread and no TSFN outlives the instance.
#include "addon/engine_wrap.h"

#include "addon/engine_args.h"
#include "addon/registry.h"

namespace parley::addon {

using engine::Call;
using engine::Engine;
using engine_args::arg_u32;
using engine_args::throw_coded;

Napi::Function EngineWrap::Define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod<&EngineWrap::Open>("open"),
                         InstanceMethod<&EngineWrap::SetState>("setState"),
                         InstanceMethod<&EngineWrap::WritePlayout>("writePlayout"),
                         InstanceMethod<&EngineWrap::WriteCapture>("writeCapture"),
                         InstanceMethod<&EngineWrap::RequestFlush>("requestFlush"),
                         InstanceMethod<&EngineWrap::ReadPlayout>("readPlayout"),
                         InstanceMethod<&EngineWrap::ReadCapture>("readCapture"),
                         InstanceMethod<&EngineWrap::Delivered>("delivered"),
                         InstanceMethod<&EngineWrap::BufferedPlayoutBytes>("bufferedPlayoutBytes"),
                         InstanceMethod<&EngineWrap::PlayoutWriteIndex>("playoutWriteIndex"),
                         InstanceMethod<&EngineWrap::PathDelay>("pathDelay"),
                         InstanceMethod<&EngineWrap::Counters>("counters"),
                         InstanceMethod<&EngineWrap::CloseCall>("closeCall"),
                         InstanceMethod<&EngineWrap::SetTrace>("setTrace"),
                         InstanceMethod<&EngineWrap::CoreWords>("coreWords"),
                         InstanceMethod<&EngineWrap::Drain>("drain"),
                         InstanceMethod<&EngineWrap::Stats>("stats"),
                         InstanceMethod<&EngineWrap::MarkStats>("markStats"),
                         InstanceMethod<&EngineWrap::LastTick>("lastTick"),
                         InstanceMethod<&EngineWrap::Close>("close"),
                     });
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  std::uint32_t tick_ns = 0, max_calls = 0;
  if (!arg_u32(info, 0, tick_ns) || !arg_u32(info, 1, max_calls, 65535)) return;
  if (info.Length() < 3 || !info[2].IsFunction()) {
    throw_coded(env, "ERR_MEDIA_ARG", "argument 2 must be the wake-up callback", true);
    return;
  }
  Engine::Options opts;
  opts.tick_ns = tick_ns;
  opts.max_calls = max_calls;
  // Optional argument 3: wake JS every this many ticks (range: Engine::validate).
  if (info.Length() > 3 && !info[3].IsUndefined() && !arg_u32(info, 3, opts.wake_every_ticks, 255)) return;
  if (const char* bad = Engine::validate(opts)) {
    throw_coded(env, "ERR_MEDIA_CONFIG", bad);
    return;
  }
  // Queue of 2: with the core's wake-pending flag at most one call is ever queued. The
  // context is shared with the TSFN, which may outlive this object during env teardown.
  wake_state_ = std::make_shared<WakeState>();
  tsfn_ = WakeTsfn::New(env, info[2].As<Napi::Function>(), "parley.media.wake", 2, 1,
                        new std::shared_ptr<WakeState>(wake_state_),
                        [](Napi::Env, void*, std::shared_ptr<WakeState>* ctx) { delete ctx; });
  tsfn_.Unref(env);  // an idle engine does not keep the process alive
  tsfn_live_ = true;
  opts.wake = &EngineWrap::Wake;
  opts.wake_ctx = this;
  engine_ = std::make_unique<Engine>(opts);  // starts the media thread: last
  hook_ = env.AddCleanupHook(&EngineWrap::OnEnvCleanup, this);
}

EngineWrap::~EngineWrap() {
  Shutdown();
  if (!hook_ran_ && !hook_.IsEmpty()) hook_.Remove(Env());
}

void EngineWrap::CallJs(Napi::Env env, Napi::Function callback, std::shared_ptr<WakeState>* state, std::nullptr_t*) {
  // Torn down, or a wake-up queued before shutdown: JS must not run against a closed engine.
  if (env == nullptr || callback.IsEmpty() || state == nullptr || !(*state)->open) return;
  // Raw call: during env teardown JS cannot run and Function::Call would turn that status
  // into a throw, which itself fails (fatal). A JS exception stays pending and Node reports
  // it as uncaught, as for any callback.
  napi_value undefined = nullptr;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, callback, 0, nullptr, nullptr);
}

// Media thread: queue one wake-up; never blocks.
bool EngineWrap::Wake(void* ctx) noexcept { return static_cast<EngineWrap*>(ctx)->tsfn_.NonBlockingCall() == napi_ok; }

void EngineWrap::OnEnvCleanup(EngineWrap* self) {
  self->hook_ran_ = true;
  self->Shutdown();
}

void EngineWrap::Shutdown() noexcept {
  if (wake_state_) wake_state_->open = false;
  if (engine_) engine_->stop();  // joins the media thread: nothing calls Wake after this
  if (tsfn_live_) {
    tsfn_live_ = false;
    tsfn_.Release();
  }
}

bool EngineWrap::Alive(Napi::Env env) {
  if (engine_ && !engine_->stopped()) return true;
  throw_coded(env, "ERR_MEDIA_CLOSED", "the media engine is closed");
  return false;
}

// The call named by argument 0, or nullptr (and a JS exception for a bad argument).
Call* EngineWrap::CallArg(const Napi::CallbackInfo& info) {
  std::uint32_t id = 0;
  if (!arg_u32(info, 0, id) || !Alive(info.Env())) return nullptr;
  return engine_->find(id);
}

// Joins the media thread, frees every call, releases the TSFN. Idempotent.
Napi::Value EngineWrap::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

namespace {

void Export(Napi::Env env, Napi::Object exports) { exports.Set("Engine", EngineWrap::Define(env)); }

PARLEY_ADDON_EXPORTS(Export);

}  // namespace

}  // namespace parley::addon
