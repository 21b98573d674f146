// Stateful DSP blocks as JS classes, for the differential tests and the benchmark:
// DspResampler, DspChain (the playout DSP chain) and DspVad. Each call copies its output
// into a new typed array; none of this is on the engine's per-frame path.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "addon/dsp_args.h"
#include "addon/registry.h"
#include "core/dsp/playout_dsp.h"
#include "core/dsp/resampler.h"
#include "core/dsp/vad.h"

namespace parley::addon {
namespace {

using namespace dsp_args;
namespace dsp = parley::dsp;

class ResamplerWrap : public Napi::ObjectWrap<ResamplerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DspResampler",
                       {InstanceMethod<&ResamplerWrap::Process>("process"), InstanceMethod<&ResamplerWrap::Drain>("drain"),
                        InstanceMethod<&ResamplerWrap::Reset>("reset"), InstanceMethod<&ResamplerWrap::Info>("info")});
  }

  explicit ResamplerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ResamplerWrap>(info) {
    int in_rate = 0, out_rate = 0;
    std::string q = "voice";
    if (!int_arg(info, 0, in_rate, 1, 384000) || !int_arg(info, 1, out_rate, 1, 384000)) return;
    if (info.Length() > 2 && !info[2].IsUndefined() && !string_arg(info, 2, q)) return;
    if (q != "voice" && q != "strict") {
      throw_arg(info.Env(), "quality must be 'voice' or 'strict'", true);
      return;
    }
    try {
      r_ = std::make_unique<dsp::Resampler>(in_rate, out_rate, q == "voice" ? dsp::ResamplerQuality::kVoice : dsp::ResamplerQuality::kStrict);
    } catch (const std::exception& e) {
      throw_arg(info.Env(), e.what(), true);
    }
  }

 private:
  bool ready(Napi::Env env) {
    if (r_) return true;
    throw_arg(env, "DspResampler was not constructed");
    return false;
  }
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Int16Array in;
    if (!ready(info.Env()) || !int16_arg(info, 0, in)) return info.Env().Undefined();
    buf_.resize(r_->max_outputs_for(in.ElementLength()));
    const size_t n = r_->process(in.Data(), in.ElementLength(), buf_.data());
    return copy_out(info.Env(), buf_.data(), n);
  }
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    buf_.resize(r_->max_outputs_for(static_cast<size_t>(r_->delay_in())));
    const size_t n = r_->drain(buf_.data());
    return copy_out(info.Env(), buf_.data(), n);
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    if (ready(info.Env())) r_->reset();
    return info.Env().Undefined();
  }
  Napi::Value Info(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("up", r_->design().up);
    o.Set("down", r_->design().down);
    o.Set("taps", r_->design().taps);
    o.Set("delayIn", r_->delay_in());
    o.Set("delayOut", r_->delay_out());
    o.Set("consumed", static_cast<double>(r_->consumed()));
    o.Set("produced", static_cast<double>(r_->produced()));
    o.Set("kernel", r_->kernel_name());
    return o;
  }

  std::unique_ptr<dsp::Resampler> r_;
  std::vector<int16_t> buf_;
};

