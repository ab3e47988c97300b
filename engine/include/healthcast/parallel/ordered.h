// Thread parallelism for independent work items (Monte Carlo draws, regions) whose results must
// not depend on the number of threads: items are computed in any order on worker threads, and
// consumed on the calling thread strictly in item order.
#pragma once

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace healthcast::parallel {

// The CPUs a process may use, from what it was given: the CPUs of its affinity mask
// (`affinity`, 0 when unknown) and SLURM_CPUS_PER_TASK (`slurm`, null when unset): the smaller of
// the two when both are known (a batch system's allocation, within the mask), a value of
// SLURM_CPUS_PER_TASK that is not a whole number from 1 up being ignored; else the machine's
// cores (`cores`), at least 1.
inline unsigned usable_cpus(unsigned affinity, const char* slurm, unsigned cores) {
  unsigned count = affinity;
  if (slurm != nullptr) {
    const std::string_view text(slurm);
    if (!text.empty() && text.size() <= 6 &&
        text.find_first_not_of("0123456789") == std::string_view::npos) {
      const auto value = static_cast<unsigned>(std::strtoul(slurm, nullptr, 10));
      if (value > 0) count = count > 0 ? std::min(count, value) : value;
    }
  }
  if (count == 0) count = cores;
  return count > 0 ? count : 1;
}

// The CPUs this process may use: its affinity mask (sched_getaffinity: taskset, cgroups
// cpusets, a batch system's binding) and SLURM_CPUS_PER_TASK, as usable_cpus().
inline unsigned usable_cpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const unsigned affinity =
      sched_getaffinity(0, sizeof(mask), &mask) == 0 ? static_cast<unsigned>(CPU_COUNT(&mask)) : 0;
  return usable_cpus(affinity, std::getenv("SLURM_CPUS_PER_TASK"),
                     std::thread::hardware_concurrency());
}

// The number of threads to use: `requested`, or one per usable CPU when it is 0.
inline unsigned thread_count(unsigned requested) {
  return requested > 0 ? requested : usable_cpus();
}

// Runs body(i) for i in [0, n) on up to `threads` threads. The first exception stops the
// remaining items and is rethrown here.
inline void for_each_index(std::size_t n, unsigned threads,
                           const std::function<void(std::size_t)>& body) {
  threads = static_cast<unsigned>(std::min<std::size_t>(thread_count(threads), n));
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::mutex mutex;
  std::size_t next = 0;
  std::exception_ptr error;
  const auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(mutex);
        if (error || next == n) return;
        i = next++;
      }
      try {
        body(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// Computes produce(i) for i in [0, n) on `threads` worker threads and hands each result to
// consume(i, result) on the calling thread in the order i = 0, 1, 2, ...; at most a few results
// per thread wait for their turn, so memory does not grow with n. consume returning false stops
// the work (the function then returns false). The first exception from either function stops
// the work and is rethrown here.
template <class Result>
bool ordered_map(std::size_t n, unsigned threads, const std::function<Result(std::size_t)>& produce,
                 const std::function<bool(std::size_t, Result&)>& consume) {
  threads = static_cast<unsigned>(std::min<std::size_t>(thread_count(threads), n));
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) {
      Result r = produce(i);
      if (!consume(i, r)) return false;
    }
    return true;
  }
  const std::size_t window = 2 * static_cast<std::size_t>(threads);
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::size_t, Result> ready;
  std::size_t next = 0, consumed = 0;
  bool stop = false;
  std::exception_ptr error;
  const auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || next == n || next < consumed + window; });
        if (stop || next == n) return;
        i = next++;
      }
      try {
        Result r = produce(i);
        std::lock_guard lock(mutex);
        ready.emplace(i, std::move(r));
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  bool finished = true;
  try {
    for (std::size_t i = 0; i < n; ++i) {
      Result r;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || ready.count(i) > 0; });
        if (stop) break;
        auto node = ready.extract(i);
        r = std::move(node.mapped());
      }
      if (!consume(i, r)) {
        finished = false;
        break;
      }
      {
        std::lock_guard lock(mutex);
        consumed = i + 1;
      }
      changed.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mutex);
    if (!error) error = std::current_exception();
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  changed.notify_all();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return finished;
}

}  // namespace healthcast::parallel
