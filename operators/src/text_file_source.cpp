#include "sluice/operators/sources/text_file_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t read_buffer_size = std::size_t{64} * 1024;

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

std::string in_quotes(const std::string& path) { return "'" + path + "'"; }

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw source_error("text_file_source: " + what + " " + in_quotes(path) + ": " +
                     std::strerror(err));
}

file_ptr open_file(const std::string& path) {
  file_ptr f(std::fopen(path.c_str(), "rb"));
  if (!f)
    fail("cannot open", path, errno);
  return f;
}

std::uint64_t size_of(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec)
    fail("cannot read the size of", path, ec.value());
  return size;
}

/// The regular, non-hidden files of a directory, sorted by name.
std::vector<std::string> list_directory(const std::string& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    fail("cannot list directory", dir, ec.value());
  std::vector<std::string> files;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    if (entry.path().filename().string().rfind('.', 0) != 0 && entry.is_regular_file(type_ec))
      files.push_back(entry.path().string());
  }
  if (ec)
    fail("cannot list directory", dir, ec.value());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

/// What the constructor found: the files to read and their splits.
struct text_file_source::plan {
  struct split {
    std::size_t file; ///< index into files
    std::uint64_t begin;
    std::uint64_t end;
  };
  std::string path;
  std::vector<std::string> files;
  std::vector<split> splits;
};

/// Reads the splits k, k + n, k + 2n, ... of a plan, line by line.
class text_file_source::split_reader {
public:
  split_reader(std::shared_ptr<const plan> p, int index, int parallelism)
      : plan_(std::move(p)), next_split_(static_cast<std::size_t>(index)),
        step_(static_cast<std::size_t>(parallelism)), buf_(read_buffer_size) {}

  /// Emits at most max_records lines; returns true once every split is read.
  bool read(collector<std::string>& out, std::size_t max_records) {
    std::size_t emitted = 0;
    while (emitted < max_records) {
      if (!in_split_ && !start_next_split())
        break;
      std::string line;
      if (pos_ >= end_ || !scan_line(&line)) {
        in_split_ = false;
        continue;
      }
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      out.collect(std::move(line));
      ++emitted;
    }
    if (in_split_ && pos_ >= end_)
      in_split_ = false;
    const bool done = !in_split_ && next_split_ >= plan_->splits.size();
    if (done)
      file_.reset();
    return done;
  }

private:
  /// Opens the next split of this subtask at its first line; false if there is none.
  bool start_next_split() {
    if (next_split_ >= plan_->splits.size())
      return false;
    const auto& split = plan_->splits[next_split_];
    next_split_ += step_;
    if (!file_ || file_index_ != split.file) {
      file_ = open_file(plan_->files[split.file]);
      file_index_ = split.file;
    }
    // A line starts at offset 0 or after a '\n': from begin - 1, skip through the next '\n'.
    pos_ = split.begin == 0 ? 0 : split.begin - 1;
    end_ = split.end;
    buf_pos_ = buf_len_ = 0;
    if (fseeko(file_.get(), static_cast<off_t>(pos_), SEEK_SET) != 0)
      fail("cannot seek in", current_path(), errno);
    if (split.begin != 0)
      scan_line(nullptr);
    in_split_ = true;
    return true;
  }

  /// Consumes the bytes up to and including the next '\n' (or to the end of the file), keeping
  /// them without the '\n' in *line if given; false if the file had no bytes left.
  bool scan_line(std::string* line) {
    const std::uint64_t start = pos_;
    while (buf_pos_ < buf_len_ || fill()) {
      const char* begin = buf_.data() + buf_pos_;
      const std::size_t avail = buf_len_ - buf_pos_;
      const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
      const std::size_t take = nl ? static_cast<std::size_t>(nl - begin) : avail;
      if (line)
        line->append(begin, take);
      const std::size_t consumed = nl ? take + 1 : take;
      buf_pos_ += consumed;
      pos_ += consumed;
      if (nl)
        return true;
    }
    return pos_ > start;
  }

  /// Refills the buffer; false at the end of the file.
  bool fill() {
    buf_pos_ = 0;
    buf_len_ = std::fread(buf_.data(), 1, buf_.size(), file_.get());
    if (buf_len_ == 0 && std::ferror(file_.get()))
      fail("cannot read", current_path(), errno);
    return buf_len_ > 0;
  }

  const std::string& current_path() const { return plan_->files[file_index_]; }

  std::shared_ptr<const plan> plan_;
  std::size_t next_split_;
  std::size_t step_;
  file_ptr file_;
  std::size_t file_index_ = 0;
  bool in_split_ = false;
  std::uint64_t pos_ = 0; ///< file offset of the next byte scan_line consumes
  std::uint64_t end_ = 0; ///< lines starting at or after this offset belong to the next split
  std::vector<char> buf_;
  std::size_t buf_pos_ = 0;
  std::size_t buf_len_ = 0;
};

text_file_source::text_file_source(std::string path, std::uint64_t split_size) {
  if (split_size == 0)
    throw std::invalid_argument("text_file_source: split_size must be positive");
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory)
      fail("cannot access", path, ec.value());
    throw source_error("text_file_source: " + in_quotes(path) + " does not exist");
  }
  auto p = std::make_shared<plan>();
  p->path = std::move(path);
  if (fs::is_directory(status))
    p->files = list_directory(p->path);
  else if (fs::is_regular_file(status))
    p->files.push_back(p->path);
  else
    throw source_error("text_file_source: " + in_quotes(p->path) +
                       " is neither a regular file nor a directory");
  for (std::size_t f = 0; f < p->files.size(); ++f) {
    open_file(p->files[f]); // fails early if the file is unreadable
    const std::uint64_t size = size_of(p->files[f]);
    std::uint64_t begin = 0;
    do {
      const std::uint64_t end = size - begin > split_size ? begin + split_size : size;
      p->splits.push_back({f, begin, end});
      begin = end;
    } while (begin < size);
  }
  plan_ = std::move(p);
}

text_file_source::text_file_source(const text_file_source& other)
    : copyable_source(other), plan_(other.plan_) {}

text_file_source::text_file_source(text_file_source&& other) noexcept = default;

text_file_source::~text_file_source() = default;

void text_file_source::open(const runtime_context& ctx) {
  if (ctx.parallelism < 1 || ctx.subtask_index < 0 || ctx.subtask_index >= ctx.parallelism)
    throw std::invalid_argument("text_file_source: invalid subtask " + ctx.task_name());
  reader_ = std::make_unique<split_reader>(plan_, ctx.subtask_index, ctx.parallelism);
}

source_status text_file_source::poll(collector<std::string>& out, std::size_t max_records) {
  if (!reader_)
    open(runtime_context{});
  return reader_->read(out, max_records) ? source_status::finished : source_status::more;
}

void text_file_source::close() { reader_.reset(); }

const std::string& text_file_source::path() const { return plan_->path; }

std::size_t text_file_source::split_count() const { return plan_->splits.size(); }

} // namespace sluice
