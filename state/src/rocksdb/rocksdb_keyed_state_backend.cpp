// The RocksDB backend's directories, snapshots (a RocksDB checkpoint of the states, full or
// incremental, and a key-group file of the participants) and the choice of how to restore.

#include "sluice/state/rocksdb/rocksdb_keyed_state_backend.hpp"

#include "sluice/state/key_group_file.hpp"
#include "sluice/state/local_state_copy.hpp"
#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"
#include "sluice/state/shared_state_files.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// Creates a new directory for the instance of `owner` under `state_dir` (and state_dir with its
/// parents): a name no other backend of any process uses at the same time.
std::string make_instance_dir(const std::string& state_dir, const std::string& owner) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec)
    throw state_error("operator '" + owner + "': cannot create the state dir '" + state_dir +
                      "': " + ec.message());
  static std::atomic<unsigned> next{0};
  const auto base =
      fs::path(state_dir) / (owner_file_name(owner) + "-" + std::to_string(::getpid()));
  for (;;) {
    auto dir = base.string() + "-" + std::to_string(next++);
    if (fs::create_directory(dir, ec))
      return dir;
    if (ec)
      throw state_error("operator '" + owner + "': the state dir '" + state_dir +
                        "' is not writable: cannot create '" + dir + "': " + ec.message());
  }
}

/// Of the old subtasks' key groups `parts`, the index of the one a restore of `mine` takes over
/// whole (the largest overlap, the first of equals); the others' key groups are copied in.
std::size_t restore_base(const std::vector<key_group_range>& parts, key_group_range mine) {
  const auto overlap = [&](key_group_range p) {
    return std::min(p.last, mine.last) - std::max(p.first, mine.first);
  };
  return static_cast<std::size_t>(
      std::max_element(parts.begin(), parts.end(),
                       [&](key_group_range a, key_group_range b) {
                         return overlap(a) < overlap(b);
                       }) -
      parts.begin());
}

bool overlaps(key_group_range a, key_group_range b) {
  return std::max(a.first, b.first) <= std::min(a.last, b.last);
}

key_group_range intersection(key_group_range a, key_group_range b) {
  return {std::max(a.first, b.first), std::min(a.last, b.last)};
}

/// The directory where a rescale's hand-off copy keeps the key groups `range` its old subtask
/// prepared for successors, beside the RocksDB checkpoint `part`.
std::string moves_dir(const keyed_state_part& part, key_group_range range) {
  return (fs::path(part.path).parent_path() / "moves" /
          (std::to_string(range.first) + "-" + std::to_string(range.last)))
      .string();
}

} // namespace

