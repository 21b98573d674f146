// The `Engine` class's engine-wide readouts: the drain of events and close acknowledgements
// (called once per coalesced wake-up), the stats block and the last completed tick.
#include <iterator>

#include "addon/engine_args.h"
#include "addon/engine_fields.h"
#include "addon/engine_wrap.h"

namespace parley::addon {

// Records in the engine::Event layout (40 bytes each): one tick record (kind
// fields::kTickRecord, `tick` = the media thread's last tick), the events, then one record
// per call whose removal the media thread acknowledged (kind fields::kClosedAck; its
// memory is freed now).
Napi::Value EngineWrap::Drain(const Napi::CallbackInfo& info) {
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
Napi::Value EngineWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float64Array out;
  if (!engine_args::arg_f64s(info, 0, fields::kStats.size(), "stat", out)) return env.Undefined();
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
Napi::Value EngineWrap::LastTick(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->core().last_tick()) : 0.0);
}

// Later lateness / tick-work percentiles cover only ticks from now on.
Napi::Value EngineWrap::MarkStats(const Napi::CallbackInfo& info) {
  if (engine_ && !engine_->stopped()) engine_->thread().mark_stats();
  return info.Env().Undefined();
}

}  // namespace parley::addon
