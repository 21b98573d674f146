// A single-producer / single-consumer queue of fixed-size, trivially copyable records, on
// top of SpscBytes (same indices, same memory orders). Used for the command queue (JS ->
// media thread), the event queue and the acknowledgement queue (media thread -> JS).
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "core/ring/spsc_bytes.h"

namespace parley::ring {

template <class T>
class SpscRecords {
  static_assert(std::is_trivially_copyable_v<T>, "records are copied as bytes");

 public:
  /** Room for at least `min_records` records. */
  explicit SpscRecords(std::size_t min_records) : q_(min_records * sizeof(T)) {}

  /** [producer] False (and nothing queued) when full. */
  bool push(const T& rec) noexcept {
    return q_.try_write({reinterpret_cast<const std::uint8_t*>(&rec), sizeof(T)});
  }

  /** [consumer] False when empty. */
  bool pop(T& rec) noexcept { return q_.try_read({reinterpret_cast<std::uint8_t*>(&rec), sizeof(T)}); }

  /** [consumer] Records ready to pop. */
  std::size_t size() noexcept { return q_.available() / sizeof(T); }

  std::size_t capacity() const noexcept { return q_.capacity() / sizeof(T); }

 private:
  SpscBytes q_;
};

}  // namespace parley::ring