rocksdb_keyed_state_backend::rocksdb_keyed_state_backend(const state_backend_config& config,
                                                         std::string owner, key_group_range range,
                                                         int max_parallelism)
    : keyed_state_backend(state_backend_kind::rocksdb, std::move(owner), range, max_parallelism,
                          *config.clock),
      resources_(config.rocksdb_resources ? config.rocksdb_resources
                                          : make_rocksdb_shared_resources(config.memory_mb, config.compaction)),
      shared_files_(std::make_shared<rocksdb_shared_files>(this->owner(),
                                                           shared_name_prefix(this->owner()))),
      cache_entries_(config.cache_entries) {
  const auto state_dir = config.state_dir.empty() ? default_state_dir() : config.state_dir;
  auto dir = make_instance_dir(state_dir, this->owner());
  try {
    db_ = std::make_unique<rocksdb_instance>(this->owner(), dir, resources_, clock());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
}

rocksdb_keyed_state_backend::~rocksdb_keyed_state_backend() {
  const auto dir = db_->dir();
  const auto scratch = scratch_dir();
  db_.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::remove_all(scratch, ec);
}

std::string rocksdb_keyed_state_backend::scratch_dir() const { return db_->dir() + ".scratch"; }

std::function<keyed_state_handle()>
rocksdb_keyed_state_backend::snapshot_sync(std::int64_t checkpoint_id,
                                           const std::string& target_dir,
                                           const std::string& shared_dir) {
  // Synchronous part: serialize the participants (timers) into memory, flush the memtables and
  // hard-link the SST files into a RocksDB checkpoint. It is fast (no state data is copied),
  // and writes after it do not reach the checkpoint, since SST files are immutable.
  std::error_code ec;
  fs::create_directories(target_dir, ec);
  if (ec)
    throw state_error("operator '" + owner() + "': cannot create the checkpoint dir '" +
                      target_dir + "': " + ec.message());
  const auto range = key_groups();
  auto participants = std::make_shared<key_group_file_builder>(range);
  snapshot_participants(*participants);
  auto dir = snapshot_path(target_dir, checkpoint_id, ".rocksdb");
  auto file = snapshot_path(target_dir, checkpoint_id, ".kg");
  if (shared_dir.empty()) {
    db_->checkpoint(dir);
    // Asynchronous part: the checkpoint is complete on disk; write the participants' key-group
    // file beside it and describe both.
    return [participants, range, dir, file] {
      keyed_state_handle handle{"rocksdb", range, {}};
      handle.parts.push_back(
          {keyed_state_part::format::rocksdb_checkpoint, dir, range, directory_size(dir)});
      handle.parts.push_back(
          {keyed_state_part::format::heap_key_groups, file, range, participants->write(file)});
      return handle;
    };
  }
  // Incremental: the RocksDB checkpoint goes beside the instance (hard links on the same file
  // system, whatever the checkpoint dir is); the asynchronous part uploads the SST files not
  // uploaded before into `shared_dir` and the rest into `dir`, then removes it.
  const auto local = (fs::path(scratch_dir()) / ("chk-" + std::to_string(checkpoint_id))).string();
  fs::create_directories(scratch_dir(), ec);
  fs::remove_all(local, ec);
  db_->checkpoint(local);
  return [shared = shared_files_, participants, range, local, dir, file, shared_dir] {
    struct remove_local {
      std::string dir;
      ~remove_local() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } cleanup{local};
    keyed_state_handle handle{"rocksdb", range, {}};
    handle.parts.push_back(shared->upload(local, dir, shared_dir, range));
    handle.parts.push_back(
        {keyed_state_part::format::heap_key_groups, file, range, participants->write(file)});
    return handle;
  };
}

void rocksdb_keyed_state_backend::restore(const std::vector<keyed_state_handle>& handles) {
  if (!participants().empty())
    throw state_error("operator '" + owner() +
                      "': restore must run before any state is registered");
  const auto mine = key_groups();
  std::vector<keyed_state_part> checkpoints;
  for (const auto& h : handles) {
    check_handle_backend(h);
    for (const auto& p : h.parts) {
      if (p.kind == keyed_state_part::format::heap_key_groups ||
          p.kind == keyed_state_part::format::heap_incremental)
        restore_key_group_part(p);
      else if (std::max(p.range.first, mine.first) <= std::min(p.range.last, mine.last))
        checkpoints.push_back(p);
    }
  }
  if (checkpoints.empty())
    return;
  // The checkpoint holding most of this instance's key groups becomes it (its files linked,
  // the key groups of others deleted); the others' key groups are ingested from the files their
  // subtask prepared before a rescale, or else copied in through SST files.
  std::vector<key_group_range> ranges;
  for (const auto& p : checkpoints)
    ranges.push_back(p.range);
  const auto base = restore_base(ranges, mine);
  db_->restore_whole(checkpoints[base], mine);
  // Its SST files are this instance's now: the next incremental checkpoint references them.
  shared_files_->seed(checkpoints[base]);
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    if (i == base)
      continue;
    const auto& p = checkpoints[i];
    const auto range = intersection(p.range, mine);
    if (p.kind == keyed_state_part::format::rocksdb_checkpoint &&
        db_->ingest_moves(moves_dir(p, range))) {
      ++restored_from_moves_;
      continue;
    }
    const readable_rocksdb_checkpoint source(owner(), p, scratch_dir());
    db_->import_key_groups(source.dir(), range);
    ++restored_by_copying_;
  }
}

std::shared_future<void> rocksdb_keyed_state_backend::prepare_handoff(int parallelism,
                                                                      int new_parallelism) {
  const auto mine = key_groups();
  const auto old_range = [&](int i) {
    return key_group_range_for_subtask(max_parallelism(), parallelism, i);
  };
  std::vector<key_group_range> moving;
  for (int n = 0; n < new_parallelism; ++n) {
    const auto successor = key_group_range_for_subtask(max_parallelism(), new_parallelism, n);
    if (!overlaps(successor, mine))
      continue;
    std::vector<key_group_range> sources;
    for (int i = 0; i < parallelism; ++i)
      if (overlaps(old_range(i), successor))
        sources.push_back(old_range(i));
    if (sources[restore_base(sources, successor)] != mine)
      moving.push_back(intersection(successor, mine));
  }
  return db_->prepare_moves(std::move(moving), (fs::path(scratch_dir()) / "moves").string());
}

void rocksdb_keyed_state_backend::restore_local(const local_keyed_copy& copy) {
  restore({copy.local});
  for (const auto& p : copy.checkpointed.parts)
    if (p.kind == keyed_state_part::format::rocksdb_incremental)
      shared_files_->seed(p);
}

std::size_t rocksdb_keyed_state_backend::count_entries(const std::string& name) {
  return db_->count(name);
}

void rocksdb_keyed_state_backend::remove_expired() { db_->compact_all(); }

} // namespace sluice
