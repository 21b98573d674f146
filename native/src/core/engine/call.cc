// Call construction and the control-thread (JS) side of a call.
#include "core/engine/call.h"

#include <algorithm>

#include "playout_guards.h"

namespace parley::engine {

namespace gen = parley::gen::playout;

namespace {

constexpr std::size_t kPlayoutOutMs = 500;  // output JS has not read yet
constexpr std::size_t kCaptureOutMs = 500;

bool valid_format(Format f) noexcept { return valid_rate(f.rate) && static_cast<unsigned>(f.codec) <= 2; }

}  // namespace

const char* validate_call_config(const CallConfig& cfg) noexcept {
  if (!valid_format(cfg.formats.telephony)) return "telephony format: codec or rate out of range";
  if (!valid_format(cfg.formats.ai)) return "ai format: codec or rate out of range";
  if (cfg.lookahead_ms < 40 || cfg.lookahead_ms > 200) return "lookaheadMs must be within 40..200";
  if (cfg.playout_capacity_ms < 100 || cfg.playout_capacity_ms > 60000) return "playoutCapacityMs must be within 100..60000";
  if (cfg.capture_capacity_ms < 100 || cfg.capture_capacity_ms > 60000) return "captureCapacityMs must be within 100..60000";
  // Written so that NaN fails too.
  if (!(cfg.playout.gain_db >= kPlayoutGainMinDb && cfg.playout.gain_db <= kPlayoutGainMaxDb))
    return "playoutDsp.gainDb must be a number within -40..20";
  if (static_cast<std::uint8_t>(cfg.playout.limiter) > static_cast<std::uint8_t>(PlayoutLimiter::kSoftClip))
    return "playoutDsp.limiter must be one of auto, none, peak, softclip";
  return nullptr;
}

Call::Call(std::uint32_t id, const CallConfig& cfg, CallPaths paths)
    : id_(id),
      cfg_(cfg),
      capture_(std::move(paths.capture)),
      playout_(std::move(paths.playout)),
      ai_bps_(bytes_per_sample(cfg.formats.ai.codec)),
      in_frame_(playout_->in_frame_bytes()),
      out_frame_(playout_->out_frame_bytes()),
      cap_in_frame_(capture_->in_frame_bytes()),
      cap_out_max_(capture_->out_max_bytes()),
      lead_max_((cfg.lookahead_ms + kFrameMs - 1) / kFrameMs),
      lookahead_bytes_(bytes_for_ms(cfg.formats.ai, cfg.lookahead_ms)),
      ai_silence_(silence_byte(cfg.formats.ai.codec)),
      playout_bound_(bytes_for_ms(cfg.formats.ai, cfg.playout_capacity_ms)),
      capture_bound_(bytes_for_ms(cfg.formats.telephony, cfg.capture_capacity_ms)),
      // One 16-byte header per 20 ms of audio is generous: providers send 20-200 ms chunks.
      in_(bytes_for_ms(cfg.formats.ai, cfg.playout_capacity_ms) +
          sizeof(ring::ChunkHeader) * (cfg.playout_capacity_ms / kFrameMs + 1)),
      playout_out_((kPlayoutOutMs / kFrameMs) * (sizeof(ring::ChunkHeader) + out_frame_)),
      capture_in_(bytes_for_ms(cfg.formats.telephony, cfg.capture_capacity_ms)),
      capture_out_(std::max(bytes_for_ms(cfg.formats.ai, kCaptureOutMs), cap_out_max_ * (kMaxCaptureFramesPerTick + 1))),
      state_(static_cast<std::uint32_t>(gen::kInitialState)),
      staging_(std::make_unique<std::uint8_t[]>(in_frame_)),
      frame_out_(std::make_unique<std::uint8_t[]>(out_frame_)),
      cap_in_buf_(std::make_unique<std::uint8_t[]>(cap_in_frame_)),
      cap_out_buf_(std::make_unique<std::uint8_t[]>(cap_out_max_)) {
  for (auto& slot : delivered_) slot.store(std::uint64_t{kNoItem} << 32, std::memory_order_relaxed);
}

WriteResult Call::write_playout(std::span<const std::uint8_t> bytes, ring::ChunkTag tag) noexcept {
  const auto st = static_cast<gen::State>(state_.load(std::memory_order_relaxed));
  if (closing_ || !gen::tag_media_accept(st)) {
    cc_.playout_closed.add();
    return WriteResult::kClosed;
  }
  if (tag.item == kNoItem || tag.epoch > epoch_ || bytes.size() % ai_bps_ != 0 || bytes.size() > 0x7fffffffu) {
    cc_.playout_invalid.add();
    return WriteResult::kInvalid;
  }
  // The configured bound in payload bytes: written and not yet retired by the media thread.
  const std::uint64_t queued =
      payload_written_.load(std::memory_order_relaxed) - payload_retired_.load(std::memory_order_acquire);
  if (queued + bytes.size() > playout_bound_) {
    cc_.playout_full.add();
    return WriteResult::kFull;
  }
  switch (in_.write(tag, bytes)) {
    case ring::WriteStatus::kStale:
      cc_.playout_stale.add();
      return WriteResult::kStale;
    case ring::WriteStatus::kFull:
      cc_.playout_full.add();
      return WriteResult::kFull;
    case ring::WriteStatus::kOk:
      break;
  }
  if (!bytes.empty()) {
    cc_.playout_chunks.add();
    cc_.playout_bytes.add(bytes.size());
    payload_written_.store(payload_written_.load(std::memory_order_relaxed) + bytes.size(), std::memory_order_release);
  }
  return WriteResult::kOk;
}

WriteResult Call::write_capture(std::span<const std::uint8_t> bytes) noexcept {
  const auto st = static_cast<gen::State>(state_.load(std::memory_order_relaxed));
  if (closing_ || gen::tag_media_closing(st)) {
    cc_.capture_closed.add();
    return WriteResult::kClosed;
  }
  const std::uint64_t queued = capture_in_.capacity() - capture_in_.free_space();
  if (queued + bytes.size() > capture_bound_ || !capture_in_.try_write(bytes)) {
    cc_.capture_full.add();
    return WriteResult::kFull;
  }
  cc_.capture_bytes.add(bytes.size());
  return WriteResult::kOk;
}

bool Call::request_flush(std::uint32_t new_epoch) noexcept {
  if (new_epoch <= epoch_) return false;
  epoch_ = new_epoch;
  // Everything written so far belongs to older epochs: none of it is "buffered" any more.
  flush_floor_.store(payload_written_.load(std::memory_order_relaxed), std::memory_order_release);
  in_.request_flush(new_epoch);
  return true;
}

bool Call::set_state(std::uint32_t index) noexcept {
  if (!gen::is_state_index(index)) return false;
  state_.store(index, std::memory_order_release);
  return true;
}

void Call::read_playout_out(std::span<std::uint8_t> dst) noexcept {
  playout_out_.get(0, dst);
  playout_out_.consume(dst.size());
}

void Call::read_capture_out(std::span<std::uint8_t> dst) noexcept {
  capture_out_.get(0, dst);
  capture_out_.consume(dst.size());
}

std::optional<std::uint64_t> Call::delivered(std::uint32_t item) const noexcept {
  const std::uint64_t v = delivered_[item % kItemSlots].load(std::memory_order_acquire);
  if (item == kNoItem || static_cast<std::uint32_t>(v >> 32) != item) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::uint64_t Call::buffered_playout_bytes() const noexcept {
  return buffered_current(payload_retired_.load(std::memory_order_acquire));
}

std::uint64_t Call::buffered_current(std::uint64_t retired) const noexcept {
  // Retirement (emit, flush, stale skip) happens in write order, so the first `retired`
  // payload bytes ever written are gone, and everything below the flush floor is stale.
  const std::uint64_t written = payload_written_.load(std::memory_order_acquire);
  const std::uint64_t gone = std::max(retired, flush_floor_.load(std::memory_order_acquire));
  return written > gone ? written - gone : 0;
}

}  // namespace parley::engine
