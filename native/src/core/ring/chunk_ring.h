// A single-producer / single-consumer ring of tagged chunks, with a flush that the
// requester only *asks* for and the consumer executes on its own side (PL1, PL2), and an
// epoch filter on write and on read (PL3). Overflow is refused, never resolved by moving
// the read index from the producer (PL4).
//
// Layout: records `[ChunkHeader][payload]` back to back in an SpscBytes queue. The
// producer publishes a whole record with one release store, so the write index is always
// at a record boundary; that is what makes "flush up to the write index seen at request
// time" well defined.
//
// Roles:
//   producer  : write()                         (the JS thread)
//   requester : request_flush()                 (the JS thread too in production; any one
//                                                thread in the stress tests)
//   consumer  : execute_pending_flush(), read_piece(), skip_current() (the media thread)
// Nothing here allocates, locks or makes a system call after construction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/ring/spsc_bytes.h"

namespace parley::ring {

/** What a record carries besides its payload. */
struct ChunkTag {
  std::uint32_t epoch = 0;  // playout epoch the chunk belongs to
  std::uint32_t item = 0;   // small per-call integer naming the AI item
};

struct ChunkHeader {
  std::uint32_t epoch;
  std::uint32_t item;
  std::uint32_t len;  // payload bytes
  std::uint32_t aux;  // free for the ring's user (the output ring stores AI-rate samples)
};
static_assert(sizeof(ChunkHeader) == 16);

enum class WriteStatus : std::uint8_t {
  kOk,     // queued
  kStale,  // tag.epoch is older than the current epoch: dropped (PL3)
  kFull,   // does not fit next to unread data: refused (PL4)
};

/** One contiguous piece of a record handed to the consumer. */
struct Piece {
  std::uint32_t bytes = 0;  // 0: nothing readable
  std::uint32_t epoch = 0;
  std::uint32_t item = 0;
  std::uint32_t aux = 0;
  bool record_start = false;  // the piece begins a record
  bool record_end = false;    // the piece ends its record
};

/** What the consumer did when it executed a pending flush. */
struct FlushDone {
  bool executed = false;          // a request was pending (even if nothing was dropped)
  std::uint32_t epoch = 0;        // the epoch current when it executed
  std::uint64_t to = 0;           // the read index after the flush
  std::uint64_t requested = 0;    // the flush-to index the request named (trace mode)
  std::uint64_t dropped_bytes = 0;  // payload bytes discarded by moving the read index
};

class ChunkRing {
 public:
  explicit ChunkRing(std::size_t min_capacity) : q_(min_capacity) {}

  std::size_t capacity() const noexcept { return q_.capacity(); }

  // ---- producer ----------------------------------------------------------------------

  /**
   * [producer] Queues one record, all or nothing. Refuses a stale epoch (PL3) and a record
   * that does not fit beside unread data (PL4). An empty payload is accepted and queues
   * nothing.
   */
  WriteStatus write(ChunkTag tag, std::span<const std::uint8_t> payload, std::uint32_t aux = 0) noexcept {
    if (tag.epoch < epoch_.load(std::memory_order_acquire)) return WriteStatus::kStale;
    if (payload.empty()) return WriteStatus::kOk;
    const std::size_t need = sizeof(ChunkHeader) + payload.size();
    if (need > q_.capacity() || q_.free_space(need) < need) return WriteStatus::kFull;
    const ChunkHeader h{tag.epoch, tag.item, static_cast<std::uint32_t>(payload.size()), aux};
    q_.put(0, {reinterpret_cast<const std::uint8_t*>(&h), sizeof h});
    q_.put(sizeof h, payload);
    q_.commit(need);  // one release store publishes header and payload together
    return WriteStatus::kOk;
  }

  /** [producer] Free bytes, header included: a payload fits when it is <= free - 16. */
  std::size_t free_space() noexcept { return q_.free_space(); }

  /** [producer] The write index (a record boundary). */
  std::uint64_t write_index() const noexcept { return q_.write_index(); }

  // ---- requester ---------------------------------------------------------------------

