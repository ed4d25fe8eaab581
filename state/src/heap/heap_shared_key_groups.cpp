#include "sluice/state/heap/heap_shared_key_groups.hpp"

#include "sluice/state/checked_file.hpp"
#include "sluice/state/shared_state_files.hpp"
#include "sluice/state/state_error.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace sluice {

int shared_key_group(const shared_state_file& f) {
  const auto& name = f.local_name;
  const bool digits =
      !name.empty() && name.size() <= 9 &&
      std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits)
    throw state_error("shared state file '" + f.path + "' is named '" + name +
                      "' in its checkpoint, which is not a key group");
  return std::stoi(name);
}

heap_shared_key_groups::heap_shared_key_groups(std::string owner, std::string name_prefix,
                                               key_group_range range)
    : owner_(std::move(owner)), name_prefix_(std::move(name_prefix)), range_(range),
      uploads_(static_cast<std::size_t>(range.size())) {}

heap_shared_key_groups::plan
heap_shared_key_groups::plan_snapshot(std::int64_t checkpoint_id,
                                      const std::vector<std::uint8_t>& dirty,
                                      const std::string& shared_dir) {
  const std::lock_guard<std::mutex> lock(mutex_);
  plan p{checkpoint_id, shared_dir, std::vector<std::uint8_t>(uploads_.size()), {}};
  for (std::size_t i = 0; i < uploads_.size(); ++i) {
    auto& u = uploads_[i];
    if (!dirty[i] && u.file && lies_directly_in(u.file->path, shared_dir)) {
      p.reused.push_back(*u.file);
      continue;
    }
    p.written[i] = 1;
    u = {checkpoint_id, std::nullopt};
  }
  return p;
}

keyed_state_part heap_shared_key_groups::upload(const plan& p, const key_group_file_builder& states,
                                                const key_group_file_builder& private_blocks,
                                                const std::string& path) {
  keyed_state_part part{keyed_state_part::format::heap_incremental, path, range_, 0, p.reused, 0};
  part.reused_bytes = part.shared_bytes();
  std::error_code ec;
  fs::create_directories(p.shared_dir, ec);
  if (ec)
    throw state_error("operator '" + owner_ + "': cannot create the shared directory '" +
                      p.shared_dir + "': " + ec.message());
  for (int key_group = range_.first; key_group <= range_.last; ++key_group) {
    if (!p.written[static_cast<std::size_t>(key_group - range_.first)] || !states.holds(key_group))
      continue;
    const auto name = std::to_string(key_group);
    shared_state_file f{name, "", 0, 0};
    f.path = (fs::path(p.shared_dir) /
              (name_prefix_ + "-kg" + name + "-chk" + std::to_string(p.checkpoint_id) + ".heap"))
                 .string();
    // The directory is synced once, after every file of the snapshot is in it.
    f.size_bytes = states.write(f.path, {key_group, key_group}, directory_sync::by_caller);
    f.crc32 = file_crc32(f.path);
    part.shared.push_back(f);
    const std::lock_guard<std::mutex> lock(mutex_);
    auto& u = at(key_group);
    if (u.captured_by == p.checkpoint_id)
      u.file = f;
  }
  sync_dir(p.shared_dir);
  std::sort(part.shared.begin(), part.shared.end(),
            [](const auto& a, const auto& b) { return shared_key_group(a) < shared_key_group(b); });
  part.size_bytes = private_blocks.write(path) + part.shared_bytes();
  return part;
}

void heap_shared_key_groups::seed(const keyed_state_part& part) {
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& f : part.shared) {
    const int key_group = shared_key_group(f);
    if (range_.contains(key_group))
      at(key_group) = {-1, f};
  }
}

} // namespace sluice
