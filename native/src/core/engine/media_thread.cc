// The tick loop. clock_nanosleep(TIMER_ABSTIME) on CLOCK_MONOTONIC: an absolute deadline,
// so neither the work nor a late wake-up shifts the following deadlines.
#include "core/engine/media_thread.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace parley::engine {

namespace {

std::int64_t now_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A media thread should not wait behind JS or a compiler for its 20 ms deadline: ask for a
// low real-time priority (it sleeps most of each period), else a better nice value, else
// keep the default. Once, at thread start; never on the per-frame path.
MediaThread::Sched raise_priority() noexcept {
  sched_param sp{};
  sp.sched_priority = 10;
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0) return MediaThread::Sched::kFifo;
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -10) == 0) return MediaThread::Sched::kNice;
  return MediaThread::Sched::kDefault;
}

void sleep_until_ns(std::int64_t t) noexcept {
  timespec ts;
  ts.tv_sec = t / 1'000'000'000;
  ts.tv_nsec = t % 1'000'000'000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace

void MediaThread::start() {
  if (thread_.joinable()) return;
  stop_.store(false, std::memory_order_relaxed);
  thread_ = std::thread([this] { run(); });
}

void MediaThread::stop() noexcept {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
}

void MediaThread::run() noexcept {
  // Named so that per-thread CPU (/proc/<pid>/task/<tid>/comm) tells it from the JS thread.
  pthread_setname_np(pthread_self(), "parley-media");
  sched_.store(static_cast<std::uint8_t>(raise_priority()), std::memory_order_release);
  const std::int64_t start = now_ns();
  std::uint64_t served = 0;  // index of the last deadline served
  while (!stop_.load(std::memory_order_acquire)) {
    const std::int64_t next = start + static_cast<std::int64_t>(served + 1) * period_ns_;
    sleep_until_ns(next);
    if (stop_.load(std::memory_order_acquire)) break;
    const std::int64_t woke = now_ns();
    // Serves the newest deadline passed (normally served + 1); late from the first one missed.
    const Wake w = on_wake(start, period_ns_, served, woke);
    if (w.elapsed > 1) missed_.add(w.elapsed - 1);
    lateness_.push(w.late_ns);
    core_.tick(w.tick, static_cast<std::uint32_t>(w.elapsed > 0xffffffffu ? 0xffffffffu : w.elapsed));
    work_.push(now_ns() - woke);
    served = w.tick;
  }
}

}  // namespace parley::engine
