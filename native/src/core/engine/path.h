// The DSP seam: per-call frame conversion between the telephony and the AI formats.
//
// Each call owns one CapturePath (telephony -> AI: decode, local VAD, resample, encode)
// and one PlayoutPath (AI -> telephony: resample, DSP, encode). The engine builds them once
// per call through make_call_paths() (path_factory.cc) and runs them on the media thread,
// one 20 ms frame at a time. Today the factory knows only the identity path (both sides in
// the same format); the DSP blocks (native/src/core/dsp/) plug in by returning their own
// implementations from make_call_paths().
//
// Rules for implementations (the engine relies on them):
//  - process() runs on the media thread, must not allocate, lock, block or make system
//    calls, and must not throw. Allocate everything in the constructor (or the factory).
//  - Frame sizes are fixed per call: the engine reads exactly in_frame_bytes() and gives an
//    output buffer of out_frame_bytes() (playout) / out_max_bytes() (capture).
//  - Accounting stays in AI-rate samples: the engine counts the samples a playout frame
//    *consumed from the ring* (AI format) as delivered for that frame's items, so a
//    resampler needs no bookkeeping of its own; a path with filter delay reports it with
//    delay_ai_samples() so the bridge can subtract it from delivered counts.
//  - on_flush() is called on the media thread right after a flush executed, before the
//    next process(): drop or fade out any audio held in filter state (the old epoch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/engine/format.h"

namespace parley::engine {

/** A voice-activity edge reported by a capture path for one frame. */
enum class VadEdge : std::uint8_t { kNone = 0, kSpeechStart = 1, kSpeechStop = 2 };

struct CaptureResult {
  std::size_t bytes = 0;           // AI-format bytes written to `out`
  VadEdge vad = VadEdge::kNone;    // at most one edge per frame
};

/** Telephony -> AI, one 20 ms telephony frame per call of process(). */
class CapturePath {
 public:
  virtual ~CapturePath() = default;
  /** Telephony bytes of one frame (the engine reads exactly this much). */
  virtual std::size_t in_frame_bytes() const noexcept = 0;
  /** Largest AI-format output of one frame (the engine reserves this much). */
  virtual std::size_t out_max_bytes() const noexcept = 0;
  /** Converts one frame. `in.size() == in_frame_bytes()`, `out.size() == out_max_bytes()`. */
  virtual CaptureResult process(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept = 0;
};

/** AI -> telephony, one 20 ms frame per call of process(). */
class PlayoutPath {
 public:
  virtual ~PlayoutPath() = default;
  /** AI-format bytes one output frame consumes (a whole number of AI samples). */
  virtual std::size_t in_frame_bytes() const noexcept = 0;
  /** Telephony bytes of one output frame. */
  virtual std::size_t out_frame_bytes() const noexcept = 0;
  /** Converts one frame. `in.size() == in_frame_bytes()`, `out.size() == out_frame_bytes()`. */
  virtual void process(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept = 0;
  /** A flush executed: forget (or fade out) audio held from the old epoch. */
  virtual void on_flush() noexcept {}
  /** Filter delay of the path, in AI-rate samples (0 for the identity). */
  virtual std::uint32_t delay_ai_samples() const noexcept { return 0; }
};

/** The two formats of a call. */
struct CallFormats {
  Format telephony;
  Format ai;
};

/** How the playout limiter is chosen; kAuto: peak on a converting path, none on a passthrough. */
enum class PlayoutLimiter : std::uint8_t { kAuto = 0, kNone = 1, kPeak = 2, kSoftClip = 3 };

/** Accepted range of PlayoutOptions::gain_db. */
inline constexpr double kPlayoutGainMinDb = -40.0;
inline constexpr double kPlayoutGainMaxDb = 20.0;

/**
 * Per-call playout DSP options (the defaults change nothing). A call whose two sides share a
 * format stays a byte-exact passthrough unless these ask for processing.
 */
struct PlayoutOptions {
  double gain_db = 0.0;
  bool dc_block = false;
  bool tts_chain = false;  // the original system's TTS chain (docs/reference/original-engine.md#tts-chain)
  PlayoutLimiter limiter = PlayoutLimiter::kAuto;

  /** True when a passthrough call must run the DSP playout path to honour these options. */
  bool processes() const noexcept {
    return gain_db != 0.0 || dc_block || tts_chain || limiter == PlayoutLimiter::kPeak || limiter == PlayoutLimiter::kSoftClip;
  }
};

struct CallPaths {
  std::unique_ptr<CapturePath> capture;
  std::unique_ptr<PlayoutPath> playout;
  std::string error;  // non-empty when the pair is unsupported (both paths null)
};

/**
 * Builds the paths for a call (control thread; may allocate). Returns an error message
 * naming the pair when no implementation supports it.
 */
CallPaths make_call_paths(const CallFormats& formats, const PlayoutOptions& playout = {});

}  // namespace parley::engine
