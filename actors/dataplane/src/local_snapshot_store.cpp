#include "sluice/actors/local_snapshot_store.hpp"

#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// The blob of a copy's subtask state that holds the snapshot it copies.
constexpr const char* checkpointed_blob = "checkpointed";
constexpr const char* checkpoint_prefix = "chk-";

std::atomic<int> local_restores{0};
std::atomic<int> checkpoint_dir_restores{0};

/// The subtask state of `subtask` in `m` for operator `uid` if it has keyed state, else null.
const subtask_state* keyed_state_of(const checkpoint_metadata& m, const std::string& uid,
                                    int subtask) {
  auto op = m.operators.find(uid);
  if (op == m.operators.end())
    return nullptr;
  auto s = op->second.subtasks.find(subtask);
  return s == op->second.subtasks.end() || !s->second.keyed_state ? nullptr : &s->second;
}

} // namespace

local_snapshot_store::local_snapshot_store(const std::string& state_dir,
                                           local_snapshot_owner owner, copy_purpose purpose)
    : dir_(subtask_dir(root(state_dir, purpose), owner.job_id, owner.vertex, owner.subtask)),
      owner_(std::move(owner)) {}

std::string local_snapshot_store::root(const std::string& state_dir, copy_purpose purpose) {
  const char* prefix = purpose == copy_purpose::local_recovery ? "local-recovery-" : "handoff-";
  return (fs::path(state_dir) / (prefix + std::to_string(::getpid()))).string();
}

std::string local_snapshot_store::subtask_dir(const std::string& root, const std::string& job_id,
                                              int vertex, int subtask) {
  return (fs::path(root) / job_id / ("v" + std::to_string(vertex) + "-s" + std::to_string(subtask)))
      .string();
}

std::string local_snapshot_store::copy_dir(const std::string& subtask_dir, std::int64_t id) {
  return (fs::path(subtask_dir) / (checkpoint_prefix + std::to_string(id))).string();
}

std::int64_t local_snapshot_store::copy_checkpoint(const std::string& name) {
  const std::string prefix = checkpoint_prefix;
  std::int64_t id = -1;
  const auto* last = name.data() + name.size();
  if (name.rfind(prefix, 0) != 0 ||
      std::from_chars(name.data() + prefix.size(), last, id).ptr != last)
    return -1;
  return id;
}

local_recovery_counts local_snapshot_store::counts() {
  return {local_restores.load(), checkpoint_dir_restores.load()};
}

void local_snapshot_store::take_moves(const std::string& from, const std::string& to) const {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) { // another file system
    ec.clear();
    fs::copy(from, to, fs::copy_options::recursive, ec);
  }
  if (ec) {
    log()->warn("{}: the key groups prepared for the rescale's successors are dropped (they "
                "copy them instead): cannot move '{}' to '{}': {}",
                owner_.task, from, to, ec.message());
    fs::remove_all(to, ec);
  }
}

void local_snapshot_store::keep(std::int64_t id,
                                const std::map<std::string, subtask_state>& states,
                                const std::map<std::string, std::string>& moves) const {
  if (std::none_of(states.begin(), states.end(),
                   [](const auto& s) { return s.second.keyed_state.has_value(); }))
    return;
  const auto dir = copy_dir(dir_, id);
  std::error_code ec;
  try {
    checkpoint_metadata m;
    m.job_id = owner_.job_id;
    m.checkpoint_id = id;
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& [uid, state] : states) {
      if (!state.keyed_state)
        continue;
      const auto part_dir = fs::path(dir) / std::to_string(m.operators.size());
      fs::create_directory(part_dir);
      subtask_state copy;
      copy.keyed_state = copy_keyed_state(owner_.task, *state.keyed_state, part_dir.string());
      subtask_state checkpointed;
      checkpointed.keyed_state = state.keyed_state;
      copy.blobs[checkpointed_blob] = subtask_state_to_text(checkpointed, owner_.subtask);
      if (const auto m = moves.find(uid); m != moves.end())
        take_moves(m->second, (part_dir / "moves").string());
      m.state_backend = state.keyed_state->backend;
      auto& op = m.operators[uid];
      op.parallelism = owner_.parallelism;
      op.max_parallelism = owner_.max_parallelism;
      op.subtasks[owner_.subtask] = std::move(copy);
    }
    write_metadata_file(dir, m);
  } catch (const std::exception& e) {
    log()->warn("{}: no local copy of checkpoint {}: {}", owner_.task, id, e.what());
    fs::remove_all(dir, ec);
  }
}

