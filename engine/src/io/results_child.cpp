// Results files are read and written in a child process (fork). libhdf5 is not safe on a crafted
// file: one with a valid checksum but a bad global heap object overflows libhdf5's heap, bad
// dimension-scale references made H5DS loop for ever. The child reads the file
// (read_results_in_process) under CPU and memory limits and sends the dataset back through a
// pipe; the parent never hands the file to libhdf5, so a crash, hang or memory error stays in
// the child and becomes FileFormatError ("damaged or not a healthcast results file"). Writing in
// a child keeps a failed write (a full disk) from leaving libhdf5 1.10 with a file it has freed
// but still lists, which its exit handler closes again (SIGSEGV at exit, in Python when h5py
// registered that handler before healthcast could turn it off).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "results_hdf5.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;
using results::Coordinate;
using results::Dataset;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// What the child's first byte says.
constexpr char kDone = 'D';     // the answer (a dataset, or nothing for a write) follows
constexpr char kRefused = 'F';  // FileFormatError, its message follows
constexpr char kFailed = 'E';   // Error, its message follows

// ---------------------------------------------------------------------------------------------
// The child's side: a buffered writer of a simple length-prefixed encoding.

class Encoder {
 public:
  explicit Encoder(int fd) : fd_(fd) { buffer_.reserve(kFlushAt + 64); }

  void byte(char c) { put(&c, 1); }
  void u64(std::uint64_t n) { put(&n, sizeof n); }
  void text(std::string_view s) {
    u64(s.size());
    put(s.data(), s.size());
  }
  void texts(const std::vector<std::string>& values) {
    u64(values.size());
    for (const auto& s : values) text(s);
  }
  template <class T>
  void numbers(const std::vector<T>& values) {
    u64(values.size());
    put(values.data(), values.size() * sizeof(T));
  }
  // Drops what is not yet sent (the answer of a child that then failed).
  void clear() { buffer_.clear(); }
  // False when the parent is gone.
  bool flush() {
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return true;
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;

  void put(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const std::size_t room = kFlushAt - std::min(kFlushAt, buffer_.size());
      const std::size_t take = std::min(size, std::max<std::size_t>(room, 1));
      buffer_.append(p, take);
      p += take;
      size -= take;
      if (buffer_.size() >= kFlushAt && !flush()) ::_exit(4);
    }
  }

  int fd_;
  std::string buffer_;
};

void encode(Encoder& out, const Dataset& dataset) {
  out.u64(dataset.attributes.size());
  for (const auto& [name, value] : dataset.attributes) {
    out.text(name);
    out.text(value);
  }
  out.u64(dataset.coordinates().size());
  for (const Coordinate& c : dataset.coordinates()) {
    out.text(c.name);
    out.text(c.long_name);
    out.text(c.units);
    if (const auto* numbers = std::get_if<std::vector<int>>(&c.values)) {
      out.byte('i');
      out.numbers(*numbers);
    } else {
      out.byte('s');
      out.texts(std::get<std::vector<std::string>>(c.values));
    }
  }
  out.u64(dataset.variables().size());
  for (const auto& v : dataset.variables()) {
    out.text(v.name);
    out.texts(v.dims);
    out.text(v.units);
    out.text(v.long_name);
    out.numbers(v.values);
  }
  out.u64(dataset.labels().size());
  for (const auto& l : dataset.labels()) {
    out.text(l.name);
    out.text(l.dim);
    out.text(l.long_name);
    out.texts(l.values);
  }
}

// The limits a child runs under. Reading: CPU seconds and address space, both growing with the
// file. Writing: wall-clock time only (a child that waits for a lock held at fork).
struct Limits {
  int seconds;                 // of CPU when reading; the wall-clock limit is 10 s more
  std::uint64_t memory_bytes;  // on top of what the process has mapped already (0: none)
};

Limits reading_limits(std::uint64_t file_bytes) {
  // A 52 MB file of draws (gzip-compressed) takes 1.9 s of CPU to read here, child and parent
  // together; its limit is 36 s.
  const std::uint64_t seconds = 10 + file_bytes / (2u << 20);
  // Every variable may hold up to about 1100 bytes per byte of file (check_claim in the reader);
  // real files hold a few. The child keeps the dataset once plus a 1 MiB write buffer.
  const std::uint64_t memory = (std::uint64_t{2} << 30) + 64 * file_bytes;
  return {static_cast<int>(std::min<std::uint64_t>(seconds, 3600)), memory};
}

