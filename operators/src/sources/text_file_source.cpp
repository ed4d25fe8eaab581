#include "sluice/operators/sources/text_file_source.hpp"

#include "sluice/state/serializer_fields.hpp"

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

/// Where reading a split resumes: an element of the source's operator list state.
struct detail::text_split_position {
  std::int64_t split = 0;   ///< the split's index in the plan (its id for per-split watermarks)
  std::string path;         ///< the file
  std::uint64_t end = 0;    ///< the split holds the lines starting before this offset
  std::uint64_t offset = 0; ///< the split's next line is the first starting at or after this
  SLUICE_FIELDS(split, path, end, offset)
};

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

namespace {

/// Reads one split line by line, from the first line starting at or after `offset` (a line
/// starts at offset 0 or after a '\n'), up to the last line starting before `end`.
class split_cursor {
public:
  split_cursor(const std::string& path, std::uint64_t offset, std::uint64_t end,
               std::uint64_t max_line_bytes)
      : path_(path), file_(open_file(path)), end_(end), max_line_bytes_(max_line_bytes),
        buf_(read_buffer_size) {
    // From offset - 1, skip through the next '\n'.
    pos_ = offset == 0 ? 0 : offset - 1;
    if (fseeko(file_.get(), static_cast<off_t>(pos_), SEEK_SET) != 0)
      fail("cannot seek in", path_, errno);
    if (offset != 0)
      scan_line(nullptr);
  }

  /// The next line of the split (without '\n' and a trailing '\r'); false at its end.
  bool next_line(std::string& line) {
    line.clear();
    if (pos_ >= end_ || !scan_line(&line))
      return false;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    return true;
  }

  /// The offset of the next line (or of the end of the file): reading again from there
  /// continues exactly after the last line returned.
  std::uint64_t position() const { return pos_; }

private:
  /// Consumes the bytes up to and including the next '\n' (or to the end of the file), keeping
  /// them without the '\n' in *line if given; false if the file had no bytes left. Throws
  /// source_error naming the file and the line's offset if a kept line grows past the limit.
  bool scan_line(std::string* line) {
    const std::uint64_t start = pos_;
    while (buf_pos_ < buf_len_ || fill()) {
      const char* begin = buf_.data() + buf_pos_;
      const std::size_t avail = buf_len_ - buf_pos_;
      const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
      const std::size_t take = nl ? static_cast<std::size_t>(nl - begin) : avail;
      if (line && line->size() + take > max_line_bytes_)
        throw source_error("text_file_source: the line at byte offset " + std::to_string(start) +
                           " of " + in_quotes(path_) + " is longer than " +
                           std::to_string(max_line_bytes_) + " bytes (max_line_bytes)");
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
      fail("cannot read", path_, errno);
    return buf_len_ > 0;
  }

  std::string path_;
  file_ptr file_;
  std::uint64_t pos_ = 0; ///< file offset of the next byte scan_line consumes
  std::uint64_t end_;     ///< lines starting at or after this offset belong to the next split
  std::uint64_t max_line_bytes_;
  std::vector<char> buf_;
  std::size_t buf_pos_ = 0;
  std::size_t buf_len_ = 0;
};

} // namespace

/// Reads the splits one subtask owns, up to `open_splits` at a time, taking turns between them
/// every poll, as readers of several splits (Kafka partitions, files) do. Each record's split is
/// put in the split slot, so watermarks can be tracked per split.
class text_file_source::split_reader {
public:
  static constexpr std::size_t open_splits = 4;

  split_reader(std::vector<detail::text_split_position> splits, split_slot* slot,
               std::uint64_t max_line_bytes)
      : queued_(std::move(splits)), slot_(slot), max_line_bytes_(max_line_bytes) {
    for (const auto& split : queued_)
      queued_bytes_ += remaining(split, split.offset);
    input_bytes_ = queued_bytes_;
  }

  /// Emits at most max_records lines of one split; returns true once every split is read.
  bool read(collector<std::string>& out, std::size_t max_records) {
    while (open_.size() < open_splits && next_queued_ < queued_.size()) {
      const auto& split = queued_[next_queued_++];
      queued_bytes_ -= remaining(split, split.offset);
      open_.push_back({split, std::make_unique<split_cursor>(split.path, split.offset, split.end,
                                                             max_line_bytes_)});
    }
    if (open_.empty())
      return true;
    turn_ %= open_.size();
    auto& [split, cursor] = open_[turn_];
    if (slot_)
      slot_->current = split.split;
    std::size_t emitted = 0;
    std::string line;
    while (emitted < max_records && cursor->next_line(line)) {
      out.collect(std::move(line));
      ++emitted;
    }
    if (emitted < max_records) {
      if (slot_)
        slot_->finished.push_back(split.split);
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(turn_));
    } else {
      ++turn_;
    }
    return open_.empty() && next_queued_ == queued_.size();
  }

