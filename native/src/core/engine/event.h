// What the media thread reports to the control (JS) thread, one fixed-size record each.
#pragma once

#include <cstdint>

namespace parley::engine {

enum class EventKind : std::uint16_t {
  kFlushed = 1,      // epoch, b = dropped AI samples, c = playout read index
  kDrained = 2,      // epoch, c = playout read index
  kPrefilled = 3,    // epoch, a = buffered ms
  kUnderrun = 4,     // a = frames the far side missed
  kSpeechStart = 5,  // from the capture path's VAD
  kSpeechStop = 6,
};

struct Event {
  std::uint32_t call_id;
  EventKind kind;
  std::uint16_t reserved;
  std::uint32_t epoch;
  std::uint32_t a;
  std::uint64_t b;
  std::uint64_t c;
  std::uint64_t tick;
};
static_assert(sizeof(Event) == 40);

}  // namespace parley::engine