void local_snapshot_store::completed(std::int64_t id) const {
  std::error_code ec;
  if (!fs::exists(copy_dir(dir_, id), ec))
    return;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const auto held = copy_checkpoint(it->path().filename().string());
    if (held >= 0 && held < id) {
      std::error_code removing;
      fs::remove_all(it->path(), removing);
    }
  }
}

void local_snapshot_store::aborted(std::int64_t id) const {
  std::error_code ec;
  fs::remove_all(copy_dir(dir_, id), ec);
}

std::map<std::string, local_keyed_copy>
local_snapshot_store::restore_copies(const checkpoint_metadata& restored) const {
  bool keyed = false;
  for (const auto& uid : owner_.uids)
    keyed = keyed || keyed_state_of(restored, uid, owner_.subtask);
  if (!keyed)
    return {};
  std::map<std::string, local_keyed_copy> copies;
  std::string problem;
  try {
    problem = match(restored, copies);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  const auto id = restored.checkpoint_id;
  if (problem.empty()) {
    ++local_restores;
    log()->warn("{}: restoring the keyed state of checkpoint {} from the local copy '{}'",
                owner_.task, id, copy_dir(dir_, id));
    return copies;
  }
  ++checkpoint_dir_restores;
  log()->warn("{}: restoring the keyed state of checkpoint {} from the checkpoint directory: {}",
              owner_.task, id, problem);
  return {};
}

std::string local_snapshot_store::match(const checkpoint_metadata& restored,
                                        std::map<std::string, local_keyed_copy>& out) const {
  const auto file = fs::path(copy_dir(dir_, restored.checkpoint_id)) / metadata_file_name;
  std::error_code ec;
  if (!fs::exists(file, ec))
    return "no local copy of it";
  const auto local = read_metadata_file(file);
  if (local.job_id != restored.job_id || local.checkpoint_id != restored.checkpoint_id)
    return "the local copy '" + file.string() + "' is of another checkpoint";
  for (const auto& uid : owner_.uids) {
    const auto* wanted = keyed_state_of(restored, uid, owner_.subtask);
    if (!wanted)
      continue;
    const auto& op = restored.operators.at(uid);
    if (op.parallelism != owner_.parallelism || op.max_parallelism != owner_.max_parallelism)
      return "operator '" + uid + "' ran at parallelism " + std::to_string(op.parallelism) +
             " (max " + std::to_string(op.max_parallelism) + "), now " +
             std::to_string(owner_.parallelism) + " (max " +
             std::to_string(owner_.max_parallelism) + ")";
    keyed_state_handle held;
    const auto problem =
        check_copy(local, uid, owner_.subtask, owner_.max_parallelism, *wanted->keyed_state, held);
    if (!problem.empty())
      return problem;
    out[uid] = {std::move(held), *wanted->keyed_state};
  }
  return {};
}

std::string check_copy(const checkpoint_metadata& copy, const std::string& uid, int subtask,
                       int max_parallelism, const keyed_state_handle& wanted,
                       keyed_state_handle& out) {
  const auto* held = keyed_state_of(copy, uid, subtask);
  if (!held || !held->blobs.count(checkpointed_blob))
    return "the local copy holds no state of operator '" + uid + "'";
  const auto recorded =
      subtask_state_from_text(held->blobs.at(checkpointed_blob), subtask, max_parallelism);
  if (!recorded.keyed_state || !same_snapshot(*recorded.keyed_state, wanted))
    return "the local copy of operator '" + uid + "' is of another snapshot";
  const auto problem = local_copy_problem(*held->keyed_state);
  if (!problem.empty())
    return "the local copy of operator '" + uid + "': " + problem;
  out = *held->keyed_state;
  return {};
}

} // namespace sluice
