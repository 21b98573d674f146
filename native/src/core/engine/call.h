// One call's media state: four rings, the per-call state word, the epoch, the DSP paths,
// counters and the per-item delivered-sample table.
//
//   JS (control thread)                      media thread
//   write_playout ──► playout ring (chunks) ──► staging ─► PlayoutPath ─► playout-out ring ──► read_playout_out
//   write_capture ──► capture-in ring ─────────► CapturePath ─────────────► capture-out ring ──► read_capture_out
//   set_state ──────► state word (a generated playout State index, checked through its tags)
//   request_flush ──► epoch + flush-to-index, executed by the media thread at its next tick
//
// Each method says which thread may call it. Media-thread methods never allocate, lock or
// make system calls; control-thread methods do not either (except construction).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/engine/counter.h"
#include "core/engine/event.h"
#include "core/engine/format.h"
#include "core/engine/path.h"
#include "core/ring/chunk_ring.h"
#include "core/ring/spsc_bytes.h"
#include "core/ring/spsc_records.h"

namespace parley::engine {

struct CallConfig {
  CallFormats formats;
  std::uint32_t lookahead_ms = 80;          // 40..200
  std::uint32_t playout_capacity_ms = 2000;  // 100..60000, AI-format audio
  std::uint32_t capture_capacity_ms = 1000;  // 100..60000, telephony audio
  PlayoutOptions playout{};                  // gain -40..20 dB, DC blocker, TTS chain, limiter
};

/** Empty when `cfg` is acceptable, else a message naming the offending field. */
const char* validate_call_config(const CallConfig& cfg) noexcept;

enum class WriteResult : std::uint8_t { kOk = 0, kStale = 1, kFull = 2, kClosed = 3, kInvalid = 4 };

/** Item ids are uint32 below this value (it marks an empty delivered-table slot). */
inline constexpr std::uint32_t kNoItem = 0xFFFFFFFFu;

/** Counters written by the control thread. */
struct ControlCounters {
  Counter playout_chunks, playout_bytes, playout_stale, playout_full, playout_closed, playout_invalid;
  Counter capture_bytes, capture_full, capture_closed;
};

/** Counters written by the media thread. */
struct MediaCounters {
  Counter frames_emitted, samples_emitted, padded_frames, stale_skipped_samples;
  Counter flushes, flushed_samples, flushed_epoch, underruns;
  Counter capture_frames, playout_out_stalls, capture_out_stalls;
};

/** Where a tick reports events; owned by the media core. */
struct TickContext {
  std::uint64_t tick = 0;      // index of the deadline being served
  std::uint32_t elapsed = 1;   // deadlines since the previous tick (> 1: the thread was late)
  ring::SpscRecords<Event>* events = nullptr;
  Counter* events_dropped = nullptr;
  bool produced = false;       // set when anything was emitted or reported (JS needs waking)
};

class Call {
 public:
  static constexpr std::size_t kItemSlots = 64;     // delivered counts kept for the last 64 items
  static constexpr std::size_t kMaxSegments = 8;    // distinct (epoch, item) runs in one frame
  static constexpr std::uint32_t kMaxCaptureFramesPerTick = 8;

  /** `paths` must hold both paths. */
  Call(std::uint32_t id, const CallConfig& cfg, CallPaths paths);

  std::uint32_t id() const noexcept { return id_; }
  const CallConfig& config() const noexcept { return cfg_; }

  // ---- control thread ----------------------------------------------------------------

  WriteResult write_playout(std::span<const std::uint8_t> bytes, ring::ChunkTag tag) noexcept;
  WriteResult write_capture(std::span<const std::uint8_t> bytes) noexcept;
  /** False (nothing changes) unless new_epoch > epoch(). */
  bool request_flush(std::uint32_t new_epoch) noexcept;
  /** False (nothing changes) unless `index` names a generated playout State. */
  bool set_state(std::uint32_t index) noexcept;
  std::uint32_t state() const noexcept { return state_.load(std::memory_order_relaxed); }
  std::uint32_t epoch() const noexcept { return epoch_; }
  /** The epoch word the media thread filters by (the ring's), not JS's copy. [any thread] */
  std::uint32_t ring_epoch() const noexcept { return in_.epoch(); }
  /** Trace mode: per tick, the records of the Playout spec's actions as events (event.h
   *  kTrace*). Off by default; off costs one relaxed load per tick. */
  void set_trace(bool on) noexcept { trace_.store(on, std::memory_order_relaxed); }
  /** Refuses every later write; the engine unregisters the call. */
  void mark_closing() noexcept { closing_ = true; }
  bool closing() const noexcept { return closing_; }

  /** Bytes of whole output records waiting for JS (16-byte ChunkHeader + frame each). */
  std::size_t playout_out_available() noexcept { return playout_out_.available(); }
  /** Copies `dst.size()` (<= available) bytes of output records and releases them. */
  void read_playout_out(std::span<std::uint8_t> dst) noexcept;
  std::size_t capture_out_available() noexcept { return capture_out_.available(); }
  void read_capture_out(std::span<std::uint8_t> dst) noexcept;

  /** AI-rate samples of `item` emitted so far; empty if unknown or evicted. [any thread] */
  std::optional<std::uint64_t> delivered(std::uint32_t item) const noexcept;
  /** Current-epoch playout payload queued and not yet emitted, in AI bytes. [control] */
  std::uint64_t buffered_playout_bytes() const noexcept;
  std::uint64_t playout_write_index() const noexcept { return in_.write_index(); }
  std::uint32_t path_delay_ai_samples() const noexcept { return playout_->delay_ai_samples(); }

