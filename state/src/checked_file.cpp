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

/// Slicing-by-8 tables: [0] is the byte-at-a-time table, [k] advances a byte k more places.
using crc_tables = std::array<std::array<std::uint32_t, 256>, 8>;

crc_tables make_crc_tables() {
  crc_tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < t.size(); ++k)
    for (std::uint32_t i = 0; i < 256; ++i)
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
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
  static const auto t = make_crc_tables();
  crc = ~crc;
  std::size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Eight bytes per step (whole files of state are checksummed: several times faster).
  for (; i + 8 <= n; i += 8) {
    std::uint32_t lo;
    std::uint32_t hi;
    std::memcpy(&lo, data + i, 4);
    std::memcpy(&hi, data + i + 4, 4);
    lo ^= crc;
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
  }
#endif
  for (; i < n; ++i)
    crc = t[0][(crc ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::uint64_t write_checked_file(const std::string& path, file_format format,
                                 const std::vector<char>& body, directory_sync sync) {
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
  if (sync == directory_sync::each_file)
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
