#include "sluice/operators/sinks/text_file_sink.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sluice::detail {

text_part_file::~text_part_file() { close(); }

void text_part_file::open(const std::string& dir, int index) {
  close();
  buffer_.clear();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw sink_error("text_file_sink: cannot create directory '" + dir + "': " + ec.message());
  path_ = (std::filesystem::path(dir) / ("part-" + std::to_string(index))).string();
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr)
    throw sink_error("text_file_sink: cannot open '" + path_ + "': " + std::strerror(errno));
}

void text_part_file::finish() {
  if (file_ == nullptr)
    return;
  write_buffer();
  std::FILE* f = std::exchange(file_, nullptr);
  if (std::fclose(f) != 0)
    throw sink_error("text_file_sink: cannot write '" + path_ + "': " + std::strerror(errno));
}

void text_part_file::close() noexcept {
  if (file_ == nullptr)
    return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  buffer_.clear();
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