  /// Every split not read to the end, with the offset its next line starts at: the open ones
  /// in turn order, then those not opened yet.
  std::vector<detail::text_split_position> positions() const {
    std::vector<detail::text_split_position> out;
    for (std::size_t k = 0; k < open_.size(); ++k) {
      const auto& [split, cursor] = open_[(turn_ + k) % open_.size()];
      out.push_back(split);
      out.back().offset = cursor->position();
    }
    out.insert(out.end(), queued_.begin() + static_cast<std::ptrdiff_t>(next_queued_),
               queued_.end());
    return out;
  }

  /// The bytes of its splits not read yet, of its splits in all (as at open()), and read.
  source_backlog backlog() const {
    std::uint64_t pending = queued_bytes_;
    for (const auto& [split, cursor] : open_)
      pending += remaining(split, cursor->position());
    return {-1, static_cast<std::int64_t>(pending), static_cast<std::int64_t>(input_bytes_),
            static_cast<std::int64_t>(input_bytes_ - std::min(pending, input_bytes_))};
  }

private:
  /// The bytes of `split` from `offset` on (0 once its last line, which may end past its end,
  /// was read).
  static std::uint64_t remaining(const detail::text_split_position& split, std::uint64_t offset) {
    return split.end > offset ? split.end - offset : 0;
  }

  std::vector<detail::text_split_position> queued_;
  std::uint64_t queued_bytes_ = 0; ///< remaining() of the splits not opened yet
  std::uint64_t input_bytes_ = 0;
  std::size_t next_queued_ = 0;
  split_slot* slot_;
  std::uint64_t max_line_bytes_;
  std::vector<std::pair<detail::text_split_position, std::unique_ptr<split_cursor>>> open_;
  std::size_t turn_ = 0;
};

text_file_source::text_file_source(std::string path, std::uint64_t split_size,
                                   std::uint64_t max_line_bytes)
    : max_line_bytes_(max_line_bytes) {
  if (split_size == 0)
    throw std::invalid_argument("text_file_source: split_size must be positive");
  if (max_line_bytes == 0)
    throw std::invalid_argument("text_file_source: max_line_bytes must be positive");
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
    : copyable_source(other), plan_(other.plan_), max_line_bytes_(other.max_line_bytes_),
      owner_(other.owner_) {}

text_file_source::text_file_source(text_file_source&& other) noexcept = default;

text_file_source::~text_file_source() = default;

void text_file_source::open(const runtime_context& ctx) {
  if (ctx.parallelism < 1 || ctx.subtask_index < 0 || ctx.subtask_index >= ctx.parallelism)
    throw std::invalid_argument("text_file_source: invalid subtask " + ctx.task_name());
  owner_ = ctx.task_name();
  positions_ = ctx.operator_state
                   ? &ctx.operator_state->get_list_state(
                         list_state_descriptor<detail::text_split_position>("splits"))
                   : nullptr;
  if (ctx.restored) {
    reader_ = std::make_unique<split_reader>(checked_positions().get(), ctx.split, max_line_bytes_);
    return;
  }
  // Split k is read by subtask k % parallelism.
  std::vector<detail::text_split_position> mine;
  for (auto k = static_cast<std::size_t>(ctx.subtask_index); k < plan_->splits.size();
       k += static_cast<std::size_t>(ctx.parallelism)) {
    const auto& split = plan_->splits[k];
    mine.push_back(
        {static_cast<std::int64_t>(k), plan_->files[split.file], split.end, split.begin});
  }
  reader_ = std::make_unique<split_reader>(std::move(mine), ctx.split, max_line_bytes_);
}

void text_file_source::snapshot_state(std::int64_t) {
  auto& state = checked_positions(); // set by open(), with reader_
  state.update(reader_->positions());
}

list_state<detail::text_split_position>& text_file_source::checked_positions() const {
  if (!positions_)
    throw std::logic_error("text_file_source '" + owner_ + "' reading " + in_quotes(plan_->path) +
                           " has no operator state backend to checkpoint or restore its "
                           "position (runtime_context::operator_state)");
  return *positions_;
}

source_status text_file_source::poll(collector<std::string>& out, std::size_t max_records) {
  if (!reader_)
    open(runtime_context{});
  return reader_->read(out, max_records) ? source_status::finished : source_status::more;
}

void text_file_source::close() { reader_.reset(); }

source_backlog text_file_source::backlog() const {
  return reader_ ? reader_->backlog() : source_backlog{};
}

const std::string& text_file_source::path() const { return plan_->path; }

std::size_t text_file_source::split_count() const { return plan_->splits.size(); }

} // namespace sluice