  /** Bytes the four rings hold (each exactly its bound; the bulk of a call's native memory). */
  std::size_t ring_bytes() const noexcept {
    return in_.capacity() + playout_out_.capacity() + capture_in_.capacity() + capture_out_.capacity();
  }

  const ControlCounters& control_counters() const noexcept { return cc_; }
  const MediaCounters& media_counters() const noexcept { return mc_; }

  // ---- media thread ------------------------------------------------------------------

  /** One tick: flush, pacing and emission of playout, conversion of capture. */
  void tick(TickContext& ctx) noexcept;

  /** Media-thread bookkeeping: the call's position in the media core's active list. */
  std::size_t active_slot = 0;

 private:
  void tick_playout(TickContext& ctx, std::uint32_t state) noexcept;
  void tick_capture(TickContext& ctx, std::uint32_t state) noexcept;
  void execute_flush(TickContext& ctx) noexcept;
  void fill_staging() noexcept;
  std::uint64_t drop_stale_staging(std::uint32_t epoch) noexcept;
  bool emit_frame(bool pad) noexcept;
  void retire(std::uint64_t payload_bytes) noexcept;
  void add_delivered(std::uint32_t item, std::uint64_t samples) noexcept;
  std::uint64_t buffered_current(std::uint64_t retired) const noexcept;
  void report(TickContext& ctx, EventKind kind, std::uint32_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0) noexcept;
  void trace(TickContext& ctx, EventKind kind, std::uint16_t flags, std::uint32_t epoch, std::uint32_t a, std::uint64_t b, std::uint64_t c) noexcept;
  void trace_tick(TickContext& ctx, std::uint32_t state) noexcept;
  void trace_frame(TickContext& ctx, std::uint32_t epoch, std::uint32_t samples, std::uint32_t pad) noexcept;

  struct Segment {
    std::uint32_t epoch;
    std::uint32_t item;
    std::uint32_t bytes;
  };

  const std::uint32_t id_;
  const CallConfig cfg_;
  const std::unique_ptr<CapturePath> capture_;
  const std::unique_ptr<PlayoutPath> playout_;
  const std::size_t ai_bps_;            // AI bytes per sample
  const std::size_t in_frame_;          // AI bytes per playout frame
  const std::size_t out_frame_;         // telephony bytes per playout frame
  const std::size_t cap_in_frame_;      // telephony bytes per capture frame
  const std::size_t cap_out_max_;       // AI bytes per capture frame, at most
  const std::uint32_t lead_max_;        // frames emitted ahead of the far side's clock
  const std::uint64_t lookahead_bytes_;  // AI bytes of the lookahead
  const std::uint8_t ai_silence_;
  // The configured bounds, exact (the playout ring also holds the chunk headers).
  const std::uint64_t playout_bound_;  // AI payload bytes queued at most
  const std::uint64_t capture_bound_;  // telephony bytes queued at most

  ring::ChunkRing in_;           // playout chunks, JS -> media
  ring::SpscBytes playout_out_;  // [ChunkHeader{epoch,item,len,samples}][frame], media -> JS
  ring::SpscBytes capture_in_;   // telephony bytes, JS -> media
  ring::SpscBytes capture_out_;  // AI bytes, media -> JS

  // Shared words. state_: JS stores (release), media loads (acquire).
  alignas(ring::kCacheLine) std::atomic<std::uint32_t> state_;
  std::atomic<std::uint64_t> payload_written_{0};  // JS: accepted playout payload bytes
  std::atomic<std::uint64_t> flush_floor_{0};      // JS: payload_written_ at the last flush request
  std::atomic<bool> trace_{false};                 // JS: trace mode
  alignas(ring::kCacheLine) std::atomic<std::uint64_t> payload_retired_{0};  // media: emitted or dropped, FIFO
  std::array<std::atomic<std::uint64_t>, kItemSlots> delivered_;  // media: (item << 32) | samples

  // Control-thread only.
  alignas(ring::kCacheLine) std::uint32_t epoch_ = 0;
  bool closing_ = false;
  ControlCounters cc_;

  // Media-thread only (the counters are read by JS).
  alignas(ring::kCacheLine) MediaCounters mc_;
  std::unique_ptr<std::uint8_t[]> staging_;    // in_frame_ bytes: the next frame being assembled
  std::unique_ptr<std::uint8_t[]> frame_out_;  // out_frame_ bytes
  std::unique_ptr<std::uint8_t[]> cap_in_buf_;
  std::unique_ptr<std::uint8_t[]> cap_out_buf_;
  std::array<Segment, kMaxSegments> segs_{};
  std::size_t nseg_ = 0;
  std::size_t staged_ = 0;
  std::uint64_t retired_ = 0;      // media's own copy of payload_retired_
  std::uint32_t lead_ = 0;         // frames the far side has buffered, by our count
  bool emitted_since_drain_ = false;
  bool prefill_armed_ = true;
  // Trace mode: the last tick record's words (a tick that changes none of them is a stutter).
  TickContext* tracing_ = nullptr;  // set for the tick when trace mode is on
  std::uint64_t tr_r_ = ~std::uint64_t{0}, tr_w_ = 0;
  std::uint32_t tr_state_ = 0, tr_epoch_ = 0;
  bool tr_pending_ = false;
};

}  // namespace parley::engine
