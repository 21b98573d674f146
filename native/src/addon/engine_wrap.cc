// `Engine`: the media core as a JS class. One media thread per instance; one coalesced
// wake-up of JS per tick through a thread-safe function (bounded queue, NonBlockingCall, a
// wake-pending flag in the core), never one per frame or per call.
//
// Shutdown: close() joins the media thread, then releases the thread-safe function; an env
// cleanup hook does the same if JS never called close(), and the destructor asserts nothing
// of JS (basic finalizer). No thread and no TSFN outlives the instance.
#include <napi.h>

#include <memory>
#include <span>
#include <vector>

#include "addon/engine_fields.h"
#include "addon/registry.h"
#include "core/engine/engine.h"

namespace parley::addon {

namespace {

using engine::Call;
using engine::Engine;

void throw_coded(Napi::Env env, const char* code, const std::string& msg, bool type_error = false) {
  Napi::Error err = type_error ? Napi::TypeError::New(env, msg) : Napi::Error::New(env, msg);
  err.Set("code", Napi::String::New(env, code));
  err.ThrowAsJavaScriptException();
}

// Reads argument `i` as an integer in [0, max]; throws ERR_MEDIA_ARG otherwise.
bool arg_u32(const Napi::CallbackInfo& info, std::size_t i, std::uint32_t& out, double max = 4294967295.0) {
  if (info.Length() > i && info[i].IsNumber()) {
    const double v = info[i].As<Napi::Number>().DoubleValue();
    if (v >= 0 && v <= max && v == static_cast<double>(static_cast<std::uint64_t>(v))) {
      out = static_cast<std::uint32_t>(v);
      return true;
    }
  }
  throw_coded(info.Env(), "ERR_MEDIA_ARG", "argument " + std::to_string(i) + " must be an integer in 0.." +
                                               std::to_string(static_cast<std::uint64_t>(max)), true);
  return false;
}

// Reads argument `i` as a Uint8Array (a Buffer is one); throws ERR_MEDIA_ARG otherwise.
bool arg_bytes(const Napi::CallbackInfo& info, std::size_t i, std::span<const std::uint8_t>& out) {
  if (info.Length() > i && info[i].IsTypedArray()) {
    auto ta = info[i].As<Napi::TypedArray>();
    if (ta.TypedArrayType() == napi_uint8_array) {
      auto u8 = info[i].As<Napi::Uint8Array>();
      out = {u8.Data(), u8.ByteLength()};
      return true;
    }
  }
  throw_coded(info.Env(), "ERR_MEDIA_ARG", "argument " + std::to_string(i) + " must be a Uint8Array or Buffer", true);
  return false;
}

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
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
                           InstanceMethod<&EngineWrap::Drain>("drain"),
                           InstanceMethod<&EngineWrap::Stats>("stats"),
                           InstanceMethod<&EngineWrap::MarkStats>("markStats"),
                           InstanceMethod<&EngineWrap::LastTick>("lastTick"),
                           InstanceMethod<&EngineWrap::Close>("close"),
                       });
  }

  // new Engine(tickNs, maxCalls, onWake)
  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
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

  ~EngineWrap() override {
    Shutdown();
    if (!hook_ran_ && !hook_.IsEmpty()) hook_.Remove(Env());
  }

 private:
  // What a queued wake-up needs to know when it finally runs on the JS thread.
  struct WakeState {
    bool open = true;  // JS thread only: false once close() or the cleanup hook ran
  };

  static void CallJs(Napi::Env env, Napi::Function callback, std::shared_ptr<WakeState>* state, std::nullptr_t*) {
    // Torn down, or a wake-up queued before shutdown: JS must not run against a closed engine.
    if (env == nullptr || callback.IsEmpty() || state == nullptr || !(*state)->open) return;
    // Raw call: during env teardown JS cannot run and Function::Call would turn that status
    // into a throw, which itself fails (fatal). A JS exception stays pending and Node reports
    // it as uncaught, as for any callback.
    napi_value undefined = nullptr;
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 0, nullptr, nullptr);
  }
  using WakeTsfn = Napi::TypedThreadSafeFunction<std::shared_ptr<WakeState>, std::nullptr_t, &EngineWrap::CallJs>;

  // Media thread: queue one wake-up; never blocks.
  static bool Wake(void* ctx) noexcept { return static_cast<EngineWrap*>(ctx)->tsfn_.NonBlockingCall() == napi_ok; }

  static void OnEnvCleanup(EngineWrap* self) {
    self->hook_ran_ = true;
    self->Shutdown();
  }

  void Shutdown() noexcept {
    if (wake_state_) wake_state_->open = false;
    if (engine_) engine_->stop();  // joins the media thread: nothing calls Wake after this
    if (tsfn_live_) {
      tsfn_live_ = false;
      tsfn_.Release();
    }
  }

  bool Alive(Napi::Env env) {
    if (engine_ && !engine_->stopped()) return true;
    throw_coded(env, "ERR_MEDIA_CLOSED", "the media engine is closed");
    return false;
  }

  // The call named by argument 0, or nullptr (and a JS exception for a bad argument).
  Call* CallArg(const Napi::CallbackInfo& info) {
    std::uint32_t id = 0;
    if (!arg_u32(info, 0, id) || !Alive(info.Env())) return nullptr;
    return engine_->find(id);
  }

  // open(telCodec, telRate, aiCodec, aiRate, lookaheadMs, playoutCapacityMs, captureCapacityMs
  //      [, gainDb, dcBlock, ttsChain, limiterIndex]) -> id
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::uint32_t v[7];
    for (std::size_t i = 0; i < 7; ++i)
      if (!arg_u32(info, i, v[i])) return env.Undefined();
    engine::PlayoutOptions playout;
    if (!PlayoutArgs(info, 7, playout)) return env.Undefined();
    if (!Alive(env)) return env.Undefined();
    if (v[0] >= fields::kCodecs.size() || v[2] >= fields::kCodecs.size()) {
      throw_coded(env, "ERR_MEDIA_CONFIG", "codec index out of range");
      return env.Undefined();
    }
    engine::CallConfig cfg;
    cfg.formats.telephony = {static_cast<engine::Codec>(v[0]), v[1]};
    cfg.formats.ai = {static_cast<engine::Codec>(v[2]), v[3]};
    cfg.lookahead_ms = v[4];
    cfg.playout_capacity_ms = v[5];
    cfg.capture_capacity_ms = v[6];
    cfg.playout = playout;
    auto r = engine_->open(cfg);
    if (r.call == nullptr) {
      throw_coded(env, r.error == Engine::OpenError::kCapacity ? "ERR_MEDIA_CAPACITY"
                       : r.error == Engine::OpenError::kClosed ? "ERR_MEDIA_CLOSED"
                                                               : "ERR_MEDIA_CONFIG",
                  r.message);
      return env.Undefined();
    }
    return Napi::Number::New(env, r.call->id());
  }

  // The optional playout DSP arguments from `first` on; absent or undefined keeps the default.
  static bool PlayoutArgs(const Napi::CallbackInfo& info, std::size_t first, engine::PlayoutOptions& out) {
    auto given = [&](std::size_t i) { return info.Length() > i && !info[i].IsUndefined(); };
    if (given(first)) {
      if (!info[first].IsNumber()) {
        throw_coded(info.Env(), "ERR_MEDIA_ARG", "argument " + std::to_string(first) + " (gainDb) must be a number", true);
        return false;
      }
      out.gain_db = info[first].As<Napi::Number>().DoubleValue();  // range: validate_call_config
    }
    bool* flags[2] = {&out.dc_block, &out.tts_chain};
    for (std::size_t k = 0; k < 2; ++k) {
      const std::size_t i = first + 1 + k;
      if (!given(i)) continue;
      if (!info[i].IsBoolean()) {
        throw_coded(info.Env(), "ERR_MEDIA_ARG", "argument " + std::to_string(i) + (k == 0 ? " (dcBlock)" : " (ttsChain)") + " must be a boolean", true);
        return false;
      }
      *flags[k] = info[i].As<Napi::Boolean>().Value();
    }
    if (given(first + 3)) {
      std::uint32_t limiter = 0;
      if (!arg_u32(info, first + 3, limiter, fields::kLimiters.size() - 1)) return false;
      out.limiter = static_cast<engine::PlayoutLimiter>(limiter);
    }
    return true;
  }

  Napi::Value SetState(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    std::uint32_t index = 0;
    if (call == nullptr || !arg_u32(info, 1, index)) return Napi::Boolean::New(info.Env(), false);
    return Napi::Boolean::New(info.Env(), call->set_state(index));
  }

  Napi::Value WritePlayout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::uint32_t id = 0, epoch = 0, item = 0;
    std::span<const std::uint8_t> bytes;
    if (!arg_u32(info, 0, id) || !arg_bytes(info, 1, bytes) || !arg_u32(info, 2, epoch) || !arg_u32(info, 3, item))
      return env.Undefined();
    if (!Alive(env)) return env.Undefined();
    Call* call = engine_->find(id);
    const auto r = call ? call->write_playout(bytes, {epoch, item}) : engine::WriteResult::kClosed;
    return Napi::Number::New(env, static_cast<double>(r));
  }

  Napi::Value WriteCapture(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::uint32_t id = 0;
    std::span<const std::uint8_t> bytes;
    if (!arg_u32(info, 0, id) || !arg_bytes(info, 1, bytes) || !Alive(env)) return env.Undefined();
    Call* call = engine_->find(id);
    const auto r = call ? call->write_capture(bytes) : engine::WriteResult::kClosed;
    return Napi::Number::New(env, static_cast<double>(r));
  }

  Napi::Value RequestFlush(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    std::uint32_t epoch = 0;
    if (call == nullptr || !arg_u32(info, 1, epoch)) return Napi::Boolean::New(info.Env(), false);
    return Napi::Boolean::New(info.Env(), call->request_flush(epoch));
  }

  // Raw output records: [u32 epoch][u32 item][u32 len][u32 samples][len bytes]..., or null.
  Napi::Value ReadPlayout(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    if (call == nullptr) return info.Env().Null();
    const std::size_t n = call->playout_out_available();
    if (n == 0) return info.Env().Null();
    auto buf = Napi::Buffer<std::uint8_t>::New(info.Env(), n);
    call->read_playout_out({buf.Data(), n});
    return buf;
  }

  Napi::Value ReadCapture(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    if (call == nullptr) return info.Env().Null();
    const std::size_t n = call->capture_out_available();
    if (n == 0) return info.Env().Null();
    auto buf = Napi::Buffer<std::uint8_t>::New(info.Env(), n);
    call->read_capture_out({buf.Data(), n});
    return buf;
  }

  Napi::Value Delivered(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    std::uint32_t item = 0;
    if (call == nullptr || !arg_u32(info, 1, item)) return Napi::Number::New(info.Env(), -1);
    const auto d = call->delivered(item);
    return Napi::Number::New(info.Env(), d ? static_cast<double>(*d) : -1.0);
  }

  Napi::Value BufferedPlayoutBytes(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    return Napi::Number::New(info.Env(), call ? static_cast<double>(call->buffered_playout_bytes()) : 0.0);
  }

  Napi::Value PlayoutWriteIndex(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    return Napi::Number::New(info.Env(), call ? static_cast<double>(call->playout_write_index()) : 0.0);
  }

  Napi::Value PathDelay(const Napi::CallbackInfo& info) {
    Call* call = CallArg(info);
    return Napi::Number::New(info.Env(), call ? static_cast<double>(call->path_delay_ai_samples()) : 0.0);
  }

  // counters(id, out: Float64Array) fills fields::kCounters order; false for an unknown id.
  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Call* call = CallArg(info);
    if (call == nullptr) return Napi::Boolean::New(env, false);
    if (info.Length() < 2 || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[1].As<Napi::Float64Array>().ElementLength() < fields::kCounters.size()) {
      throw_coded(env, "ERR_MEDIA_ARG", "argument 1 must be a Float64Array of the counter count", true);
      return env.Undefined();
    }
    auto out = info[1].As<Napi::Float64Array>();
    for (std::size_t i = 0; i < fields::kCounters.size(); ++i) out[i] = static_cast<double>(fields::kCounters[i].get(*call));
    return Napi::Boolean::New(env, true);
  }

  Napi::Value CloseCall(const Napi::CallbackInfo& info) {
    std::uint32_t id = 0;
    if (!arg_u32(info, 0, id)) return info.Env().Undefined();
    if (!engine_ || engine_->stopped()) return Napi::Boolean::New(info.Env(), false);
    return Napi::Boolean::New(info.Env(), engine_->close_call(id));
  }

  // Records in the engine::Event layout (40 bytes each): one tick record (kind
  // fields::kTickRecord, `tick` = the media thread's last tick), the events, then one record
  // per call whose removal the media thread acknowledged (kind fields::kClosedAck; its
  // memory is freed now).
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!engine_ || engine_->stopped()) return Napi::Buffer<std::uint8_t>::New(env, 0);
    engine_->clear_wake_pending();  // before draining: a tick after this wakes JS again
    scratch_.clear();
    scratch_.push_back({0, static_cast<engine::EventKind>(fields::kTickRecord), 0, 0, 0, 0, 0, engine_->core().last_tick()});
    engine::Event ev;
    while (engine_->pop_event(ev)) scratch_.push_back(ev);
    engine_->collect_acks([&](std::uint32_t id) {
      scratch_.push_back({id, static_cast<engine::EventKind>(fields::kClosedAck), 0, 0, 0, 0, 0, engine_->core().last_tick()});
    });
    return Napi::Buffer<std::uint8_t>::Copy(env, reinterpret_cast<const std::uint8_t*>(scratch_.data()),
                                            scratch_.size() * sizeof(engine::Event));
  }

  // stats(out: Float64Array) fills fields::kStats order.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[0].As<Napi::Float64Array>().ElementLength() < fields::kStats.size()) {
      throw_coded(env, "ERR_MEDIA_ARG", "argument 0 must be a Float64Array of the stat count", true);
      return env.Undefined();
    }
    auto out = info[0].As<Napi::Float64Array>();
    if (!engine_) return env.Undefined();
    const auto& core = engine_->core();
    const auto late = engine_->thread().lateness();
    const auto work = engine_->thread().work();
    const double v[] = {
        static_cast<double>(engine_->open_calls()),   static_cast<double>(core.ticks()),
        static_cast<double>(core.last_tick()),        static_cast<double>(core.wakeups()),
        static_cast<double>(core.coalesced_wakeups()), static_cast<double>(core.wake_failures()),
        static_cast<double>(engine_->thread().missed_ticks()),
        static_cast<double>(late.p50),  static_cast<double>(late.p99),  static_cast<double>(late.max),
        static_cast<double>(late.samples),
        static_cast<double>(work.p50),  static_cast<double>(work.p99),  static_cast<double>(work.max),
        static_cast<double>(work.samples),
        static_cast<double>(core.events_dropped()),
        static_cast<double>(engine_->thread().sched()),
    };
    static_assert(std::size(v) == fields::kStats.size());
    for (std::size_t i = 0; i < std::size(v); ++i) out[i] = v[i];
    return env.Undefined();
  }

  // The last tick the media thread completed (cheap: one relaxed load).
  Napi::Value LastTick(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->core().last_tick()) : 0.0);
  }

  // Later lateness / tick-work percentiles cover only ticks from now on.
  Napi::Value MarkStats(const Napi::CallbackInfo& info) {
    if (engine_ && !engine_->stopped()) engine_->thread().mark_stats();
    return info.Env().Undefined();
  }

  // Joins the media thread, frees every call, releases the TSFN. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  std::unique_ptr<Engine> engine_;
  std::shared_ptr<WakeState> wake_state_;
  WakeTsfn tsfn_;
  bool tsfn_live_ = false;
  Napi::Env::CleanupHook<void (*)(EngineWrap*), EngineWrap> hook_;
  bool hook_ran_ = false;
  std::vector<engine::Event> scratch_;
};

void Export(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", EngineWrap::Define(env));
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace

}  // namespace parley::addon
