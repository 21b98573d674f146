// Stateless DSP exports for the differential tests: G.711, deterministic math, and the
// resampler's filter design.
#include <napi.h>

#include <string>

#include "addon/dsp_args.h"
#include "addon/registry.h"
#include "core/dsp/detmath.h"
#include "core/dsp/g711.h"
#include "core/dsp/resampler_design.h"

namespace parley::addon {
namespace {

using namespace dsp_args;
namespace g711 = parley::dsp::g711;
namespace detmath = parley::dsp::detmath;

bool law_arg(const Napi::CallbackInfo& info, bool& ulaw) {
  std::string law;
  if (!string_arg(info, 0, law)) return false;
  if (law != "mulaw" && law != "alaw") {
    throw_arg(info.Env(), "law must be 'mulaw' or 'alaw'", true);
    return false;
  }
  ulaw = law == "mulaw";
  return true;
}

// dspG711Encode(law, Int16Array) -> Uint8Array
Napi::Value G711Encode(const Napi::CallbackInfo& info) {
  bool ulaw = false;
  Napi::Int16Array in;
  if (!law_arg(info, ulaw) || !int16_arg(info, 1, in)) return info.Env().Undefined();
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), in.ElementLength());
  if (ulaw) g711::ulaw_encode(in.Data(), in.ElementLength(), out.Data());
  else g711::alaw_encode(in.Data(), in.ElementLength(), out.Data());
  return out;
}

// dspG711Decode(law, Uint8Array) -> Int16Array
Napi::Value G711Decode(const Napi::CallbackInfo& info) {
  bool ulaw = false;
  Napi::Uint8Array in;
  if (!law_arg(info, ulaw) || !uint8_arg(info, 1, in)) return info.Env().Undefined();
  Napi::Int16Array out = Napi::Int16Array::New(info.Env(), in.ElementLength());
  if (ulaw) g711::ulaw_decode(in.Data(), in.ElementLength(), out.Data());
  else g711::alaw_decode(in.Data(), in.ElementLength(), out.Data());
  return out;
}

// dspDetmath(name, Float64Array) -> Float64Array
Napi::Value Detmath(const Napi::CallbackInfo& info) {
  std::string name;
  if (!string_arg(info, 0, name)) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_arg(info.Env(), "argument 1 must be a Float64Array");
    return info.Env().Undefined();
  }
  double (*fn)(double) = nullptr;
  if (name == "exp2") fn = detmath::exp2;
  else if (name == "log2") fn = detmath::log2;
  else if (name == "sin") fn = detmath::sin;
  else if (name == "cos") fn = detmath::cos;
  else if (name == "pow10") fn = detmath::pow10;
  else if (name == "exp") fn = detmath::exp;
  else if (name == "besselI0") fn = detmath::bessel_i0;
  else if (name == "coarseExp2") fn = detmath::coarse_exp2;
  else if (name == "coarseLog2") fn = detmath::coarse_log2;
  if (!fn) {
    throw_arg(info.Env(), "unknown detmath function '" + name + "'", true);
    return info.Env().Undefined();
  }
  Napi::Float64Array in = info[1].As<Napi::Float64Array>();
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), in.ElementLength());
  for (size_t i = 0; i < in.ElementLength(); ++i) out[i] = fn(in[i]);
  return out;
}

// dspResamplerDesign(inRate, outRate, 'voice' | 'strict') -> { up, down, taps, delayUp, ..., coefs, identityTap }
Napi::Value ResamplerDesign(const Napi::CallbackInfo& info) {
  int in_rate = 0, out_rate = 0;
  std::string q = "voice";
  if (!int_arg(info, 0, in_rate, 1, 384000) || !int_arg(info, 1, out_rate, 1, 384000)) return info.Env().Undefined();
  if (info.Length() > 2 && !info[2].IsUndefined() && !string_arg(info, 2, q)) return info.Env().Undefined();
  if (q != "voice" && q != "strict") {
    throw_arg(info.Env(), "quality must be 'voice' or 'strict'", true);
    return info.Env().Undefined();
  }
  parley::dsp::ResamplerDesign d;
  try {
    d = parley::dsp::design_resampler(in_rate, out_rate, q == "voice" ? parley::dsp::ResamplerQuality::kVoice : parley::dsp::ResamplerQuality::kStrict);
  } catch (const std::exception& e) {
    throw_arg(info.Env(), e.what(), true);
    return info.Env().Undefined();
  }
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("up", d.up);
  o.Set("down", d.down);
  o.Set("taps", d.taps);
  o.Set("delayUp", d.delay_up);
  o.Set("designAttenDb", d.design_atten_db);
  o.Set("beta", d.beta);
  Napi::Float64Array coefs = Napi::Float64Array::New(env, d.coefs.size());
  for (size_t i = 0; i < d.coefs.size(); ++i) coefs[i] = d.coefs[i];
  o.Set("coefs", coefs);
  Napi::Int32Array ids = Napi::Int32Array::New(env, d.identity_tap.size());
  for (size_t i = 0; i < d.identity_tap.size(); ++i) ids[i] = d.identity_tap[i];
  o.Set("identityTap", ids);
  return o;
}

void Export(Napi::Env env, Napi::Object exports) {
  exports.Set("dspG711Encode", Napi::Function::New<G711Encode>(env, "dspG711Encode"));
  exports.Set("dspG711Decode", Napi::Function::New<G711Decode>(env, "dspG711Decode"));
  exports.Set("dspDetmath", Napi::Function::New<Detmath>(env, "dspDetmath"));
  exports.Set("dspResamplerDesign", Napi::Function::New<ResamplerDesign>(env, "dspResamplerDesign"));
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace
}  // namespace parley::addon
