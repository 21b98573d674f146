// A single-producer / single-consumer byte queue (kfifo / rigtorp style).
//
// - Free-running 64-bit indices: `write_ - read_` is what is queued; they never wrap in
//   practice (2^64 bytes), so "flush up to index W" is a monotone max on the read side.
// - Each index lives on its own cache line, next to nothing the other side writes; each
//   side also keeps a cached copy of the other side's index on a line of its own, so it
//   touches the shared line only when the cache says full / empty.
// - Memory orders: a side loads its own index relaxed (only it writes it), loads the
//   other side's index with acquire and publishes its own with release. Nothing stronger.
// - Bulk copy: at most two memcpy calls around the wrap point.
// - Any capacity (not rounded up to a power of two): a call holds four rings, and rounding
//   up made a 2 s playout ring of 24 kHz PCM 128 KiB for 98 KB of bound. The offset is a
//   modulo, once per copy. The buffer is not zeroed: only published bytes are ever read, so
//   a page is resident once audio has been written to it, not at construction.
//
// Thread affinity is part of the contract: methods are marked [producer] or [consumer];
// calling one from another thread is a data race (the stress tests run under TSan).
// Nothing here allocates, locks or makes a system call after construction.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace parley::ring {

// Not std::hardware_destructive_interference_size: GCC warns (-Winterference-size) when
// it appears in a header, and 64 is right for every x86-64 and most AArch64 parts.
inline constexpr std::size_t kCacheLine = 64;

class SpscBytes {
 public:
  /** Capacity is `min_capacity` exactly (at least 64 bytes, at most 2^40). */
  explicit SpscBytes(std::size_t min_capacity)
      : cap_(std::clamp(min_capacity, std::size_t{64}, std::size_t{1} << 40)),
        buf_(std::make_unique_for_overwrite<std::uint8_t[]>(cap_)) {}

  SpscBytes(const SpscBytes&) = delete;
  SpscBytes& operator=(const SpscBytes&) = delete;

  std::size_t capacity() const noexcept { return cap_; }

  // ---- producer side ----------------------------------------------------------------

  /** [producer] The producer's own write index (bytes ever committed). */
  std::uint64_t write_index() const noexcept { return write_.load(std::memory_order_relaxed); }

  /** [producer] Free bytes; reloads the consumer's index only when the cache says full. */
  std::size_t free_space(std::size_t wanted = 0) noexcept {
    const std::uint64_t w = write_.load(std::memory_order_relaxed);
    std::size_t free = cap_ - static_cast<std::size_t>(w - read_cache_);
    if (free < wanted || wanted == 0) {
      read_cache_ = read_.load(std::memory_order_acquire);
      free = cap_ - static_cast<std::size_t>(w - read_cache_);
    }
    return free;
  }

  /** [producer] Copies bytes to `write_index() + offset` without publishing them. */
  void put(std::size_t offset, std::span<const std::uint8_t> src) noexcept {
    copy_in(write_.load(std::memory_order_relaxed) + offset, src.data(), src.size());
  }

  /** [producer] Publishes `n` bytes previously placed with put(). */
  void commit(std::size_t n) noexcept {
    write_.store(write_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  /** [producer] All or nothing: writes every byte of `src`, or nothing when it does not fit. */
  bool try_write(std::span<const std::uint8_t> src) noexcept {
    if (free_space(src.size()) < src.size()) return false;
    put(0, src);
    commit(src.size());
    return true;
  }

  // ---- consumer side ----------------------------------------------------------------

  /** [consumer] The consumer's own read index (bytes ever consumed or skipped). */
  std::uint64_t read_index() const noexcept { return read_.load(std::memory_order_relaxed); }

  /** [consumer] Published bytes not yet consumed; reloads the producer's index when needed. */
  std::size_t available(std::size_t wanted = 0) noexcept {
    const std::uint64_t r = read_.load(std::memory_order_relaxed);
    std::size_t avail = static_cast<std::size_t>(write_cache_ - r);
    if (avail < wanted || wanted == 0) {
      write_cache_ = write_.load(std::memory_order_acquire);
      avail = static_cast<std::size_t>(write_cache_ - r);
    }
    return avail;
  }

  /** [consumer] The producer's published write index (acquire). */
  std::uint64_t published_write_index() noexcept {
    write_cache_ = write_.load(std::memory_order_acquire);
    return write_cache_;
  }

  /** [consumer] Copies bytes from `read_index() + offset` without consuming them. */
  void get(std::size_t offset, std::span<std::uint8_t> dst) const noexcept {
    copy_out(read_.load(std::memory_order_relaxed) + offset, dst.data(), dst.size());
  }

  /** [consumer] Releases `n` bytes to the producer. */
  void consume(std::size_t n) noexcept {
    read_.store(read_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  /**
   * [consumer] Moves the read index forward to `index` (never backward, never past the
   * published write index): the consumer-side flush. Returns the bytes skipped.
   */
  std::uint64_t consume_to(std::uint64_t index) noexcept {
    const std::uint64_t r = read_.load(std::memory_order_relaxed);
    const std::uint64_t w = published_write_index();
    const std::uint64_t to = index < w ? index : w;
    if (to <= r) return 0;
    read_.store(to, std::memory_order_release);
    return to - r;
  }

  /** [consumer] All or nothing: fills `dst` entirely, or reads nothing. */
  bool try_read(std::span<std::uint8_t> dst) noexcept {
    if (available(dst.size()) < dst.size()) return false;
    get(0, dst);
    consume(dst.size());
    return true;
  }

  // ---- any thread (telemetry only: a snapshot that may be stale at once) ----------------

  /** The published write index, for a thread that owns neither index (a flush requester). */
  std::uint64_t write_index_acquire() const noexcept { return write_.load(std::memory_order_acquire); }

  /** Bytes queued as seen from a third thread: both indices loaded with acquire. */
  std::size_t size_snapshot() const noexcept {
    const std::uint64_t r = read_.load(std::memory_order_acquire);
    const std::uint64_t w = write_.load(std::memory_order_acquire);
    return w > r ? static_cast<std::size_t>(w - r) : 0;
  }

 private:
  void copy_in(std::uint64_t index, const std::uint8_t* src, std::size_t n) noexcept {
    if (n == 0) return;
    const std::size_t off = static_cast<std::size_t>(index % cap_);
    const std::size_t first = n < cap_ - off ? n : cap_ - off;
    std::memcpy(buf_.get() + off, src, first);
    if (n > first) std::memcpy(buf_.get(), src + first, n - first);
  }

  void copy_out(std::uint64_t index, std::uint8_t* dst, std::size_t n) const noexcept {
    if (n == 0) return;
    const std::size_t off = static_cast<std::size_t>(index % cap_);
    const std::size_t first = n < cap_ - off ? n : cap_ - off;
    std::memcpy(dst, buf_.get() + off, first);
    if (n > first) std::memcpy(dst + first, buf_.get(), n - first);
  }

  const std::size_t cap_;
  const std::unique_ptr<std::uint8_t[]> buf_;

  alignas(kCacheLine) std::atomic<std::uint64_t> write_{0};  // written by the producer only
  alignas(kCacheLine) std::uint64_t read_cache_{0};          // producer-local copy of read_
  alignas(kCacheLine) std::atomic<std::uint64_t> read_{0};   // written by the consumer only
  alignas(kCacheLine) std::uint64_t write_cache_{0};         // consumer-local copy of write_
};

}  // namespace parley::ring
