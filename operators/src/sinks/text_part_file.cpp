#include "sluice/operators/sinks/text_part_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace sluice::detail {

void create_output_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw sink_error("text_file_sink: cannot create directory '" + dir + "': " + ec.message());
}

text_part_file::~text_part_file() { close(); }

void text_part_file::open(const std::string& path) {
  close();
  buffer_.clear();
  path_ = path;
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr)
    throw sink_error("text_file_sink: cannot open '" + path_ + "': " + std::strerror(errno));
}

void text_part_file::finish(bool durable) {
  if (file_ == nullptr)
    return;
  write_buffer();
  std::FILE* f = std::exchange(file_, nullptr);
  const bool synced = !durable || (std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0);
  const int err = errno;
  if (std::fclose(f) != 0 || !synced)
    throw sink_error("text_file_sink: cannot write '" + path_ +
                     "': " + std::strerror(synced ? errno : err));
}

void text_part_file::close() noexcept {
  if (file_ == nullptr)
    return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  discard();
}

void text_part_file::discard() noexcept {
  buffer_.clear();
  if (file_ != nullptr)
    std::fclose(std::exchange(file_, nullptr));
}

void text_part_file::write_buffer() {
  const std::size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  if (written != buffer_.size()) {
    const int err = errno;
    buffer_.clear();
    throw sink_error("text_file_sink: cannot write '" + path_ + "': " + std::strerror(err));
  }
  buffer_.clear();
}

} // namespace sluice::detail
