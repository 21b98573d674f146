// Argument readers of the `Engine` class's methods. A bad argument becomes a JS exception
// with a `code` (ERR_MEDIA_ARG, ...) and a false return; callers return right after a false.
#pragma once

#include <napi.h>

#include <cstdint>
#include <span>
#include <string>

#include "addon/engine_fields.h"
#include "core/engine/path.h"

namespace parley::addon::engine_args {

inline void throw_coded(Napi::Env env, const char* code, const std::string& msg, bool type_error = false) {
  Napi::Error err = type_error ? Napi::TypeError::New(env, msg) : Napi::Error::New(env, msg);
  err.Set("code", Napi::String::New(env, code));
  err.ThrowAsJavaScriptException();
}

// Reads argument `i` as an integer in [0, max]; throws ERR_MEDIA_ARG otherwise.
inline bool arg_u32(const Napi::CallbackInfo& info, std::size_t i, std::uint32_t& out, double max = 4294967295.0) {
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
inline bool arg_bytes(const Napi::CallbackInfo& info, std::size_t i, std::span<const std::uint8_t>& out) {
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

// Reads argument `i` as a Float64Array of at least `n` elements; throws ERR_MEDIA_ARG otherwise.
inline bool arg_f64s(const Napi::CallbackInfo& info, std::size_t i, std::size_t n, const char* what, Napi::Float64Array& out) {
  if (info.Length() > i && info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array &&
      info[i].As<Napi::Float64Array>().ElementLength() >= n) {
    out = info[i].As<Napi::Float64Array>();
    return true;
  }
  throw_coded(info.Env(), "ERR_MEDIA_ARG", "argument " + std::to_string(i) + " must be a Float64Array of the " + what + " count", true);
  return false;
}

// The optional playout DSP arguments from `first` on (gainDb, dcBlock, ttsChain,
// limiterIndex); absent or undefined keeps the default.
inline bool playout_args(const Napi::CallbackInfo& info, std::size_t first, engine::PlayoutOptions& out) {
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

}  // namespace parley::addon::engine_args
