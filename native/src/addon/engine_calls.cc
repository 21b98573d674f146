// The `Engine` class's per-call methods: open a call, set its state word, write and read its
// audio, request a flush, read its delivered counts and counters, close it. An unknown id is
// not an error (the call may have closed): writes answer kClosed, reads null or a neutral value.
#include <span>

#include "addon/engine_args.h"
#include "addon/engine_fields.h"
#include "addon/engine_wrap.h"

namespace parley::addon {

using engine::Call;
using engine::Engine;
using engine_args::arg_bytes;
using engine_args::arg_u32;
using engine_args::throw_coded;

// open(telCodec, telRate, aiCodec, aiRate, lookaheadMs, playoutCapacityMs, captureCapacityMs
//      [, gainDb, dcBlock, ttsChain, limiterIndex]) -> id
Napi::Value EngineWrap::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::uint32_t v[7];
  for (std::size_t i = 0; i < 7; ++i)
    if (!arg_u32(info, i, v[i])) return env.Undefined();
  engine::PlayoutOptions playout;
  if (!engine_args::playout_args(info, 7, playout)) return env.Undefined();
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

Napi::Value EngineWrap::SetState(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  std::uint32_t index = 0;
  if (call == nullptr || !arg_u32(info, 1, index)) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), call->set_state(index));
}

Napi::Value EngineWrap::WritePlayout(const Napi::CallbackInfo& info) {
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

Napi::Value EngineWrap::WriteCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::uint32_t id = 0;
  std::span<const std::uint8_t> bytes;
  if (!arg_u32(info, 0, id) || !arg_bytes(info, 1, bytes) || !Alive(env)) return env.Undefined();
  Call* call = engine_->find(id);
  const auto r = call ? call->write_capture(bytes) : engine::WriteResult::kClosed;
  return Napi::Number::New(env, static_cast<double>(r));
}

Napi::Value EngineWrap::RequestFlush(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  std::uint32_t epoch = 0;
  if (call == nullptr || !arg_u32(info, 1, epoch)) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), call->request_flush(epoch));
}

// Raw output records: [u32 epoch][u32 item][u32 len][u32 samples][len bytes]..., or null.
Napi::Value EngineWrap::ReadPlayout(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  if (call == nullptr) return info.Env().Null();
  const std::size_t n = call->playout_out_available();
  if (n == 0) return info.Env().Null();
  auto buf = Napi::Buffer<std::uint8_t>::New(info.Env(), n);
  call->read_playout_out({buf.Data(), n});
  return buf;
}

Napi::Value EngineWrap::ReadCapture(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  if (call == nullptr) return info.Env().Null();
  const std::size_t n = call->capture_out_available();
  if (n == 0) return info.Env().Null();
  auto buf = Napi::Buffer<std::uint8_t>::New(info.Env(), n);
  call->read_capture_out({buf.Data(), n});
  return buf;
}

Napi::Value EngineWrap::Delivered(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  std::uint32_t item = 0;
  if (call == nullptr || !arg_u32(info, 1, item)) return Napi::Number::New(info.Env(), -1);
  const auto d = call->delivered(item);
  return Napi::Number::New(info.Env(), d ? static_cast<double>(*d) : -1.0);
}

Napi::Value EngineWrap::BufferedPlayoutBytes(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  return Napi::Number::New(info.Env(), call ? static_cast<double>(call->buffered_playout_bytes()) : 0.0);
}

Napi::Value EngineWrap::PlayoutWriteIndex(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  return Napi::Number::New(info.Env(), call ? static_cast<double>(call->playout_write_index()) : 0.0);
}

Napi::Value EngineWrap::PathDelay(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  return Napi::Number::New(info.Env(), call ? static_cast<double>(call->path_delay_ai_samples()) : 0.0);
}

// counters(id, out: Float64Array) fills fields::kCounters order; false for an unknown id.
Napi::Value EngineWrap::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call* call = CallArg(info);
  if (call == nullptr) return Napi::Boolean::New(env, false);
  Napi::Float64Array out;
  if (!engine_args::arg_f64s(info, 1, fields::kCounters.size(), "counter", out)) return env.Undefined();
  for (std::size_t i = 0; i < fields::kCounters.size(); ++i) out[i] = static_cast<double>(fields::kCounters[i].get(*call));
  return Napi::Boolean::New(env, true);
}

// setTrace(id, on): trace mode for one call (its kTrace* records come through drain()).
Napi::Value EngineWrap::SetTrace(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  if (call == nullptr || info.Length() < 2 || !info[1].IsBoolean()) return Napi::Boolean::New(info.Env(), false);
  call->set_trace(info[1].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), true);
}

// coreWords(id) -> [state index, ring epoch] as the media thread reads them, or null.
Napi::Value EngineWrap::CoreWords(const Napi::CallbackInfo& info) {
  Call* call = CallArg(info);
  if (call == nullptr) return info.Env().Null();
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), call->state()));
  out.Set(1u, Napi::Number::New(info.Env(), call->ring_epoch()));
  return out;
}

Napi::Value EngineWrap::CloseCall(const Napi::CallbackInfo& info) {
  std::uint32_t id = 0;
  if (!arg_u32(info, 0, id)) return info.Env().Undefined();
  if (!engine_ || engine_->stopped()) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), engine_->close_call(id));
}

}  // namespace parley::addon
