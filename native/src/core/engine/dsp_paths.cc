#include "core/engine/dsp_paths.h"

#include <bit>
#include <cstring>
#include <memory>
#include <vector>

#include "core/dsp/g711.h"
#include "core/dsp/resampler.h"

namespace parley::engine {
namespace {

using dsp::PlayoutDsp;
using dsp::Resampler;
using dsp::Vad;
using dsp::VadEvent;
namespace g711 = dsp::g711;

// Bytes of one format <-> int16 samples. PCM16 is little-endian on the wire.
void decode(Codec c, const uint8_t* in, size_t n, int16_t* out) {
  switch (c) {
    case Codec::kMulaw: g711::ulaw_decode(in, n, out); return;
    case Codec::kAlaw: g711::alaw_decode(in, n, out); return;
    case Codec::kPcm16:
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out, in, n * sizeof(int16_t));
      } else {
        for (size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(in[2 * i] | (in[2 * i + 1] << 8));
      }
      return;
  }
}

void encode(Codec c, const int16_t* in, size_t n, uint8_t* out) {
  switch (c) {
    case Codec::kMulaw: g711::ulaw_encode(in, n, out); return;
    case Codec::kAlaw: g711::alaw_encode(in, n, out); return;
    case Codec::kPcm16:
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out, in, n * sizeof(int16_t));
      } else {
        for (size_t i = 0; i < n; ++i) {
          const auto u = static_cast<uint16_t>(in[i]);
          out[2 * i] = static_cast<uint8_t>(u & 0xff);
          out[2 * i + 1] = static_cast<uint8_t>(u >> 8);
        }
      }
      return;
  }
}

// Equal rates (G.711 <-> PCM16 at 8 kHz) skip the filter: its identity design would copy.
size_t resample(Resampler& r, const std::vector<int16_t>& in, size_t n, std::vector<int16_t>& out) {
  if (r.design().up == 1 && r.design().down == 1) {
    std::memcpy(out.data(), in.data(), n * sizeof(int16_t));
    return n;
  }
  return r.process(in.data(), n, out.data());
}

class DspCapturePath final : public CapturePath {
 public:
  DspCapturePath(CallFormats f, const DspPathOptions& o, std::shared_ptr<Vad> vad)
      : tel_(f.telephony),
        ai_(f.ai),
        in_samples_(frame_samples(f.telephony.rate)),
        out_samples_(frame_samples(f.ai.rate)),
        resampler_(static_cast<int>(f.telephony.rate), static_cast<int>(f.ai.rate), o.quality),
        vad_(std::move(vad)),
        pcm_in_(in_samples_),
        pcm_out_(resampler_.max_outputs_for(in_samples_)) {}

  size_t in_frame_bytes() const noexcept override { return in_samples_ * bytes_per_sample(tel_.codec); }
  size_t out_max_bytes() const noexcept override { return out_samples_ * bytes_per_sample(ai_.codec); }

  CaptureResult process(std::span<const uint8_t> in, std::span<uint8_t> out) noexcept override {
    decode(tel_.codec, in.data(), in_samples_, pcm_in_.data());
    VadEdge edge = take_pending();
    if (vad_) {
      VadEvent ev[4];
      const size_t k = vad_->process(pcm_in_.data(), in_samples_, ev, 4);
      // At most one edge per frame reaches the engine; a second one waits for the next frame.
      for (size_t i = 0; i < k; ++i) {
        const VadEdge e = ev[i].kind == VadEvent::Kind::kSpeechStart ? VadEdge::kSpeechStart : VadEdge::kSpeechStop;
        if (edge == VadEdge::kNone) edge = e;
        else pending_ = e;
      }
    }
    const size_t n = resample(resampler_, pcm_in_, in_samples_, pcm_out_);
    encode(ai_.codec, pcm_out_.data(), n, out.data());
    return {n * bytes_per_sample(ai_.codec), edge};
  }

 private:
  VadEdge take_pending() {
    const VadEdge e = pending_;
    pending_ = VadEdge::kNone;
    return e;
  }

