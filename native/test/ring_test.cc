// Single-threaded behaviour of SpscBytes and ChunkRing: wrap-around, all-or-nothing writes,
// the flush protocol (PL1, PL2), the epoch filters (PL3) and overflow refusal (PL4).
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "core/ring/chunk_ring.h"
#include "core/ring/spsc_bytes.h"

using parley::ring::ChunkHeader;
using parley::ring::ChunkRing;
using parley::ring::ChunkTag;
using parley::ring::Piece;
using parley::ring::SpscBytes;
using parley::ring::WriteStatus;

namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t first) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

// Reads everything current from the ring, piece by piece.
std::vector<std::uint8_t> drain(ChunkRing& r, std::vector<Piece>* pieces = nullptr) {
  std::vector<std::uint8_t> out;
  std::uint8_t buf[37];  // odd size: pieces split records
  for (;;) {
    Piece p = r.read_piece(buf);
    if (p.bytes == 0) break;
    out.insert(out.end(), buf, buf + p.bytes);
    if (pieces) pieces->push_back(p);
  }
  return out;
}

}  // namespace

// Exact, not rounded up to a power of two: a call's rings are most of its native memory.
TEST(SpscBytes, CapacityIsTheRequestedSize) {
  EXPECT_EQ(SpscBytes(1).capacity(), 64u);
  EXPECT_EQ(SpscBytes(100).capacity(), 100u);
  EXPECT_EQ(SpscBytes(4096).capacity(), 4096u);
}

TEST(SpscBytes, WrapsAroundAnOddCapacity) {
  SpscBytes q(100);
  std::vector<std::uint8_t> out(37);
  for (int round = 0; round < 20; ++round) {
    auto in = bytes(37, static_cast<std::uint8_t>(round * 11));
    ASSERT_TRUE(q.try_write(in));
    ASSERT_TRUE(q.try_read(out));
    ASSERT_EQ(out, in) << "round " << round;
  }
  // Full at exactly the capacity: 100 bytes fit, the 101st does not.
  ASSERT_TRUE(q.try_write(bytes(100, 1)));
  EXPECT_FALSE(q.try_write(bytes(1, 2)));
}

TEST(SpscBytes, WrapsAroundWithBulkCopies) {
  SpscBytes q(64);
  std::vector<std::uint8_t> out(48);
  for (int round = 0; round < 10; ++round) {
    auto in = bytes(48, static_cast<std::uint8_t>(round * 7));
    ASSERT_TRUE(q.try_write(in));
    ASSERT_EQ(q.available(), 48u);
    ASSERT_TRUE(q.try_read(out));
    ASSERT_EQ(out, in) << "round " << round;
  }
  EXPECT_EQ(q.read_index(), 480u);  // free-running, never reset to 0
}

TEST(SpscBytes, WriteIsAllOrNothing) {
  SpscBytes q(64);
  ASSERT_TRUE(q.try_write(bytes(60, 0)));
  EXPECT_FALSE(q.try_write(bytes(5, 0)));
  EXPECT_EQ(q.available(), 60u);
  std::vector<std::uint8_t> out(10);
  std::vector<std::uint8_t> big(61);
  EXPECT_FALSE(q.try_read(big));
  ASSERT_TRUE(q.try_read(out));
  EXPECT_TRUE(q.try_write(bytes(14, 0)));
}

TEST(SpscBytes, ConsumeToNeverMovesBackwardOrPastTheWriteIndex) {
  SpscBytes q(64);
  ASSERT_TRUE(q.try_write(bytes(20, 0)));
  EXPECT_EQ(q.consume_to(100), 20u);  // clamped to the write index
  EXPECT_EQ(q.read_index(), 20u);
  EXPECT_EQ(q.consume_to(5), 0u);  // backward: no-op
  EXPECT_EQ(q.read_index(), 20u);
}

TEST(ChunkRing, RoundTripsTaggedRecordsAcrossTheWrap) {
  ChunkRing r(256);
  std::vector<std::uint8_t> expect;
  for (int i = 0; i < 40; ++i) {
    auto in = bytes(50 + i % 7, static_cast<std::uint8_t>(i));
    ASSERT_EQ(r.write({0, static_cast<std::uint32_t>(i)}, in), WriteStatus::kOk);
    std::vector<Piece> pieces;
    auto got = drain(r, &pieces);
    ASSERT_EQ(got, in);
    ASSERT_FALSE(pieces.empty());
    EXPECT_TRUE(pieces.front().record_start);
    EXPECT_TRUE(pieces.back().record_end);
    for (const Piece& p : pieces) EXPECT_EQ(p.item, static_cast<std::uint32_t>(i));
  }
}

