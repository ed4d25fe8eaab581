#include "sluice/operators/sinks/part_files.hpp"

#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace sluice::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view in_progress_suffix = ".inprogress";
constexpr std::string_view pending_suffix = ".pending";

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

std::string part_path(const part_file_transaction& txn, part_stage stage) {
  return (fs::path(txn.directory) / part_file_name(txn.subtask, *txn.part, stage)).string();
}

bool strip_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix)
    return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix)
    return false;
  s.remove_suffix(suffix.size());
  return true;
}

/// Parses all of `s` (digits only) into `out`.
template <class Int>
bool parse_number(std::string_view s, Int& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9')
    return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

/// Makes renames and removals in `dir` durable.
void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0)
    ::close(fd);
  if (!synced)
    throw sink_error("text_file_sink: cannot sync directory " + in_quotes(dir) + ": " +
                     std::strerror(err));
}

/// Removes `path` if it exists; true if it did.
bool remove_if_exists(const std::string& path) {
  if (std::remove(path.c_str()) == 0)
    return true;
  if (errno == ENOENT)
    return false;
  throw sink_error("text_file_sink: cannot remove " + in_quotes(path) + ": " +
                   std::strerror(errno));
}

/// The part files of `dir` (name and what it stands for).
std::vector<std::pair<std::string, part_file_name_fields>> list_part_files(const std::string& dir) {
  std::vector<std::pair<std::string, part_file_name_fields>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (auto fields = parse_part_file_name(name))
      found.emplace_back(std::move(name), *fields);
  }
  if (ec)
    throw sink_error("text_file_sink: cannot list directory " + in_quotes(dir) + ": " +
                     ec.message());
  return found;
}

} // namespace

std::string part_file_name(int subtask, std::uint64_t part, part_stage stage) {
  const std::string base = "part-" + std::to_string(subtask) + "-" + std::to_string(part);
  switch (stage) {
  case part_stage::in_progress:
    return "." + base + std::string(in_progress_suffix);
  case part_stage::pending:
    return "." + base + std::string(pending_suffix);
  case part_stage::committed:
    break;
  }
  return base;
}

std::optional<part_file_name_fields> parse_part_file_name(const std::string& name) {
  std::string_view s = name;
  part_file_name_fields fields;
  if (strip_prefix(s, ".")) {
    if (strip_suffix(s, in_progress_suffix))
      fields.stage = part_stage::in_progress;
    else if (strip_suffix(s, pending_suffix))
      fields.stage = part_stage::pending;
    else
      return std::nullopt;
  }
  if (!strip_prefix(s, "part-"))
    return std::nullopt;
  const auto dash = s.find('-');
  if (dash == std::string_view::npos || !parse_number(s.substr(0, dash), fields.subtask) ||
      !parse_number(s.substr(dash + 1), fields.part))
    return std::nullopt;
  return fields;
}

void part_files::open(const runtime_context& ctx) {
  create_output_directory(dir_);
  subtask_ = ctx.subtask_index;
  parallelism_ = ctx.parallelism;
  owner_ = ctx.task_name();
  next_part_ = 0;
  kept_counters_.clear();
  counters_ = ctx.operator_state ? &ctx.operator_state->get_union_list_state(
                                       list_state_descriptor<part_counter>("next parts"))
                                 : nullptr;
  if (ctx.restored && counters_) {
    for (const auto& c : counters_->get()) {
      if (c.subtask == subtask_)
        next_part_ = std::max(next_part_, c.next_part);
      else if (c.subtask >= parallelism_ && c.subtask % parallelism_ == subtask_)
        kept_counters_[c.subtask] = std::max(kept_counters_[c.subtask], c.next_part);
    }
    counters_->clear();
  }
  for (const auto& [name, fields] : list_part_files(dir_))
    if (fields.subtask == subtask_)
      next_part_ = std::max(next_part_, fields.part + 1);
}

std::string& part_files::line_buffer(part_file_transaction& txn) {
  if (!txn.part) {
    txn.part = next_part_++;
    file_.open(part_path(txn, part_stage::in_progress));
  }
  return file_.buffer();
}

void part_files::pre_commit(const part_file_transaction& txn) {
  if (!txn.part)
    return;
  file_.finish(true);
  const auto from = part_path(txn, part_stage::in_progress);
  const auto to = part_path(txn, part_stage::pending);
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw sink_error("text_file_sink: cannot rename " + in_quotes(from) + " to " + in_quotes(to) +
                     ": " + std::strerror(errno));
  sync_directory(txn.directory);
}

void part_files::commit(const part_file_transaction& txn) {
  if (!txn.part)
    return;
  const auto from = part_path(txn, part_stage::pending);
  const auto to = part_path(txn, part_stage::committed);
  if (std::rename(from.c_str(), to.c_str()) == 0) {
    sync_directory(txn.directory);
    return;
  }
  if (errno != ENOENT)
    throw sink_error("text_file_sink: cannot rename " + in_quotes(from) + " to " + in_quotes(to) +
                     ": " + std::strerror(errno));
  std::error_code ec;
  if (!fs::exists(to, ec))
    log()->warn("text_file_sink: cannot commit {}: neither it nor {} exists (moved away by a "
                "reader, or lost)",
                in_quotes(to), in_quotes(from));
}

void part_files::abort(const part_file_transaction& txn) {
  if (!txn.part)
    return;
  const auto in_progress = part_path(txn, part_stage::in_progress);
  if (file_.is_open() && file_.path() == in_progress)
    file_.discard();
  remove_if_exists(in_progress);
  remove_if_exists(part_path(txn, part_stage::pending));
}

void part_files::remove_leftovers(const std::vector<part_file_transaction>& recorded) const {
  std::set<std::pair<int, std::uint64_t>> named;
  for (const auto& txn : recorded)
    if (txn.part && txn.directory == dir_)
      named.emplace(txn.subtask, *txn.part);
  for (const auto& [name, fields] : list_part_files(dir_)) {
    if (fields.stage == part_stage::committed || fields.subtask % parallelism_ != subtask_ ||
        named.count({fields.subtask, fields.part}) != 0)
      continue;
    const auto path = (fs::path(dir_) / name).string();
    if (remove_if_exists(path))
      log()->info("{}: removed {}, left by a failed attempt", owner_, in_quotes(path));
  }
}

void part_files::snapshot_counters() {
  if (!counters_)
    throw std::logic_error("text_file_sink '" + owner_ +
                           "' has no operator state backend to checkpoint its part numbers in "
                           "(runtime_context::operator_state)");
  std::vector<part_counter> counters{{subtask_, next_part_}};
  for (const auto& [subtask, next] : kept_counters_)
    counters.push_back({subtask, next});
  counters_->update(counters);
}

} // namespace sluice::detail