  /**
   * [requester] Asks the consumer to drop everything published so far and makes
   * `new_epoch` current. Moves no index (PL1). `new_epoch` must exceed the current epoch.
   * The flush point is the write index seen now (a record boundary); records published
   * later survive the flush, and the read filter drops any of them still tagged with an
   * older epoch (a producer that passed the write filter just before the bump).
   */
  void request_flush(std::uint32_t new_epoch) noexcept {
    // Loaded with acquire: in the stress tests the requester is not the producer.
    const std::uint64_t w = q_.write_index_acquire();
    // Single requester: a plain max keeps flush_to_ monotone.
    if (w > flush_to_.load(std::memory_order_relaxed)) flush_to_.store(w, std::memory_order_relaxed);
    epoch_.store(new_epoch, std::memory_order_release);
    // The sequence number is the publication point for flush_to_ and epoch_.
    flush_seq_.store(flush_seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  /** [consumer] A flush was requested and not yet executed (trace mode). */
  bool flush_pending() const noexcept { return flush_seq_.load(std::memory_order_acquire) != flush_done_seq_; }

  /** [any] The current epoch. */
  std::uint32_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }

  // ---- consumer ----------------------------------------------------------------------

  /**
   * [consumer] Executes the latest pending flush request, if any: the read index moves to
   * the requested point (PL2), never backward and never past published data.
   */
  FlushDone execute_pending_flush() noexcept {
    FlushDone done;
    const std::uint64_t seq = flush_seq_.load(std::memory_order_acquire);
    if (seq == flush_done_seq_) return done;
    flush_done_seq_ = seq;
    done.executed = true;
    done.epoch = epoch_.load(std::memory_order_acquire);
    const std::uint64_t to = flush_to_.load(std::memory_order_relaxed);  // ordered by seq
    done.requested = to;
    const std::uint64_t r = q_.read_index();
    if (to > r) {
      done.dropped_bytes = payload_between(r, to);
      q_.consume_to(to);
      cur_left_ = 0;  // `to` is a record boundary
    }
    done.to = q_.read_index();
    return done;
  }

  /**
   * [consumer] Copies up to `dst.size()` payload bytes of the head record into `dst`,
   * without crossing into the next record. Records (or rests of records) whose epoch is
   * older than the current one are skipped and counted in stale_skipped_bytes() (PL3).
   * Returns a Piece with bytes == 0 when nothing current is readable.
   */
  Piece read_piece(std::span<std::uint8_t> dst) noexcept {
    Piece p;
    if (dst.empty()) return p;
    for (;;) {
      if (cur_left_ == 0 && !open_record()) return p;
      // Checked on every piece, not just at a record start: an epoch bump must stop a
      // record that is half read.
      if (cur_.epoch < epoch_.load(std::memory_order_acquire)) {
        stale_skipped_bytes_ += cur_left_;
        q_.consume(cur_left_);
        cur_left_ = 0;
        continue;
      }
      const std::uint32_t n = dst.size() < cur_left_ ? static_cast<std::uint32_t>(dst.size()) : cur_left_;
      p.record_start = cur_left_ == cur_.len;
      q_.get(0, dst.first(n));
      q_.consume(n);
      cur_left_ -= n;
      p.bytes = n;
      p.epoch = cur_.epoch;
      p.item = cur_.item;
      p.aux = cur_.aux;
      p.record_end = cur_left_ == 0;
      return p;
    }
  }

  /**
   * [consumer] The tag of the next readable piece, without reading payload (stale records
   * in front of it are skipped, as read_piece() would). False when nothing is readable.
   */
  bool peek_tag(ChunkTag& tag) noexcept {
    for (;;) {
      if (cur_left_ == 0 && !open_record()) return false;
      if (cur_.epoch < epoch_.load(std::memory_order_acquire)) {
        stale_skipped_bytes_ += cur_left_;
        q_.consume(cur_left_);
        cur_left_ = 0;
        continue;
      }
      tag = {cur_.epoch, cur_.item};
      return true;
    }
  }

  /** [consumer] Payload bytes skipped by the read filter so far. */
  std::uint64_t stale_skipped_bytes() const noexcept { return stale_skipped_bytes_; }

  /** [consumer] Payload bytes left of the head record that read_piece() started. */
  std::uint32_t current_left() const noexcept { return cur_left_; }

  /** [consumer] The read index. */
  std::uint64_t read_index() const noexcept { return q_.read_index(); }
  /** [consumer] The write index published so far (acquire; trace mode). */
  std::uint64_t published_index() const noexcept { return q_.write_index_acquire(); }

  /** [consumer] Bytes (headers included) published and not yet consumed. */
  std::size_t available() noexcept { return q_.available(); }

  /** [any] Bytes queued, headers included (telemetry). */
  std::size_t size_snapshot() const noexcept { return q_.size_snapshot(); }

 private:
  // [consumer] Parses the next header into cur_; false when no whole record is published.
  bool open_record() noexcept {
    if (q_.available(sizeof(ChunkHeader)) < sizeof(ChunkHeader)) return false;
    q_.get(0, {reinterpret_cast<std::uint8_t*>(&cur_), sizeof cur_});
    q_.consume(sizeof cur_);
    cur_left_ = cur_.len;
    return true;
  }

  // [consumer] Payload bytes of the whole records in [from, to) (headers excluded). Walks
  // the headers once per flush, not per frame. The head record may be half read.
  std::uint64_t payload_between(std::uint64_t from, std::uint64_t to) noexcept {
    std::uint64_t payload = cur_left_;
    std::uint64_t at = from + cur_left_;
    const std::uint64_t r = q_.read_index();
    while (at + sizeof(ChunkHeader) <= to) {
      ChunkHeader h;
      q_.get(static_cast<std::size_t>(at - r), {reinterpret_cast<std::uint8_t*>(&h), sizeof h});
      payload += h.len;
      at += sizeof h + h.len;
    }
    return payload;
  }

  SpscBytes q_;
  // Requester-written, consumer-read; flush_seq_ publishes the other two.
  alignas(kCacheLine) std::atomic<std::uint64_t> flush_to_{0};
  std::atomic<std::uint32_t> epoch_{0};
  std::atomic<std::uint64_t> flush_seq_{0};
  // Consumer-local.
  alignas(kCacheLine) std::uint64_t flush_done_seq_ = 0;
  ChunkHeader cur_{};
  std::uint32_t cur_left_ = 0;
  std::uint64_t stale_skipped_bytes_ = 0;
};

}  // namespace parley::ring