TEST(ChunkRing, OverflowIsRefusedAndNothingUnreadIsOverwritten) {  // PL4
  ChunkRing r(128);
  ASSERT_EQ(r.write({0, 1}, bytes(60, 1)), WriteStatus::kOk);
  ASSERT_EQ(r.write({0, 2}, bytes(36, 100)), WriteStatus::kOk);  // 76 + 52 = 128: exactly full
  const std::uint64_t read_before = r.read_index();
  EXPECT_EQ(r.write({0, 3}, bytes(1, 200)), WriteStatus::kFull);
  EXPECT_EQ(r.write({0, 3}, bytes(200, 0)), WriteStatus::kFull);  // larger than the ring
  EXPECT_EQ(r.read_index(), read_before);  // the producer never moves the read index
  auto got = drain(r);
  auto expect = bytes(60, 1);
  auto second = bytes(36, 100);
  expect.insert(expect.end(), second.begin(), second.end());
  EXPECT_EQ(got, expect);
}

TEST(ChunkRing, RequestFlushMovesNoIndex) {  // PL1
  ChunkRing r(256);
  ASSERT_EQ(r.write({0, 1}, bytes(30, 0)), WriteStatus::kOk);
  const std::uint64_t w = r.write_index();
  const std::uint64_t rd = r.read_index();
  r.request_flush(1);
  EXPECT_EQ(r.write_index(), w);
  EXPECT_EQ(r.read_index(), rd);
  EXPECT_EQ(r.epoch(), 1u);
}

TEST(ChunkRing, FlushDropsWhatWasWrittenBeforeTheRequestOnly) {  // PL2
  ChunkRing r(512);
  ASSERT_EQ(r.write({0, 1}, bytes(30, 0)), WriteStatus::kOk);
  ASSERT_EQ(r.write({0, 1}, bytes(30, 30)), WriteStatus::kOk);
  r.request_flush(1);
  auto fresh = bytes(25, 77);
  ASSERT_EQ(r.write({1, 2}, fresh), WriteStatus::kOk);  // after the request: survives
  auto done = r.execute_pending_flush();
  EXPECT_TRUE(done.executed);
  EXPECT_EQ(done.epoch, 1u);
  EXPECT_EQ(done.dropped_bytes, 60u);
  std::vector<Piece> pieces;
  EXPECT_EQ(drain(r, &pieces), fresh);
  EXPECT_EQ(pieces.front().item, 2u);
  EXPECT_FALSE(r.execute_pending_flush().executed);  // executed once
}

TEST(ChunkRing, FlushOfAHalfReadRecordDropsItsRest) {
  ChunkRing r(512);
  ASSERT_EQ(r.write({0, 1}, bytes(100, 0)), WriteStatus::kOk);
  std::uint8_t buf[30];
  ASSERT_EQ(r.read_piece(buf).bytes, 30u);
  r.request_flush(1);
  auto done = r.execute_pending_flush();
  EXPECT_EQ(done.dropped_bytes, 70u);
  EXPECT_EQ(r.current_left(), 0u);
  EXPECT_EQ(r.read_piece(buf).bytes, 0u);
  EXPECT_EQ(r.read_index(), r.write_index());
}

TEST(ChunkRing, AnEmptyFlushIsStillAcknowledged) {
  ChunkRing r(128);
  r.request_flush(3);
  auto done = r.execute_pending_flush();
  EXPECT_TRUE(done.executed);
  EXPECT_EQ(done.epoch, 3u);
  EXPECT_EQ(done.dropped_bytes, 0u);
}

TEST(ChunkRing, StaleWritesAreRefused) {  // PL3, write side
  ChunkRing r(256);
  r.request_flush(5);
  EXPECT_EQ(r.write({4, 1}, bytes(10, 0)), WriteStatus::kStale);
  EXPECT_EQ(r.write({5, 1}, bytes(10, 0)), WriteStatus::kOk);
}

TEST(ChunkRing, StaleRecordsAreSkippedOnRead) {  // PL3, read side
  // A record that passed the write filter before the epoch bump, published after the flush
  // index was taken: only the read filter can stop it.
  ChunkRing r(512);
  ASSERT_EQ(r.write({0, 1}, bytes(40, 0)), WriteStatus::kOk);
  std::uint8_t buf[16];
  ASSERT_EQ(r.read_piece(buf).bytes, 16u);  // half read
  r.request_flush(1);                        // not yet executed
  ASSERT_EQ(r.write({1, 2}, bytes(10, 9)), WriteStatus::kOk);
  std::vector<Piece> pieces;
  auto got = drain(r, &pieces);  // before the consumer's next tick
  EXPECT_EQ(got, bytes(10, 9));
  for (const Piece& p : pieces) EXPECT_EQ(p.epoch, 1u);
  EXPECT_EQ(r.stale_skipped_bytes(), 24u);
}

TEST(ChunkRing, EmptyPayloadQueuesNothing) {
  ChunkRing r(128);
  EXPECT_EQ(r.write({0, 1}, {}), WriteStatus::kOk);
  EXPECT_EQ(r.write_index(), 0u);
}

TEST(ChunkRing, AuxTravelsWithTheRecord) {
  ChunkRing r(128);
  ASSERT_EQ(r.write({0, 9}, bytes(8, 0), 480), WriteStatus::kOk);
  std::uint8_t buf[8];
  Piece p = r.read_piece(buf);
  EXPECT_EQ(p.bytes, 8u);
  EXPECT_EQ(p.aux, 480u);
  EXPECT_EQ(p.item, 9u);
}
