// `Engine`: the media core as a JS class. One media thread per instance; one coalesced
// wake-up of JS per tick through a thread-safe function (bounded queue, NonBlockingCall, a
// wake-pending flag in the core), never one per frame or per call.
//
// The methods live in three files by job: engine_wrap.cc (construction, the wake-up,
// shutdown), engine_calls.cc (one call: open, write, read, flush, close), engine_readouts.cc
// (the engine as a whole: drain of events and acks, stats).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "core/engine/engine.h"

namespace parley::addon {

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env);

  // new Engine(tickNs, maxCalls, onWake)
  explicit EngineWrap(const Napi::CallbackInfo& info);
  ~EngineWrap() override;

 private:
  // What a queued wake-up needs to know when it finally runs on the JS thread.
  struct WakeState {
    bool open = true;  // JS thread only: false once close() or the cleanup hook ran
  };

  static void CallJs(Napi::Env env, Napi::Function callback, std::shared_ptr<WakeState>* state, std::nullptr_t*);
  using WakeTsfn = Napi::TypedThreadSafeFunction<std::shared_ptr<WakeState>, std::nullptr_t, &EngineWrap::CallJs>;

  // Lifecycle (engine_wrap.cc).
  static bool Wake(void* ctx) noexcept;
  static void OnEnvCleanup(EngineWrap* self);
  void Shutdown() noexcept;
  bool Alive(Napi::Env env);
  engine::Call* CallArg(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  // One call (engine_calls.cc).
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  Napi::Value WritePlayout(const Napi::CallbackInfo& info);
  Napi::Value WriteCapture(const Napi::CallbackInfo& info);
  Napi::Value RequestFlush(const Napi::CallbackInfo& info);
  Napi::Value ReadPlayout(const Napi::CallbackInfo& info);
  Napi::Value ReadCapture(const Napi::CallbackInfo& info);
  Napi::Value Delivered(const Napi::CallbackInfo& info);
  Napi::Value BufferedPlayoutBytes(const Napi::CallbackInfo& info);
  Napi::Value PlayoutWriteIndex(const Napi::CallbackInfo& info);
  Napi::Value PathDelay(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value CloseCall(const Napi::CallbackInfo& info);
  Napi::Value SetTrace(const Napi::CallbackInfo& info);
  Napi::Value CoreWords(const Napi::CallbackInfo& info);

  // The engine as a whole (engine_readouts.cc).
  Napi::Value Drain(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value LastTick(const Napi::CallbackInfo& info);
  Napi::Value MarkStats(const Napi::CallbackInfo& info);

  std::unique_ptr<engine::Engine> engine_;
  std::shared_ptr<WakeState> wake_state_;
  WakeTsfn tsfn_;
  bool tsfn_live_ = false;
  Napi::Env::CleanupHook<void (*)(EngineWrap*), EngineWrap> hook_;
  bool hook_ran_ = false;
  std::vector<engine::Event> scratch_;  // Drain's records, reused between calls
};

}  // namespace parley::addon