Limits writing_limits(const Dataset& dataset) {
  std::uint64_t bytes = 0;
  for (const auto& v : dataset.variables()) bytes += 8 * v.values.size();
  return {static_cast<int>(std::min<std::uint64_t>(120 + bytes / (2u << 20), 3600)), 0};
}

std::uint64_t mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Runs `work` in the child and sends its outcome; never returns.
[[noreturn]] void child(int fd, const Limits& limits, const std::function<void(Encoder&)>& work,
                        bool cpu_limit) {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
  if (cpu_limit) {
    const rlimit cpu{static_cast<rlim_t>(limits.seconds), static_cast<rlim_t>(limits.seconds + 1)};
    ::setrlimit(RLIMIT_CPU, &cpu);
  }
  // AddressSanitizer reserves terabytes of address space up front: no limit under it.
  if (limits.memory_bytes > 0 && !kAddressSanitizer) {
    const auto bytes = static_cast<rlim_t>(mapped_bytes() + limits.memory_bytes);
    const rlimit memory{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &memory);
  }
  Encoder out(fd);
  int status = 0;
  try {
    out.byte(kDone);
    work(out);
  } catch (const FileFormatError& error) {
    out.clear();
    out.byte(kRefused);
    out.text(error.what());
  } catch (const Error& error) {
    out.clear();
    out.byte(kFailed);
    out.text(error.what());
  } catch (const std::bad_alloc&) {
    status = 5;  // the memory limit
  } catch (...) {
    status = 6;
  }
  if (status == 0 && !out.flush()) status = 4;
  ::_exit(status);  // no exit handlers: they belong to the parent
}

// ---------------------------------------------------------------------------------------------
// The parent's side

class Decoder {
 public:
  Decoder(fs::path path, std::string_view data) : path_(std::move(path)), data_(data) {}

  char byte() { return *take(1); }
  std::uint64_t u64() {
    std::uint64_t n = 0;
    std::memcpy(&n, take(sizeof n), sizeof n);
    return n;
  }
  std::string text() {
    const std::uint64_t n = count(1);
    return std::string(take(n), n);
  }
  std::vector<std::string> texts() {
    std::vector<std::string> values(count(sizeof(std::uint64_t)));
    for (auto& s : values) s = text();
    return values;
  }
  template <class T>
  std::vector<T> numbers() {
    std::vector<T> values(count(sizeof(T)));
    if (!values.empty())
      std::memcpy(values.data(), take(values.size() * sizeof(T)), values.size() * sizeof(T));
    return values;
  }
  // A count of items of at least `item_bytes` each, checked against what is left.
  std::uint64_t count(std::uint64_t item_bytes) {
    const std::uint64_t n = u64();
    if (n > (data_.size() - pos_) / item_bytes) bad();
    return n;
  }
  bool done() const { return pos_ == data_.size(); }
  [[noreturn]] void bad() const {
    throw FileFormatError(fmt::format(
        "{}: damaged or not a healthcast results file (its reader sent an incomplete answer)",
        path_.string()));
  }

