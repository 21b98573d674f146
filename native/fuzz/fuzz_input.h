// A cursor over libFuzzer's input: typed values taken from the front, never past the end
// (an exhausted input yields zeros), so every byte string is a valid program for a target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

namespace parley::fuzz {

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return at_ >= size_; }
  std::size_t left() const { return size_ - at_; }

  template <class T>
  T take() {
    T v{};
    const std::size_t n = sizeof(T) < left() ? sizeof(T) : left();
    if (n > 0) std::memcpy(&v, data_ + at_, n);
    at_ += n;
    return v;
  }

  /** A value in [0, n) (n > 0). */
  std::uint32_t below(std::uint32_t n) { return take<std::uint32_t>() % n; }
  bool flag() { return (take<std::uint8_t>() & 1) != 0; }

  /** Up to `max` bytes from the input (fewer when it runs out). */
  std::span<const std::uint8_t> bytes(std::size_t max) {
    const std::size_t n = max < left() ? max : left();
    std::span<const std::uint8_t> s{data_ + at_, n};
    at_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

/** A failed property: abort so libFuzzer saves the input as a crash. */
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

#define PARLEY_FUZZ_CHECK(cond)              \
  do {                                       \
    if (!(cond)) ::parley::fuzz::fail(#cond); \
  } while (0)

}  // namespace parley::fuzz