// Reads a PlayoutDspConfig from a JS object with the TypeScript reference's field names.
bool read_chain_config(Napi::Object o, dsp::PlayoutDspConfig& c) {
  std::string limiter = "peak";
  Napi::Value lv = o.Get("limiter");
  if (!lv.IsUndefined()) {
    if (!lv.IsString()) return throw_arg(o.Env(), "field 'limiter' must be a string"), false;
    limiter = lv.As<Napi::String>().Utf8Value();
  }
  if (limiter == "none") c.limiter = dsp::LimiterMode::kNone;
  else if (limiter == "peak") c.limiter = dsp::LimiterMode::kPeak;
  else if (limiter == "softclip") c.limiter = dsp::LimiterMode::kSoftClip;
  else return throw_arg(o.Env(), "field 'limiter' must be 'none', 'peak' or 'softclip'", true), false;
  if (!number_field(o, "gainDb", c.gain_db) || !bool_field(o, "dcBlock", c.dc_block) || !bool_field(o, "ttsChain", c.tts_chain) ||
      !number_field(o, "limitDbfs", c.limit_dbfs) || !number_field(o, "limiterReleaseMs", c.limiter_release_ms) ||
      !number_field(o, "softClipThreshold", c.soft_clip_threshold) || !number_field(o, "fadeOutMs", c.fade_out_ms) ||
      !number_field(o, "fadeInMs", c.fade_in_ms))
    return false;
  Napi::Value tv = o.Get("tts");
  if (tv.IsObject()) {
    Napi::Object t = tv.As<Napi::Object>();
    dsp::TtsChainParams& p = c.tts;
    if (!number_field(t, "dcRAt8k", p.dc_r_at_8k) || !number_field(t, "gateThresholdDb", p.gate_threshold_db) ||
        !number_field(t, "gateAttackMs", p.gate_attack_ms) || !number_field(t, "gateReleaseMs", p.gate_release_ms) ||
        !number_field(t, "compThresholdDb", p.comp_threshold_db) || !number_field(t, "compRatio", p.comp_ratio) ||
        !number_field(t, "compAttackMs", p.comp_attack_ms) || !number_field(t, "compReleaseMs", p.comp_release_ms) ||
        !number_field(t, "compMakeupDb", p.comp_makeup_db) || !number_field(t, "compKneeDb", p.comp_knee_db) ||
        !number_field(t, "shelfHz", p.shelf_hz) || !number_field(t, "shelfDb", p.shelf_db) || !number_field(t, "shelfQ", p.shelf_q) ||
        !number_field(t, "lpfHz", p.lpf_hz) || !number_field(t, "lpfQ", p.lpf_q) || !number_field(t, "clipThreshold", p.clip_threshold))
      return false;
  }
  return true;
}

class ChainWrap : public Napi::ObjectWrap<ChainWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DspChain",
                       {InstanceMethod<&ChainWrap::Process>("process"), InstanceMethod<&ChainWrap::FadeOut>("startFadeOut"),
                        InstanceMethod<&ChainWrap::FadeIn>("startFadeIn"), InstanceMethod<&ChainWrap::Restart>("restartFromSilence"),
                        InstanceMethod<&ChainWrap::Muted>("muted"),
                        InstanceMethod<&ChainWrap::ResetFilters>("resetFilters")});
  }

  explicit ChainWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ChainWrap>(info) {
    int rate = 0;
    Napi::Object cfg;
    dsp::PlayoutDspConfig c;
    if (!int_arg(info, 0, rate, 1000, 384000) || !object_arg(info, 1, cfg) || !read_chain_config(cfg, c)) return;
    chain_ = std::make_unique<dsp::PlayoutDsp>(rate, c);
  }

 private:
  bool ready(Napi::Env env) {
    if (chain_) return true;
    throw_arg(env, "DspChain was not constructed");
    return false;
  }
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Int16Array in;
    if (!ready(info.Env()) || !int16_arg(info, 0, in)) return info.Env().Undefined();
    buf_.assign(in.Data(), in.Data() + in.ElementLength());
    chain_->process(buf_.data(), buf_.size());
    return copy_out(info.Env(), buf_.data(), buf_.size());
  }
  Napi::Value FadeOut(const Napi::CallbackInfo& info) {
    if (ready(info.Env())) chain_->start_fade_out();
    return info.Env().Undefined();
  }
  Napi::Value FadeIn(const Napi::CallbackInfo& info) {
    if (ready(info.Env())) chain_->start_fade_in();
    return info.Env().Undefined();
  }
  Napi::Value Restart(const Napi::CallbackInfo& info) {
    if (ready(info.Env())) chain_->restart_from_silence();
    return info.Env().Undefined();
  }
  Napi::Value Muted(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    return Napi::Boolean::New(info.Env(), chain_->muted());
  }
  Napi::Value ResetFilters(const Napi::CallbackInfo& info) {
    if (ready(info.Env())) chain_->reset_filters();
    return info.Env().Undefined();
  }

  std::unique_ptr<dsp::PlayoutDsp> chain_;
  std::vector<int16_t> buf_;
};

