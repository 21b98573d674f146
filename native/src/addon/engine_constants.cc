// Exports the names behind every number the Engine class speaks (codecs, write results,
// event kinds, counter and stat order) and the playout states this build was generated
// with, so the TypeScript binding never hand-copies them and can refuse a stale build.
#include "addon/engine_fields.h"
#include "addon/registry.h"
#include "playout_guards.h"

namespace parley::addon {

namespace {

template <std::size_t N>
Napi::Array names(Napi::Env env, const std::array<const char*, N>& list) {
  Napi::Array a = Napi::Array::New(env, N);
  for (std::size_t i = 0; i < N; ++i) a.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, list[i]));
  return a;
}

void Export(Napi::Env env, Napi::Object exports) {
  namespace gen = parley::gen::playout;
  Napi::Object o = Napi::Object::New(env);
  o.Set("codecs", names(env, fields::kCodecs));
  o.Set("writeResults", names(env, fields::kWriteResults));
  o.Set("limiters", names(env, fields::kLimiters));
  Napi::Object events = Napi::Object::New(env);
  for (const auto& e : fields::kEvents) events.Set(e.name, Napi::Number::New(env, static_cast<double>(e.kind)));
  o.Set("events", events);
  Napi::Object trace = Napi::Object::New(env);
  for (const auto& e : fields::kTraceKinds) trace.Set(e.name, Napi::Number::New(env, static_cast<double>(e.kind)));
  o.Set("traceKinds", trace);
  o.Set("closedAck", Napi::Number::New(env, fields::kClosedAck));
  o.Set("tickRecord", Napi::Number::New(env, fields::kTickRecord));
  o.Set("eventBytes", Napi::Number::New(env, sizeof(engine::Event)));
  Napi::Array counters = Napi::Array::New(env, fields::kCounters.size());
  for (std::size_t i = 0; i < fields::kCounters.size(); ++i)
    counters.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, fields::kCounters[i].name));
  o.Set("counters", counters);
  o.Set("stats", names(env, fields::kStats));
  o.Set("sched", names(env, fields::kSched));
  Napi::Array states = Napi::Array::New(env, gen::kStateCount);
  for (std::size_t i = 0; i < gen::kStateCount; ++i)
    states.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, gen::state_name(static_cast<gen::State>(i))));
  o.Set("playoutStates", states);
  exports.Set("engineFields", o);
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace

}  // namespace parley::addon
