#pragma once
// What the checkpoint tests share: sample metadata of a job of two operators (one keyed with
// parallelism 2 and max parallelism 128, one with operator state and blobs at parallelism 1),
// completed checkpoints on disk, and the message of a checkpoint_error.

#include "../temp_dir.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>

namespace sluice::test {

/// Keyed state of subtask `index` of 2 (key groups 0-63 or 64-127) in one heap file under `dir`.
inline keyed_state_handle sample_keyed_handle(const std::string& dir, int index) {
  const key_group_range range{index * 64, index * 64 + 63};
  keyed_state_part part;
  part.kind = keyed_state_part::format::heap_key_groups;
  part.path = dir + "/count-" + std::to_string(index) + ".kg";
  part.range = range;
  part.size_bytes = 100 + index;
  return {"heap", range, {part}};
}

/// Checkpoint `id` of job "job-a": "count" (keyed, 2 subtasks) and "source" (operator state,
/// blobs holding "ab" and the bytes 0x00 0xff), state files under `dir`.
inline checkpoint_metadata sample_metadata(const std::string& dir, std::int64_t id = 7) {
  checkpoint_metadata m;
  m.job_id = "job-a";
  m.checkpoint_id = id;
  m.timestamp_ms = 1700000000123;
  m.state_backend = "heap";
  auto& count = m.operators["count"];
  count.parallelism = 2;
  count.max_parallelism = 128;
  for (int i = 0; i < 2; ++i)
    count.subtasks[i].keyed_state = sample_keyed_handle(dir, i);
  auto& source = m.operators["source"];
  source.parallelism = 1;
  source.max_parallelism = 128;
  auto& s = source.subtasks[0];
  s.operator_state = operator_state_handle{dir + "/op-0-" + std::to_string(id) + ".state", 0, 40};
  s.blobs["text"] = "ab";
  s.blobs["binary"] = std::string("\0\xff", 2);
  return m;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The files in `dir`, absolute and normalized.
inline std::set<std::string> files_in(const std::filesystem::path& dir) {
  std::set<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir))
    out.insert(std::filesystem::absolute(e.path()).lexically_normal().string());
  return out;
}

/// Adds the shared files of `h`'s first part to `out`, named as files_in names them.
inline void add_shared_files(const keyed_state_handle& h, std::set<std::string>& out) {
  for (const auto& f : h.parts.at(0).shared)
    out.insert(std::filesystem::absolute(f.path).lexically_normal().string());
}

/// Writes every state file `m` references (heap files only), each of the size it records.
inline void write_state_files(const checkpoint_metadata& m) {
  for (const auto& [uid, op] : m.operators)
    for (const auto& [index, s] : op.subtasks) {
      if (s.keyed_state)
        for (const auto& p : s.keyed_state->parts)
          write_file(p.path, std::string(p.size_bytes, 's'));
      if (s.operator_state && !s.operator_state->path.empty())
        write_file(s.operator_state->path, std::string(s.operator_state->size_bytes, 's'));
    }
}

/// Completes checkpoint `id` of job-a in `storage`: its directory, the state files of
/// sample_metadata, `_metadata`.
inline void complete_checkpoint(checkpoint_storage& storage, std::int64_t id) {
  const auto dir = storage.create_pending(id);
  const auto m = sample_metadata(dir.string(), id);
  write_state_files(m);
  storage.write_metadata(m);
}

/// The message of the checkpoint_error `f` throws ("no error" if none).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const checkpoint_error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace sluice::test
