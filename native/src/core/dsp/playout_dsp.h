// The playout side's per-sample processing at the telephony rate, in order:
// gain -> [DC blocker] -> [original TTS chain] -> limiter (peak or soft clip) -> fade.
// The fade implements the flush fade (<= 5 ms to silence) and the fade-in after it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/dsp/dc_blocker.h"
#include "core/dsp/fade.h"
#include "core/dsp/gain.h"
#include "core/dsp/limiter.h"
#include "core/dsp/tts_chain.h"

namespace parley::dsp {

enum class LimiterMode { kNone, kPeak, kSoftClip };

struct PlayoutDspConfig {
  double gain_db = 0.0;
  bool dc_block = false;
  bool tts_chain = false;
  TtsChainParams tts{};
  LimiterMode limiter = LimiterMode::kPeak;
  double limit_dbfs = -1.0;
  double limiter_release_ms = 50.0;
  double soft_clip_threshold = 0.85;
  double fade_out_ms = 5.0;  // the flush fade; capped at 5 ms
  double fade_in_ms = 5.0;
};

/// Largest allowed flush fade (docs/ARCHITECTURE.md#audio-paths: a short fade, <= 5 ms).
inline constexpr double kMaxFadeOutMs = 5.0;

class PlayoutDsp {
 public:
  PlayoutDsp(int rate, const PlayoutDspConfig& config);
  void process(int16_t* x, size_t n);
  void start_fade_out() { fade_.start_out(); }
  void start_fade_in() { fade_.start_in(); }
  /// Silence now, then fade in: what follows a flush.
  void restart_from_silence() { fade_.restart_from_silence(); }
  bool muted() const { return fade_.muted(); }
  int fade_out_samples() const { return fade_.out_len(); }
  /// Clears filter memories (after a flush, once muted) so old audio cannot ring into new.
  void reset_filters();

 private:
  Gain gain_;
  std::optional<DcBlocker> dc_;
  std::optional<TtsChain> tts_;
  std::optional<PeakLimiter> peak_;
  std::optional<SoftClipper> soft_;
  Fade fade_;
};

}  // namespace parley::dsp
