// The command / event / acknowledgement queues (SpscRecords over SpscBytes) under arbitrary
// push / pop sequences: FIFO order, no record lost or duplicated, a push is refused exactly
// when the queue is full, and the byte queue's free-running indices wrap the buffer correctly.
#include <cstdint>
#include <deque>

#include "core/engine/event.h"
#include "core/ring/spsc_records.h"
#include "fuzz_input.h"

using parley::engine::Event;
using parley::ring::SpscRecords;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  SpscRecords<Event> q(1 + in.below(64));
  const std::size_t cap = q.capacity();
  std::deque<std::uint64_t> model;
  std::uint64_t next = 1;
  int ops = 0;
  while (!in.empty() && ops++ < 4096) {
    const std::uint32_t burst = 1 + in.below(8);
    if (in.flag()) {
      for (std::uint32_t k = 0; k < burst; ++k) {
        Event ev{};
        ev.b = next;
        ev.c = ~next;
        const bool ok = q.push(ev);
        PARLEY_FUZZ_CHECK(ok == (model.size() < cap));
        if (ok) model.push_back(next++);
      }
    } else {
      for (std::uint32_t k = 0; k < burst; ++k) {
        Event ev{};
        const bool ok = q.pop(ev);
        PARLEY_FUZZ_CHECK(ok == !model.empty());
        if (!ok) break;
        PARLEY_FUZZ_CHECK(ev.b == model.front() && ev.c == ~model.front());
        model.pop_front();
      }
    }
    PARLEY_FUZZ_CHECK(q.size() == model.size());
  }
  return 0;
}
