// Energy VAD with an adaptive noise floor, onset and hangover in ms, and an optional echo
// gate (inbound energy that the outbound signal can explain is not speech).
//
// Works on fixed blocks (default 10 ms) accumulated across calls, so decisions do not depend
// on how the audio is chunked. Per block: the energy E with the block's DC removed, compared
// with the noise floor F from earlier blocks:
//   start-worthy  E >= max(F * on, min_level, echo * on)
//   still speech  E >= max(F * off, min_level, echo * off)
// QUIET -> STARTING on a start-worthy block; STARTING -> SPEAKING once onset_ms worth of
// start-worthy blocks have been counted, back to QUIET after onset_gap_ms of consecutive
// blocks that are not still-speech (syllables dip; clicks are short and far apart);
// SPEAKING -> QUIET after hangover_ms of blocks that are not still-speech.
// The floor falls fast towards quieter blocks, tracks blocks near it while quiet, and creeps
// up at a bounded dB/s under loud ones, so a lasting rise in noise is learnt in seconds
// while speech (which has pauses) is not.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dsp/simd.h"

namespace parley::dsp {

struct VadConfig {
  double block_ms = 10.0;
  double onset_ms = 60.0;
  double onset_gap_ms = 30.0;
  double hangover_ms = 300.0;
  double on_ratio_db = 6.0;
  double off_ratio_db = 3.0;
  double min_level_dbfs = -50.0;  // dBFS of block energy, 0 dBFS = full-scale square wave
  double floor_fall_ms = 100.0;
  double floor_track_ms = 1000.0;
  double floor_rise_db_per_s = 1.5;
  double floor_min_dbfs = -90.0;
  bool echo_gate = false;
  double echo_erl_db = 6.0;       // the echo is assumed at least this far below the outbound
  double echo_tail_ms = 400.0;    // echo path delay covered: the outbound peak is held this long (<= 1270 ms)
};

struct VadEvent {
  enum class Kind : uint8_t { kSpeechStart, kSpeechEnd };
  Kind kind;
  uint64_t at;     // capture sample index where the decision was made (end of its block)
  uint64_t onset;  // start: first sample of the first start-worthy block; end: of the first quiet block
};

class Vad {
 public:
  Vad(int rate, const VadConfig& config = {});

  /// Feeds capture audio; writes up to max_events events (one block yields at most one);
  /// returns how many were written. Events beyond max_events are counted in dropped_events().
  size_t process(const int16_t* x, size_t n, VadEvent* events, size_t max_events);
  /// Feeds what is being played to the caller (same rate), for the echo gate.
  void observe_outbound(const int16_t* x, size_t n);

  bool speaking() const { return state_ == State::kSpeaking; }
  uint64_t position() const { return pos_; }
  int block_samples() const { return block_; }
  double noise_floor_dbfs() const;
  double last_level_dbfs() const;
  uint64_t dropped_events() const { return dropped_; }
  void reset();

 private:
  enum class State : uint8_t { kQuiet, kStarting, kSpeaking };
  void end_block(double energy, VadEvent* events, size_t max_events, size_t& written);
  void emit(VadEvent ev, VadEvent* events, size_t max_events, size_t& written);

  int block_;
  int onset_blocks_;
  int gap_blocks_;
  int hangover_blocks_;
  double on_, off_, min_level_, fall_, track_, rise_, floor_min_;
  bool echo_gate_;
  double echo_erl_;
  struct Acc {
    int64_t sum = 0, sum_sq = 0;
    void add(const int16_t* x, size_t n) { simd::sums(x, n, sum, sum_sq); }
    double energy(int n) const;
  };
  // capture
  Acc cap_;
  int fill_ = 0;
  uint64_t pos_ = 0;
  double floor_ = 0, last_ = 0;
  bool floor_init_ = false;
  State state_ = State::kQuiet;
  int run_ = 0, gap_ = 0, quiet_ = 0;
  uint64_t onset_at_ = 0, silence_at_ = 0;
  uint64_t dropped_ = 0;
  // outbound
  Acc out_;
  int ofill_ = 0;
  static constexpr int kMaxTailBlocks = 128;
  double out_hist_[kMaxTailBlocks] = {};  // outbound block energies, the last tail_blocks_
  int tail_blocks_ = 1;
  int out_next_ = 0;
  double out_peak_ = 0;  // max of out_hist_
};

}  // namespace parley::dsp
