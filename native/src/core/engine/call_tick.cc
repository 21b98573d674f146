// The media-thread side of a call: one tick of playout (flush, pacing, emission) and capture.
// Nothing here allocates, locks or makes a system call.
#include <algorithm>
#include <cstring>

#include "core/engine/call.h"
#include "playout_guards.h"

namespace parley::engine {

namespace gen = parley::gen::playout;

void Call::tick(TickContext& ctx) noexcept {
  const std::uint32_t st = state_.load(std::memory_order_acquire);
  tracing_ = trace_.load(std::memory_order_relaxed) ? &ctx : nullptr;
  if (tracing_ != nullptr) trace_tick(ctx, st);
  tick_playout(ctx, st);
  tick_capture(ctx, st);
  tracing_ = nullptr;
}

void Call::trace(TickContext& ctx, EventKind kind, std::uint16_t flags, std::uint32_t epoch, std::uint32_t a, std::uint64_t b, std::uint64_t c) noexcept {
  const Event ev{id_, kind, flags, epoch, a, b, c, ctx.tick};
  if (!ctx.events->push(ev)) ctx.events_dropped->add();
  ctx.produced = true;
}

// The words the Playout spec's actions read, as this tick sees them (the state word once per
// tick, as tick_playout uses it). A tick that changes none of them records nothing.
void Call::trace_tick(TickContext& ctx, std::uint32_t state) noexcept {
  const std::uint64_t r = in_.read_index();
  const std::uint64_t w = in_.published_index();
  const std::uint32_t epoch = in_.epoch();
  const bool pending = in_.flush_pending();
  const bool playing = gen::tag_media_playout(static_cast<gen::State>(state)) && (staged_ > 0 || r < w);
  if (!playing && !pending && r == tr_r_ && w == tr_w_ && state == tr_state_ && epoch == tr_epoch_ && pending == tr_pending_) return;
  tr_r_ = r;
  tr_w_ = w;
  tr_state_ = state;
  tr_epoch_ = epoch;
  tr_pending_ = pending;
  trace(ctx, EventKind::kTraceTick, pending ? 1 : 0, epoch, state, r, w);
}

void Call::trace_frame(TickContext& ctx, std::uint32_t epoch, std::uint32_t samples, std::uint32_t pad) noexcept {
  tr_r_ = in_.read_index();
  trace(ctx, EventKind::kTraceFrame, static_cast<std::uint16_t>(nseg_), epoch, samples, tr_r_, pad);
  for (std::size_t k = 0; k < nseg_; ++k) {
    const Segment& sg = segs_[k];
    trace(ctx, EventKind::kTraceSegment, 0, sg.epoch, sg.item, sg.bytes / ai_bps_, delivered(sg.item).value_or(0));
  }
}

void Call::report(TickContext& ctx, EventKind kind, std::uint32_t a, std::uint64_t b, std::uint64_t c) noexcept {
  const Event ev{id_, kind, 0, in_.epoch(), a, b, c, ctx.tick};
  if (!ctx.events->push(ev)) ctx.events_dropped->add();
  ctx.produced = true;
}

void Call::tick_playout(TickContext& ctx, std::uint32_t state) noexcept {
  // A pending flush runs first, whatever the state: the consumer executes it on its own
  // side at its next tick (PL1, PL2).
  execute_flush(ctx);

  // The far side played `elapsed` frames since the last tick.
  const std::uint32_t lead_before = lead_;
  lead_ = lead_ > ctx.elapsed ? lead_ - ctx.elapsed : 0;

  if (gen::tag_media_playout(static_cast<gen::State>(state))) {
    const bool may_pad = gen::tag_media_tail(static_cast<gen::State>(state));
    fill_staging();
    // Starved while audio was queued: the media thread itself was late.
    if (emitted_since_drain_ && lead_before < ctx.elapsed && staged_ == in_frame_) {
      mc_.underruns.add();
      report(ctx, EventKind::kUnderrun, ctx.elapsed - lead_before);
    }
    bool emitted = false;
    while (lead_ < lead_max_) {
      fill_staging();
      // A short tail is padded only once the response's audio is complete (media.tail, PL6);
      // while more is expected it waits for the rest. Once complete it goes at once, not when the
      // far side has run dry: mod_audio_stream goes silent below its minimum fill, so a tail held
      // back until then strands the response's last ~60 ms behind a gap.
      const bool full = staged_ == in_frame_;
      const bool tail = staged_ > 0 && may_pad;
      if (!(full || tail) || !emit_frame(!full)) break;
      emitted = true;
      emitted_since_drain_ = true;
      ++lead_;
    }
    if (emitted) ctx.produced = true;
    if (!emitted && staged_ == 0 && emitted_since_drain_) {
      emitted_since_drain_ = false;
      prefill_armed_ = true;
      report(ctx, EventKind::kDrained, 0, 0, in_.read_index());
    }
  }

  // Reads that emitted nothing yet (a partial frame staged, stale records skipped).
  if (tracing_ != nullptr && in_.read_index() != tr_r_) {
    tr_r_ = in_.read_index();
    trace(ctx, EventKind::kTraceRead, 0, in_.epoch(), 0, tr_r_, staged_);
  }

  if (prefill_armed_) {
    const std::uint64_t buffered = buffered_current(retired_);
    if (buffered >= lookahead_bytes_ && buffered > 0) {
      prefill_armed_ = false;
      const std::uint64_t ms = buffered / ai_bps_ * 1000 / cfg_.formats.ai.rate;
      report(ctx, EventKind::kPrefilled, static_cast<std::uint32_t>(std::min<std::uint64_t>(ms, 0xffffffffu)));
    }
  }
}

void Call::execute_flush(TickContext& ctx) noexcept {
  const ring::FlushDone done = in_.execute_pending_flush();
  if (!done.executed) return;
  // The staged frame is older than anything still in the ring: drop its stale part first.
  const std::uint64_t dropped = drop_stale_staging(done.epoch) + done.dropped_bytes;
  retire(dropped);
  mc_.flushes.add();
  mc_.flushed_samples.add(dropped / ai_bps_);
  mc_.flushed_epoch.set(done.epoch);
  playout_->on_flush();
  if (tracing_ != nullptr) {
    tr_r_ = done.to;
    trace(ctx, EventKind::kTraceFlush, 0, done.epoch, 0, done.requested, done.to);
  }
  emitted_since_drain_ = false;
  prefill_armed_ = true;
  report(ctx, EventKind::kFlushed, 0, dropped / ai_bps_, done.to);
}

void Call::fill_staging() noexcept {
  const std::uint64_t skipped_before = in_.stale_skipped_bytes();
  while (staged_ < in_frame_) {
    ring::ChunkTag tag;
    if (!in_.peek_tag(tag)) break;
    const bool same = nseg_ > 0 && segs_[nseg_ - 1].epoch == tag.epoch && segs_[nseg_ - 1].item == tag.item;
    if (!same && nseg_ == kMaxSegments) break;  // pathological: > 8 items in one frame
    const ring::Piece p = in_.read_piece({staging_.get() + staged_, in_frame_ - staged_});
    if (p.bytes == 0) break;
    if (same) {
      segs_[nseg_ - 1].bytes += p.bytes;
    } else {
      segs_[nseg_++] = {p.epoch, p.item, p.bytes};
    }
    staged_ += p.bytes;
  }
  // Stale records skipped by the read filter (PL3) are retired too (they precede the rest).
  const std::uint64_t skipped = in_.stale_skipped_bytes() - skipped_before;
  if (skipped > 0) {
    retire(skipped);
    mc_.stale_skipped_samples.add(skipped / ai_bps_);
  }
}

std::uint64_t Call::drop_stale_staging(std::uint32_t epoch) noexcept {
  std::size_t k = 0;
  std::uint64_t bytes = 0;
  while (k < nseg_ && segs_[k].epoch < epoch) bytes += segs_[k++].bytes;
  if (k == 0) return 0;
  std::memmove(staging_.get(), staging_.get() + bytes, staged_ - bytes);
  std::copy(segs_.begin() + static_cast<std::ptrdiff_t>(k), segs_.begin() + static_cast<std::ptrdiff_t>(nseg_), segs_.begin());
  nseg_ -= k;
  staged_ -= bytes;
  return bytes;
}

bool Call::emit_frame(bool pad) noexcept {
  // PL3 at the moment of emission: an epoch bump since staging drops the stale part.
  const std::uint32_t now_epoch = in_.epoch();
  const std::uint64_t stale = drop_stale_staging(now_epoch);
  if (stale > 0) {
    retire(stale);
    mc_.stale_skipped_samples.add(stale / ai_bps_);
    if (staged_ == 0 || (!pad && staged_ < in_frame_)) return false;
  }
  const std::size_t need = sizeof(ring::ChunkHeader) + out_frame_;
  if (playout_out_.free_space(need) < need) {
    mc_.playout_out_stalls.add();  // JS has not read the last 500 ms: hold the audio
    return false;
  }
  if (pad) {
    std::memset(staging_.get() + staged_, ai_silence_, in_frame_ - staged_);
    mc_.padded_frames.add();
  }
  playout_->process({staging_.get(), in_frame_}, {frame_out_.get(), out_frame_});
  const std::uint32_t samples = static_cast<std::uint32_t>(staged_ / ai_bps_);
  const ring::ChunkHeader h{segs_[0].epoch, segs_[0].item, static_cast<std::uint32_t>(out_frame_), samples};
  playout_out_.put(0, {reinterpret_cast<const std::uint8_t*>(&h), sizeof h});
  playout_out_.put(sizeof h, {frame_out_.get(), out_frame_});
  playout_out_.commit(need);
  // PL5: delivered counts move here, on emit, by what this frame carried of each item.
  for (std::size_t k = 0; k < nseg_; ++k) add_delivered(segs_[k].item, segs_[k].bytes / ai_bps_);
  if (tracing_ != nullptr) trace_frame(*tracing_, now_epoch, samples, static_cast<std::uint32_t>((in_frame_ - staged_) / ai_bps_));
  mc_.frames_emitted.add();
  mc_.samples_emitted.add(samples);
  retire(staged_);
  staged_ = 0;
  nseg_ = 0;
  return true;
}

void Call::retire(std::uint64_t payload_bytes) noexcept {
  retired_ += payload_bytes;
  payload_retired_.store(retired_, std::memory_order_release);
}

void Call::add_delivered(std::uint32_t item, std::uint64_t samples) noexcept {
  auto& slot = delivered_[item % kItemSlots];
  const std::uint64_t v = slot.load(std::memory_order_relaxed);
  const std::uint64_t have = static_cast<std::uint32_t>(v >> 32) == item ? static_cast<std::uint32_t>(v) : 0;
  const std::uint64_t sum = std::min<std::uint64_t>(have + samples, 0xffffffffu);  // saturates after ~49 h at 24 kHz
  slot.store((std::uint64_t{item} << 32) | sum, std::memory_order_release);
}

void Call::tick_capture(TickContext& ctx, std::uint32_t state) noexcept {
  if (gen::tag_media_closing(static_cast<gen::State>(state))) return;
  for (std::uint32_t k = 0; k < kMaxCaptureFramesPerTick; ++k) {
    if (capture_in_.available(cap_in_frame_) < cap_in_frame_) break;
    if (capture_out_.free_space(cap_out_max_) < cap_out_max_) {
      mc_.capture_out_stalls.add();  // JS is not reading the converted audio
      break;
    }
    capture_in_.get(0, {cap_in_buf_.get(), cap_in_frame_});
    capture_in_.consume(cap_in_frame_);
    const CaptureResult r = capture_->process({cap_in_buf_.get(), cap_in_frame_}, {cap_out_buf_.get(), cap_out_max_});
    const std::size_t n = std::min(r.bytes, cap_out_max_);
    capture_out_.put(0, {cap_out_buf_.get(), n});
    capture_out_.commit(n);
    mc_.capture_frames.add();
    ctx.produced = true;
    if (r.vad == VadEdge::kSpeechStart) report(ctx, EventKind::kSpeechStart);
    if (r.vad == VadEdge::kSpeechStop) report(ctx, EventKind::kSpeechStop);
  }
}

}  // namespace parley::engine