bool read_vad_config(Napi::Object o, dsp::VadConfig& c) {
  return number_field(o, "blockMs", c.block_ms) && number_field(o, "onsetMs", c.onset_ms) &&
         number_field(o, "onsetGapMs", c.onset_gap_ms) && number_field(o, "hangoverMs", c.hangover_ms) &&
         number_field(o, "onRatioDb", c.on_ratio_db) && number_field(o, "offRatioDb", c.off_ratio_db) &&
         number_field(o, "minLevelDbfs", c.min_level_dbfs) && number_field(o, "floorFallMs", c.floor_fall_ms) &&
         number_field(o, "floorTrackMs", c.floor_track_ms) && number_field(o, "floorRiseDbPerS", c.floor_rise_db_per_s) &&
         number_field(o, "floorMinDbfs", c.floor_min_dbfs) && bool_field(o, "echoGate", c.echo_gate) &&
         number_field(o, "echoErlDb", c.echo_erl_db) && number_field(o, "echoTailMs", c.echo_tail_ms);
}

class VadWrap : public Napi::ObjectWrap<VadWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DspVad",
                       {InstanceMethod<&VadWrap::Process>("process"), InstanceMethod<&VadWrap::Outbound>("observeOutbound"),
                        InstanceMethod<&VadWrap::State>("state")});
  }

  explicit VadWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VadWrap>(info) {
    int rate = 0;
    Napi::Object cfg;
    dsp::VadConfig c;
    if (!int_arg(info, 0, rate, 1000, 384000) || !object_arg(info, 1, cfg) || !read_vad_config(cfg, c)) return;
    if (!(c.block_ms > 0)) {
      throw_arg(info.Env(), "blockMs must be positive", true);
      return;
    }
    vad_ = std::make_unique<dsp::Vad>(rate, c);
  }

 private:
  bool ready(Napi::Env env) {
    if (vad_) return true;
    throw_arg(env, "DspVad was not constructed");
    return false;
  }
  // process(Int16Array) -> [{ kind: 'speech_start' | 'speech_end', at, onset }]
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Int16Array in;
    if (!ready(info.Env()) || !int16_arg(info, 0, in)) return info.Env().Undefined();
    events_.resize(in.ElementLength() / static_cast<size_t>(vad_->block_samples()) + 2);
    const size_t k = vad_->process(in.Data(), in.ElementLength(), events_.data(), events_.size());
    Napi::Array out = Napi::Array::New(info.Env(), k);
    for (size_t i = 0; i < k; ++i) {
      Napi::Object e = Napi::Object::New(info.Env());
      e.Set("kind", events_[i].kind == dsp::VadEvent::Kind::kSpeechStart ? "speech_start" : "speech_end");
      e.Set("at", static_cast<double>(events_[i].at));
      e.Set("onset", static_cast<double>(events_[i].onset));
      out.Set(static_cast<uint32_t>(i), e);
    }
    return out;
  }
  Napi::Value Outbound(const Napi::CallbackInfo& info) {
    Napi::Int16Array in;
    if (ready(info.Env()) && int16_arg(info, 0, in)) vad_->observe_outbound(in.Data(), in.ElementLength());
    return info.Env().Undefined();
  }
  Napi::Value State(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("speaking", vad_->speaking());
    o.Set("position", static_cast<double>(vad_->position()));
    o.Set("noiseFloorDbfs", vad_->noise_floor_dbfs());
    o.Set("lastLevelDbfs", vad_->last_level_dbfs());
    return o;
  }

  std::unique_ptr<dsp::Vad> vad_;
  std::vector<dsp::VadEvent> events_;
};

void Export(Napi::Env env, Napi::Object exports) {
  exports.Set("DspResampler", ResamplerWrap::Define(env));
  exports.Set("DspChain", ChainWrap::Define(env));
  exports.Set("DspVad", VadWrap::Define(env));
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace
}  // namespace parley::addon