  Format tel_, ai_;
  size_t in_samples_, out_samples_;
  Resampler resampler_;
  std::shared_ptr<Vad> vad_;
  std::vector<int16_t> pcm_in_, pcm_out_;
  VadEdge pending_ = VadEdge::kNone;
};

class DspPlayoutPath final : public PlayoutPath {
 public:
  DspPlayoutPath(CallFormats f, const DspPathOptions& o, std::shared_ptr<Vad> echo_vad)
      : tel_(f.telephony),
        ai_(f.ai),
        in_samples_(frame_samples(f.ai.rate)),
        out_samples_(frame_samples(f.telephony.rate)),
        resampler_(static_cast<int>(f.ai.rate), static_cast<int>(f.telephony.rate), o.quality),
        dsp_(static_cast<int>(f.telephony.rate), o.playout),
        echo_vad_(std::move(echo_vad)),
        pcm_in_(in_samples_),
        pcm_out_(resampler_.max_outputs_for(in_samples_)) {}

  size_t in_frame_bytes() const noexcept override { return in_samples_ * bytes_per_sample(ai_.codec); }
  size_t out_frame_bytes() const noexcept override { return out_samples_ * bytes_per_sample(tel_.codec); }

  void process(std::span<const uint8_t> in, std::span<uint8_t> out) noexcept override {
    decode(ai_.codec, in.data(), in_samples_, pcm_in_.data());
    // 20 ms at any of the rates is a whole number of output samples, so each frame yields
    // exactly out_samples_ (the phase returns to 0 at every frame boundary).
    const size_t n = resample(resampler_, pcm_in_, in_samples_, pcm_out_);
    dsp_.process(pcm_out_.data(), n);
    if (echo_vad_) echo_vad_->observe_outbound(pcm_out_.data(), n);
    encode(tel_.codec, pcm_out_.data(), n, out.data());
  }

  void on_flush() noexcept override {
    // The old epoch's samples still inside the filters must never be heard: drop them.
    resampler_.reset();
    dsp_.reset_filters();
    dsp_.restart_from_silence();
  }

  uint32_t delay_ai_samples() const noexcept override { return static_cast<uint32_t>(resampler_.delay_in()); }

 private:
  Format tel_, ai_;
  size_t in_samples_, out_samples_;
  Resampler resampler_;
  PlayoutDsp dsp_;
  std::shared_ptr<Vad> echo_vad_;
  std::vector<int16_t> pcm_in_, pcm_out_;
};

std::string describe(Format f) {
  const char* c = f.codec == Codec::kPcm16 ? "pcm16" : f.codec == Codec::kMulaw ? "mulaw" : "alaw";
  return std::string(c) + "/" + std::to_string(f.rate);
}

}  // namespace

bool telephony_format_ok(Format f) {
  if (f.codec == Codec::kPcm16) return f.rate == 8000 || f.rate == 16000;
  return f.rate == 8000;
}

bool ai_format_ok(Format f) {
  if (f.codec == Codec::kPcm16) return f.rate == 24000;
  return f.rate == 8000;
}

CallPaths make_dsp_paths(const CallFormats& formats, const DspPathOptions& options) {
  CallPaths paths;
  if (!telephony_format_ok(formats.telephony)) {
    paths.error = "telephony format " + describe(formats.telephony) + " is not supported (mulaw/8000, alaw/8000, pcm16/8000, pcm16/16000)";
    return paths;
  }
  if (!ai_format_ok(formats.ai)) {
    paths.error = "AI format " + describe(formats.ai) + " is not supported (pcm16/24000, mulaw/8000, alaw/8000)";
    return paths;
  }
  std::shared_ptr<Vad> vad;
  if (options.vad_enabled) vad = std::make_shared<Vad>(static_cast<int>(formats.telephony.rate), options.vad);
  paths.capture = std::make_unique<DspCapturePath>(formats, options, vad);
  paths.playout = std::make_unique<DspPlayoutPath>(formats, options, options.vad.echo_gate ? vad : nullptr);
  return paths;
}

}  // namespace parley::engine
