// Temporary results files (unpredictable names, removed on SIGINT/SIGTERM) and the header that
// seals a finished file: a magic line and a CRC-32 of every byte after HDF5's userblock, checked
// before libhdf5 sees the file. libhdf5 crashes or hangs on some damaged files (a flipped bit in
// a B-tree or a dimension-scale reference), so a file whose bytes changed is refused unopened.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <hdf5.h>

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "results_hdf5.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;

// The temporary files being written, for a signal handler: a fixed array of owned C strings
// (no allocation or locking in the handler). Process-wide by nature, like the signal itself.
constexpr std::size_t kSlots = 256;
std::array<std::atomic<char*>, kSlots> live_temporaries{};

constexpr std::string_view kMagic = "healthcast results file\n";
// HDF5's format signature, which starts its superblock.
constexpr std::string_view kHdf5Signature = "\x89HDF\r\n\x1a\n";

bool hdf5_signature_at(int fd, off_t offset) {
  std::array<char, kHdf5Signature.size()> bytes{};
  return ::pread(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()) &&
         std::string_view(bytes.data(), bytes.size()) == kHdf5Signature;
}

void list_temporary(const fs::path& path) {
  char* copy = ::strdup(path.c_str());
  if (copy == nullptr) return;
  for (auto& slot : live_temporaries) {
    char* expected = nullptr;
    if (slot.compare_exchange_strong(expected, copy)) return;
  }
  std::free(copy);  // more files at once than slots: this one is not removed on a signal
}

void unlist_temporary(const fs::path& path) noexcept {
  for (auto& slot : live_temporaries) {
    char* current = slot.load();
    if (current != nullptr && path == current && slot.compare_exchange_strong(current, nullptr)) {
      std::free(current);
      return;
    }
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void damaged(const fs::path& path, std::string_view why) {
  throw FileFormatError(
      fmt::format("{}: damaged or not a healthcast results file ({})", path.string(), why));
}

// CRC-32 of the bytes of `fd` from `offset` to its end; false on a read error.
bool crc_from(int fd, off_t offset, std::uint32_t& crc) {
  std::vector<unsigned char> buffer(1 << 20);
  uLong value = ::crc32_z(0L, Z_NULL, 0);
  for (;;) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0) return false;
    if (got == 0) break;
    value = ::crc32_z(value, buffer.data(), static_cast<z_size_t>(got));
    offset += got;
  }
  crc = static_cast<std::uint32_t>(value);
  return true;
}

std::string header_text(std::uint32_t crc, std::uint64_t length) {
  std::string header = fmt::format("{}crc32 {:08x} length {}\n", kMagic, crc, length);
  header.resize(detail::kUserblockSize, '\0');
  return header;
}

}  // namespace

void seal_results_file(const fs::path& path) {
  const Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    throw Error(
        fmt::format("{}: cannot seal results file: {}", path.string(), std::strerror(errno)));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  // The header goes into the userblock: without one it would overwrite HDF5's superblock.
  if (!hdf5_signature_at(fd.get(), detail::kUserblockSize))
    throw Error(
        fmt::format("{}: cannot seal results file: it has no 512-byte userblock before "
                    "its HDF5 superblock (only files written by healthcast can be sealed)",
                    path.string()));
  std::uint32_t crc = 0;
  if (size < detail::kUserblockSize || !crc_from(fd.get(), detail::kUserblockSize, crc))
    damaged(path, "too short or unreadable");
  const std::string header = header_text(crc, size - detail::kUserblockSize);
  if (::pwrite(fd.get(), header.data(), header.size(), 0) != static_cast<ssize_t>(header.size()))
    throw Error(
        fmt::format("{}: cannot seal results file: {}", path.string(), std::strerror(errno)));
}

void verify_results_file(const fs::path& path) {
  std::uint64_t size = 0;
  detail::verify_results_file(path, size);
}

void skip_hdf5_exit_handler() noexcept { static_cast<void>(H5dont_atexit()); }

void remove_temporary_files() noexcept {
  for (auto& slot : live_temporaries) {
    const char* path = slot.load();
    if (path != nullptr) ::unlink(path);
  }
}

namespace detail {

void verify_results_file(const fs::path& path, std::uint64_t& size) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw FileFormatError(fmt::format("{}: cannot read results file: no such file", path.string()));
  if (fs::is_directory(path, ec))
    throw FileFormatError(
        fmt::format("{}: not a healthcast results file (it is a directory)", path.string()));
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    throw FileFormatError(
        fmt::format("{}: cannot read results file: {}", path.string(), std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) damaged(path, "not a regular file");
  size = static_cast<std::uint64_t>(st.st_size);
  std::array<char, kUserblockSize> block{};
  if (size < kUserblockSize ||
      ::pread(fd.get(), block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()))
    damaged(path, "too short for a results file");
  const std::string_view text(block.data(), block.size());
  if (text.starts_with(kHdf5Signature))
    damaged(path,
            "an HDF5 file without healthcast's header: written by another program or by "
            "healthcast before results format 2.0; run its scenario again");
  if (!text.starts_with(kMagic)) damaged(path, "no healthcast header in its first bytes");
  std::uint32_t crc = 0;
  if (!crc_from(fd.get(), kUserblockSize, crc)) damaged(path, "cannot read its bytes");
  if (header_text(crc, size - kUserblockSize) != text)
    damaged(path, "its checksum does not match its bytes: the file was changed or truncated");
}

fs::path temporary_path(const fs::path& path) {
  std::random_device device;
  const std::uint64_t token = (std::uint64_t{device()} << 32) ^ device();
  fs::path temporary = path;
  temporary += fmt::format(".tmp-{:016x}", token);
  list_temporary(temporary);
  return temporary;
}

void remove_temporary(const fs::path& temporary) noexcept {
  std::error_code ignored;
  fs::remove(temporary, ignored);
  unlist_temporary(temporary);
}

void move_into_place(const fs::path& temporary, const fs::path& path) {
  seal_results_file(temporary);
  const Fd fd(::open(temporary.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() >= 0) static_cast<void>(::fsync(fd.get()));  // durability is best effort
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec)
    throw Error(fmt::format("{}: cannot write results file: cannot move {} into place: {}",
                            path.string(), temporary.string(), ec.message()));
  unlist_temporary(temporary);
}

}  // namespace detail

}  // namespace healthcast::io
