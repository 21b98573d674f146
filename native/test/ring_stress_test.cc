// A producer, a consumer and a flush requester hammering one ChunkRing on three threads
// (10^6 records). Built under TSan and under ASan+UBSan by `npm test`. The consumer checks,
// on every piece it reads:
//   PL3  no piece of an epoch older than the epoch it saw before reading;
//   PL2  after it executed a flush, no record written before that request is read;
//   PL4  every payload byte is intact (an overwrite of unread data would corrupt it) and
//        records arrive in order, never twice;
//   no loss: a record of the epoch being read was never dropped before it (a flush drops only
//        what was written before its request: "flush to the head at execution time" fails);
// and at the end, conservation: every accepted byte was read, skipped as stale or dropped
// by a flush, exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "core/ring/chunk_ring.h"

using parley::ring::ChunkRing;
using parley::ring::Piece;
using parley::ring::WriteStatus;

namespace {

constexpr std::uint64_t kRecords = 1'000'000;
constexpr std::size_t kPrefix = 16;  // seq (8) + epoch (4) + item (4) at the start of each payload
constexpr std::uint32_t kRefused = 0xFFFFFFFFu;

std::uint8_t filler(std::uint64_t seq, std::size_t i) { return static_cast<std::uint8_t>(seq * 31 + i * 7 + 1); }

struct Shared {
  ChunkRing ring{4096};
  std::atomic<std::uint64_t> published{0};   // records the producer has committed
  std::atomic<std::uint64_t> flush_floor{0};  // every seq below it was written before a request
  std::atomic<bool> producer_done{false};
  std::atomic<bool> consumer_done{false};
  // Epoch of each accepted record (kRefused otherwise); written before the record is
  // published, read by the consumer after it read a later record.
  std::vector<std::uint32_t> accepted = std::vector<std::uint32_t>(kRecords, kRefused);
};

// Checks one whole (or cut) record's bytes; returns its seq.
struct RecordChecker {
  const std::vector<std::uint32_t>* accepted = nullptr;
  std::vector<std::uint8_t> buf;
  std::uint64_t last_seq = 0;
  bool any = false;
  std::uint64_t records = 0;

  void finish(std::uint64_t floor_at_flush) {
    if (buf.empty()) return;
    ASSERT_GE(buf.size(), 1u);
    if (buf.size() >= 8) {
      std::uint64_t seq;
      std::memcpy(&seq, buf.data(), 8);
      if (any) {
        ASSERT_GT(seq, last_seq) << "records out of order or read twice";
      }
      ASSERT_GE(seq, floor_at_flush) << "PL2: a record written before an executed flush was read";
      // Nothing of this record's epoch may have vanished since the previous record: a flush
      // or the read filter only ever drops older epochs.
      if (buf.size() >= 12) {
        std::uint32_t epoch;
        std::memcpy(&epoch, buf.data() + 8, 4);
        for (std::uint64_t k = any ? last_seq + 1 : 0; k < seq; ++k)
          ASSERT_NE((*accepted)[k], epoch) << "a record of the current epoch " << epoch << " was lost (seq " << k << ")";
      }
      last_seq = seq;
      any = true;
      for (std::size_t i = kPrefix; i < buf.size(); ++i)
        ASSERT_EQ(buf[i], filler(seq, i)) << "PL4: payload corrupted at byte " << i << " of seq " << seq;
    }
    ++records;
    buf.clear();
  }
};

}  // namespace

