// Argument helpers shared by the DSP exports (differential tests and benchmarks). Errors
// become JS TypeError/RangeError with code ERR_DSP_ARG; callers return right after a false.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace parley::addon::dsp_args {

inline void throw_arg(Napi::Env env, const std::string& msg, bool range = false) {
  if (range) {
    Napi::RangeError err = Napi::RangeError::New(env, msg);
    err.Set("code", Napi::String::New(env, "ERR_DSP_ARG"));
    err.ThrowAsJavaScriptException();
  } else {
    Napi::TypeError err = Napi::TypeError::New(env, msg);
    err.Set("code", Napi::String::New(env, "ERR_DSP_ARG"));
    err.ThrowAsJavaScriptException();
  }
}

inline bool int_arg(const Napi::CallbackInfo& info, size_t i, int& out, int lo, int hi) {
  if (info.Length() > i && info[i].IsNumber()) {
    const double v = info[i].As<Napi::Number>().DoubleValue();
    if (v >= lo && v <= hi && v == static_cast<double>(static_cast<int>(v))) {
      out = static_cast<int>(v);
      return true;
    }
  }
  throw_arg(info.Env(), "argument " + std::to_string(i) + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi), true);
  return false;
}

inline bool string_arg(const Napi::CallbackInfo& info, size_t i, std::string& out) {
  if (info.Length() > i && info[i].IsString()) {
    out = info[i].As<Napi::String>().Utf8Value();
    return true;
  }
  throw_arg(info.Env(), "argument " + std::to_string(i) + " must be a string");
  return false;
}

inline bool int16_arg(const Napi::CallbackInfo& info, size_t i, Napi::Int16Array& out) {
  if (info.Length() > i && info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_int16_array) {
    out = info[i].As<Napi::Int16Array>();
    return true;
  }
  throw_arg(info.Env(), "argument " + std::to_string(i) + " must be an Int16Array");
  return false;
}

inline bool uint8_arg(const Napi::CallbackInfo& info, size_t i, Napi::Uint8Array& out) {
  if (info.Length() > i && info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    out = info[i].As<Napi::Uint8Array>();
    return true;
  }
  throw_arg(info.Env(), "argument " + std::to_string(i) + " must be a Uint8Array");
  return false;
}

/** Optional object argument; absent or undefined gives an empty object. */
inline bool object_arg(const Napi::CallbackInfo& info, size_t i, Napi::Object& out) {
  if (info.Length() <= i || info[i].IsUndefined()) {
    out = Napi::Object::New(info.Env());
    return true;
  }
  if (info[i].IsObject()) {
    out = info[i].As<Napi::Object>();
    return true;
  }
  throw_arg(info.Env(), "argument " + std::to_string(i) + " must be an object");
  return false;
}

/** Reads an optional finite number field into `out` (left unchanged when absent). */
inline bool number_field(Napi::Object o, const char* key, double& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d == d && d - d == 0) {
      out = d;
      return true;
    }
  }
  throw_arg(o.Env(), std::string("field '") + key + "' must be a finite number", true);
  return false;
}

inline bool bool_field(Napi::Object o, const char* key, bool& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (v.IsBoolean()) {
    out = v.As<Napi::Boolean>().Value();
    return true;
  }
  throw_arg(o.Env(), std::string("field '") + key + "' must be a boolean");
  return false;
}

inline Napi::Int16Array copy_out(Napi::Env env, const int16_t* data, size_t n) {
  Napi::Int16Array a = Napi::Int16Array::New(env, n);
  for (size_t i = 0; i < n; ++i) a[i] = data[i];
  return a;
}

}  // namespace parley::addon::dsp_args
