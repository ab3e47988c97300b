// Thread parallelism for independent work items (Monte Carlo draws, regions) whose results must
// not depend on the number of threads: items are computed in any order on worker threads, and
// consumed on the calling thread strictly in item order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace healthcast::parallel {

// The number of threads to use: `requested`, or one per core when it is 0.
inline unsigned thread_count(unsigned requested) {
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
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
