#include "sluice/state/checked_file.hpp"

#include "sluice/state/state_error.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace sluice {
namespace {

constexpr std::size_t magic_size = 8;
constexpr std::size_t header_size = magic_size + sizeof(std::uint32_t);
constexpr std::size_t footer_size = sizeof(std::uint64_t) + sizeof(std::uint32_t);

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

[[noreturn]] void throw_file_error(const std::string& path, const std::string& what) {
  throw state_error("snapshot file '" + path + "' " + what);
}

[[noreturn]] void throw_io_error(const std::string& path, const char* action) {
  throw_file_error(path, std::string("cannot be ") + action + ": " + std::strerror(errno));
}

/// Owns a POSIX file descriptor (fsync needs one; streams can't flush to the disk).
class fd_guard {
public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now, reporting the error a deferred write may only show here.
  bool close() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

private:
  int fd_;
};

void write_all(int fd, const std::string& path, const char* data, std::size_t n) {
  while (n > 0) {
    auto written = ::write(fd, data, n);
    if (written < 0 && errno == EINTR)
      continue;
    if (written < 0)
      throw_io_error(path, "written");
    data += written;
    n -= static_cast<std::size_t>(written);
  }
}

/// Makes the rename durable: the directory entry lives in the parent directory.
void sync_parent_dir(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  sync_dir(dir.empty() ? "." : dir.string());
}

/// Bytes read at a time when copying or checksumming a whole file.
constexpr std::size_t copy_chunk = std::size_t{1} << 20;

/// Reads the file `path` in chunks, calling `chunk(data, n)` on each; returns the CRC-32.
template <class Chunk>
std::uint32_t read_crc32(const std::string& path, Chunk&& chunk) {
  fd_guard in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0)
    throw_io_error(path, "opened");
  std::vector<char> buffer(copy_chunk);
  std::uint32_t crc = 0;
  for (;;) {
    const auto n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw_io_error(path, "read");
    if (n == 0)
      return crc;
    crc = crc32(crc, buffer.data(), static_cast<std::size_t>(n));
    chunk(buffer.data(), static_cast<std::size_t>(n));
  }
}

void check_format(file_format format) {
  if (format.magic.size() != magic_size)
    throw std::logic_error("a snapshot file magic must have 8 bytes, not '" +
                           std::string(format.magic) + "'");
}

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

} // namespace

std::uint32_t crc32(std::uint32_t crc, const char* data, std::size_t n) {
  static const auto table = make_crc_table();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i)
    crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::uint64_t write_checked_file(const std::string& path, file_format format,
                                 const std::vector<char>& body) {
  check_format(format);
  std::array<char, header_size> header{};
  std::memcpy(header.data(), format.magic.data(), magic_size);
  std::memcpy(header.data() + magic_size, &format.version, sizeof format.version);
  const std::uint64_t length = header_size + body.size();
  const std::uint32_t crc =
      crc32(crc32(0, header.data(), header.size()), body.data(), body.size());
  std::array<char, footer_size> footer{};
  std::memcpy(footer.data(), &length, sizeof length);
  std::memcpy(footer.data() + sizeof length, &crc, sizeof crc);

  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string temp = path + ".tmp";
  fd_guard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    throw_io_error(temp, "created");
  write_all(fd.get(), temp, header.data(), header.size());
  write_all(fd.get(), temp, body.data(), body.size());
  write_all(fd.get(), temp, footer.data(), footer.size());
  if (::fsync(fd.get()) != 0)
    throw_io_error(temp, "synced");
  if (!fd.close())
    throw_io_error(temp, "closed");
  if (::rename(temp.c_str(), path.c_str()) != 0)
    throw_io_error(path, "renamed into place");
  sync_parent_dir(path);
  return length + footer_size;
}

std::uint32_t copy_file_crc32(const std::string& from, const std::string& to) {
  fd_guard out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0)
    throw_io_error(to, "created");
  try {
    const auto crc =
        read_crc32(from, [&](const char* data, std::size_t n) { write_all(out.get(), to, data, n); });
    if (::fsync(out.get()) != 0)
      throw_io_error(to, "synced");
    if (!out.close())
      throw_io_error(to, "closed");
    return crc;
  } catch (...) {
    ::unlink(to.c_str());
    throw;
  }
}

std::uint32_t file_crc32(const std::string& path) {
  return read_crc32(path, [](const char*, std::size_t) {});
}

void sync_dir(const std::string& dir) {
  fd_guard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0)
    ::fsync(fd.get());
}

checked_file read_checked_file(const std::string& path, file_format format) {
  check_format(format);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw_file_error(path, "cannot be opened (missing or unreadable)");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw_file_error(path, "cannot be read");
  const auto size = bytes.size();
  if (size < header_size + footer_size)
    throw_file_error(path, "is truncated: " + std::to_string(size) +
                               " bytes, fewer than a header and a footer");
  if (std::memcmp(bytes.data(), format.magic.data(), magic_size) != 0)
    throw_file_error(path, "is not a " + std::string(format.magic) + " file (wrong magic)");
  const auto version = load<std::uint32_t>(bytes.data() + magic_size);
  if (version != format.version)
    throw_file_error(path, "has format version " + std::to_string(version) + ", expected " +
                               std::to_string(format.version));
  const auto length = load<std::uint64_t>(bytes.data() + size - footer_size);
  if (length != size - footer_size)
    throw_file_error(path, "is truncated or has trailing bytes: its footer records " +
                               std::to_string(length) + " bytes before it, the file has " +
                               std::to_string(size - footer_size));
  const auto crc = load<std::uint32_t>(bytes.data() + size - sizeof(std::uint32_t));
  if (crc != crc32(0, bytes.data(), length))
    throw_file_error(path, "is corrupt: checksum mismatch");
  return checked_file(path, std::move(bytes), header_size, length - header_size);
}

void throw_malformed_file(const std::string& path, const std::string& detail) {
  throw_file_error(path, "is malformed: " + detail);
}

} // namespace sluice