TEST(RingStress, ProducerConsumerAndFlushRequesterOnThreeThreads) {
  Shared s;
  std::uint64_t accepted_bytes = 0, stale_refused = 0, full_refused = 0;
  std::uint64_t read_bytes = 0, flushed_bytes = 0, flushes_executed = 0, requests = 0;

  std::thread producer([&] {
    std::mt19937 rng(1);
    std::vector<std::uint8_t> payload(256);
    for (std::uint64_t seq = 0; seq < kRecords;) {
      const std::size_t len = kPrefix + rng() % 120;
      // Mostly the current epoch; sometimes one behind, as a producer racing a barge-in.
      std::uint32_t epoch = s.ring.epoch();
      if (rng() % 16 == 0 && epoch > 0) --epoch;
      const std::uint32_t item = static_cast<std::uint32_t>(seq / 100);
      std::memcpy(payload.data(), &seq, 8);
      std::memcpy(payload.data() + 8, &epoch, 4);
      std::memcpy(payload.data() + 12, &item, 4);
      for (std::size_t i = kPrefix; i < len; ++i) payload[i] = filler(seq, i);
      s.accepted[seq] = epoch;  // assume accepted; corrected below if refused (not yet published)
      const WriteStatus st = s.ring.write({epoch, item}, {payload.data(), len});
      if (st != WriteStatus::kOk) s.accepted[seq] = kRefused;
      if (st == WriteStatus::kOk) {
        accepted_bytes += len;
        ++seq;
        s.published.store(seq, std::memory_order_release);
      } else if (st == WriteStatus::kStale) {
        ++stale_refused;
        ++seq;  // a refused record is simply never written; the next one takes the next seq
        s.published.store(seq, std::memory_order_release);
      } else {
        ++full_refused;
        if (s.consumer_done.load(std::memory_order_acquire)) break;  // the consumer failed
        // Back off as a real producer would (2 cores, 3 threads: spinning starves the consumer).
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    s.producer_done.store(true, std::memory_order_release);
  });

  std::thread requester([&] {
    std::mt19937 rng(2);
    std::uint32_t epoch = 0;
    while (!s.consumer_done.load(std::memory_order_acquire)) {
      // About one barge-in per millisecond.
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      if (s.producer_done.load(std::memory_order_acquire)) break;
      const std::uint64_t floor = s.published.load(std::memory_order_acquire);
      s.ring.request_flush(++epoch);
      ++requests;
      s.flush_floor.store(floor, std::memory_order_release);
      std::this_thread::yield();
    }
  });

  auto consume = [&] {
    std::mt19937 rng(3);
    RecordChecker check;
    check.accepted = &s.accepted;
    std::uint64_t floor = 0;  // seqs below it must never be read again
    std::uint8_t buf[512];
    for (;;) {
      // A "tick": learn what was requested, then execute the pending flush on this side.
      const std::uint64_t f = s.flush_floor.load(std::memory_order_acquire);
      const bool done_before = s.producer_done.load(std::memory_order_acquire);
      const std::uint32_t left_before = s.ring.current_left();
      auto done = s.ring.execute_pending_flush();
      if (done.executed) {
        ++flushes_executed;
        flushed_bytes += done.dropped_bytes;
        // A half-read record is cut only when the flush point lies beyond it.
        if (left_before > 0 && s.ring.current_left() == 0) check.finish(floor);
      }
      if (f > floor) floor = f;
      // Then read a few pieces of random sizes.
      for (int k = 0; k < 8; ++k) {
        const std::uint32_t epoch_before = s.ring.epoch();
        const std::size_t want = 1 + rng() % sizeof buf;
        Piece p = s.ring.read_piece({buf, want});
        if (p.bytes > 0) {
          ASSERT_GE(p.epoch, epoch_before) << "PL3: a stale piece was read";
          if (p.record_start) check.finish(floor);  // the previous record's rest was skipped as stale
          check.buf.insert(check.buf.end(), buf, buf + p.bytes);
          read_bytes += p.bytes;
        }
        // The record being collected is over: read to its end, or its rest skipped as stale.
        if (s.ring.current_left() == 0) check.finish(floor);
        if (p.bytes == 0) break;
      }
      if (done_before && s.ring.available() == 0 && s.ring.current_left() == 0) {
        // Nothing more can arrive; a request issued meanwhile is executed by this last pass.
        auto last = s.ring.execute_pending_flush();
        flushed_bytes += last.dropped_bytes;
        check.finish(floor);
        break;
      }
    }
    EXPECT_GT(check.records, kRecords / 4);
  };
  std::thread consumer([&] {
    consume();  // returns early on a failed ASSERT; the flag still releases the others
    s.consumer_done.store(true, std::memory_order_release);
  });

  producer.join();
  consumer.join();
  requester.join();

  EXPECT_EQ(accepted_bytes, read_bytes + s.ring.stale_skipped_bytes() + flushed_bytes)
      << "every accepted byte is read, skipped or flushed exactly once";
  EXPECT_GT(requests, 100u);
  EXPECT_GT(flushes_executed, 50u);
  EXPECT_GT(full_refused, 0u) << "the ring was never full: the test did not exercise PL4";
  EXPECT_GT(stale_refused + s.ring.stale_skipped_bytes(), 0u);
  std::printf("records=%llu requests=%llu flushes=%llu full=%llu stale_refused=%llu stale_skipped_bytes=%llu\n",
              static_cast<unsigned long long>(kRecords), static_cast<unsigned long long>(requests),
              static_cast<unsigned long long>(flushes_executed), static_cast<unsigned long long>(full_refused),
              static_cast<unsigned long long>(stale_refused),
              static_cast<unsigned long long>(s.ring.stale_skipped_bytes()));
}
