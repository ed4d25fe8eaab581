#include "sluice/actors/state_handoff.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/checkpoint/metadata_file.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace sluice {

namespace {

std::atomic<int> restored_from_copies{0};
std::atomic<int> fetched_copies{0};
std::atomic<int> restored_from_checkpoint_dir{0};
std::atomic<int> ingested_moves{0};

} // namespace

copy_listing list_copy(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("no copy '" + dir + "'");
  copy_listing out;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    out.files.push_back(it->path().lexically_relative(dir).string());
    out.sizes.push_back(it->file_size(ec));
  }
  if (ec)
    throw std::runtime_error("listing the copy '" + dir + "' failed: " + ec.message());
  return out;
}

std::vector<char> read_copy_chunk(const std::string& dir, const std::string& file,
                                  std::uint64_t offset, std::uint32_t length) {
  const fs::path relative(file);
  if (relative.empty() || relative.is_absolute() ||
      std::any_of(relative.begin(), relative.end(), [](const fs::path& p) { return p == ".."; }))
    throw std::runtime_error("'" + file + "' is not a file of the copy '" + dir + "'");
  const auto path = fs::path(dir) / relative;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open '" + path.string() + "'");
  std::vector<char> bytes(length);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(length));
  if (in.bad())
    throw std::runtime_error("cannot read '" + path.string() + "'");
  bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return bytes;
}

void drop_handoff_copies(const std::string& root, const std::string& job_id, std::int64_t id) {
  std::error_code ec;
  const auto job = fs::path(root) / job_id;
  for (fs::directory_iterator sub(job, ec), end; !ec && sub != end; sub.increment(ec)) {
    std::error_code inner;
    for (fs::directory_iterator copy(sub->path(), inner), last; !inner && copy != last;
         copy.increment(inner)) {
      const auto held =
          local_snapshot_store::copy_checkpoint(copy->path().filename().string());
      std::error_code removing;
      if (held >= 0 && held <= id)
        fs::remove_all(copy->path(), removing);
    }
    if (fs::is_empty(sub->path(), inner))
      fs::remove(sub->path(), inner);
  }
}

bool holds_key_groups(const checkpoint_metadata& restored, const std::string& uid, int subtask,
                      key_group_range range) {
  const auto op = restored.operators.find(uid);
  if (op == restored.operators.end())
    return false;
  const auto s = op->second.subtasks.find(subtask);
  if (s == op->second.subtasks.end() || !s->second.keyed_state)
    return false;
  const auto held = s->second.keyed_state->range;
  return std::max(held.first, range.first) <= std::min(held.last, range.last);
}

handoff_handles match_handoff_copies(const std::vector<std::string>& dirs,
                                     const checkpoint_metadata& restored,
                                     const std::vector<std::string>& uids,
                                     std::vector<std::string>& problems) {
  handoff_handles out;
  for (const auto& dir : dirs) {
    checkpoint_metadata copy;
    try {
      copy = read_metadata_file((fs::path(dir) / metadata_file_name).string());
    } catch (const std::exception& e) {
      problems.push_back(e.what());
      continue;
    }
    if (copy.job_id != restored.job_id || copy.checkpoint_id != restored.checkpoint_id) {
      problems.push_back("the copy '" + dir + "' is of another checkpoint");
      continue;
    }
    for (const auto& uid : uids) {
      const auto op = restored.operators.find(uid);
      const auto held = copy.operators.find(uid);
      if (op == restored.operators.end() || held == copy.operators.end())
        continue;
      for (const auto& entry : held->second.subtasks) {
        const auto wanted = op->second.subtasks.find(entry.first);
        if (wanted == op->second.subtasks.end() || !wanted->second.keyed_state)
          continue;
        keyed_state_handle handle;
        const auto problem = check_copy(copy, uid, entry.first, op->second.max_parallelism,
                                        *wanted->second.keyed_state, handle);
        if (problem.empty())
          out[uid][entry.first] = std::move(handle);
        else
          problems.push_back("'" + dir + "': " + problem);
      }
    }
  }
  return out;
}

int substitute_handoff_copies(checkpoint_metadata& restored, const handoff_handles& handles) {
  int replaced = 0;
  for (const auto& [uid, copies] : handles) {
    const auto op = restored.operators.find(uid);
    if (op == restored.operators.end())
      continue;
    for (const auto& [subtask, handle] : copies) {
      const auto state = op->second.subtasks.find(subtask);
      if (state == op->second.subtasks.end() || !state->second.keyed_state)
        continue;
      state->second.keyed_state = handle;
      ++replaced;
    }
  }
  return replaced;
}

handoff_counts handoff_restores() {
  return {restored_from_copies.load(), fetched_copies.load(), restored_from_checkpoint_dir.load(),
          ingested_moves.load()};
}

void count_handoff_restores(const handoff_counts& add) {
  restored_from_copies += add.from_copies;
  fetched_copies += add.fetched;
  restored_from_checkpoint_dir += add.from_checkpoint_dir;
  ingested_moves += add.ingested;
}

} // namespace sluice