 private:
  const char* take(std::uint64_t n) {
    if (n > data_.size() - pos_) bad();
    const char* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  fs::path path_;
  std::string_view data_;
  std::size_t pos_ = 0;
};

Dataset decode(const fs::path& path, std::string_view data) {
  Decoder in(path, data);
  Dataset dataset;
  try {
    for (std::uint64_t n = in.count(16); n > 0; --n) {
      std::string name = in.text();
      dataset.attributes[name] = in.text();
    }
    for (std::uint64_t n = in.count(32); n > 0; --n) {
      Coordinate c;
      c.name = in.text();
      c.long_name = in.text();
      c.units = in.text();
      const char type = in.byte();
      if (type == 'i')
        c.values = in.numbers<int>();
      else if (type == 's')
        c.values = in.texts();
      else
        in.bad();
      dataset.add_coordinate(std::move(c));
    }
    for (std::uint64_t n = in.count(40); n > 0; --n) {
      std::string name = in.text();
      std::vector<std::string> dims = in.texts();
      std::string units = in.text();
      std::string long_name = in.text();
      std::vector<double> values = in.numbers<double>();
      auto& variable = dataset.add_variable(std::move(name), std::move(dims), std::move(units),
                                            std::move(long_name));
      if (values.size() != variable.values.size()) in.bad();
      variable.values = std::move(values);
    }
    for (std::uint64_t n = in.count(32); n > 0; --n) {
      std::string name = in.text();
      std::string dim = in.text();
      std::string long_name = in.text();
      std::vector<std::string> values = in.texts();
      auto& labels = dataset.add_labels(std::move(name), std::move(dim), std::move(long_name));
      labels.values = std::move(values);
    }
  } catch (const FileFormatError&) {
    throw;
  } catch (const Error&) {
    in.bad();  // an inconsistent dataset: the child was not itself
  }
  if (!in.done()) in.bad();
  return dataset;
}

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0)
      throw Error(
          fmt::format("cannot read results file: cannot create a pipe: {}", std::strerror(errno)));
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close(0);
    close(1);
  }
  int get(int end) const { return fds_[end]; }
  void close(int end) {
    if (fds_[end] >= 0) ::close(fds_[end]);
    fds_[end] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

// Runs `work` in a child process and returns its answer. Rethrows the child's FileFormatError
// or Error; a child that crashed, ran out of its limits or did not finish calls `died` with
// what happened.
std::string run_in_child(const Limits& limits, bool cpu_limit,
                         const std::function<void(Encoder&)>& work,
                         const std::function<void(const std::string&)>& died) {
  Pipe pipe;
  const pid_t pid = ::fork();
  if (pid < 0) died(fmt::format("could not be started ({})", std::strerror(errno)));
  if (pid == 0) {
    pipe.close(0);
    child(pipe.get(1), limits, work, cpu_limit);
  }
  pipe.close(1);

  // The wall-clock limit is a little above the CPU limit: a child that waits (a lock held at
  // fork time) rather than computes is stopped too.
  const int wall = limits.seconds + 10;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wall);
  std::string answer;
  bool timed_out = false;
  std::vector<char> chunk(1 << 16);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{pipe.get(0), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;  // interrupted, or the deadline (checked above)
    const ssize_t n = ::read(pipe.get(0), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(chunk.data(), static_cast<std::size_t>(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) died(fmt::format("did not finish within {} s", wall));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU) died(fmt::format("used over {} s of CPU", limits.seconds));
    died(fmt::format("crashed ({})", ::strsignal(sig)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
    died(limits.memory_bytes > 0
             ? fmt::format("needed over {} MB of memory", limits.memory_bytes >> 20)
             : std::string("ran out of memory"));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || answer.empty())
    died(fmt::format("failed (status {})", WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  const char kind = answer[0];
  answer.erase(0, 1);
  if (kind == kDone) return answer;
  Decoder in({}, answer);
  const std::string message = in.text();
  if (kind == kRefused) throw FileFormatError(message);
  if (kind == kFailed) throw Error(message);
  died("sent an answer it should not");
  throw Error("unreachable");  // died() throws
}

}  // namespace

namespace {

// Runs `read` (which encodes what it read) on the file in a child under the reading limits.
Dataset read_in_child(const fs::path& path, const std::function<void(Encoder&)>& read) {
  // The header and checksum first, here: a missing, damaged or foreign file needs no child.
  std::uint64_t size = 0;
  detail::verify_results_file(path, size);
  const std::string answer =
      run_in_child(reading_limits(size), true, read, [&](const std::string& how) {
        throw FileFormatError(
            fmt::format("{}: damaged or not a healthcast results file (libhdf5 {} reading it)",
                        path.string(), how));
      });
  return decode(path, answer);
}

}  // namespace

Dataset read_results(const fs::path& path) {
  return read_in_child(path,
                       [&](Encoder& out) { encode(out, detail::read_results_in_process(path)); });
}

std::map<std::string, std::string> read_results_attributes(const fs::path& path) {
  return read_in_child(path,
                       [&](Encoder& out) {
                         Dataset attributes_only;
                         attributes_only.attributes =
                             detail::read_results_attributes_in_process(path);
                         encode(out, attributes_only);
                       })
      .attributes;
}

void write_results(const Dataset& dataset, const fs::path& path) {
  if (path.empty()) throw Error("cannot write results file: the path is empty");
  detail::create_parent_directory(path);
  // Named here, so that the parent removes it if the child dies, and on SIGINT/SIGTERM.
  const fs::path temporary = detail::temporary_path(path);
  try {
    run_in_child(
        writing_limits(dataset), false,
        [&](Encoder&) { detail::write_results_in_process(dataset, path, temporary); },
        [&](const std::string& how) {
          throw Error(fmt::format("{}: cannot write results file: the writing process {}",
                                  path.string(), how));
        });
  } catch (...) {
    detail::remove_temporary(temporary);
    throw;
  }
  detail::remove_temporary(temporary);  // renamed by the child: only takes it off the list
}

}  // namespace healthcast::io
