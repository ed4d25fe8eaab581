// Part 5 of bench_checkpoint: local recovery (bench_checkpoint_local.hpp).

#include "bench_checkpoint_local.hpp"

#include <sluice/actors/local_snapshot_store.hpp>

namespace checkpoint_bench {

namespace {

const std::string uid = "write value";
const std::string owner = "write value (1/1)";
const sluice::value_state_descriptor<std::string> value_d("value");

/// A fresh RocksDB backend over every key group, its instance under `dir`.
std::unique_ptr<sluice::keyed_state_backend> fresh_backend(sluice::state_backend_config state,
                                                           const fs::path& dir,
                                                           int max_parallelism) {
  state.state_dir = dir.string();
  return sluice::make_keyed_state_backend(state, owner, {0, max_parallelism - 1},
                                          max_parallelism);
}

/// Milliseconds `restore` takes on a fresh backend; then checks two keys' values against
/// fill_value (outside the time).
double timed_restore(const sluice::state_backend_config& state, const fs::path& parent,
                     int max_parallelism, std::uint64_t keys, std::size_t value_bytes,
                     const std::function<void(sluice::keyed_state_backend&)>& restore) {
  scratch_dir dir(parent, "restore");
  auto backend = fresh_backend(state, dir.path(), max_parallelism);
  const double ms = 1000 * bench::seconds_of([&] { restore(*backend); });
  backend->set_key_type<std::int64_t>();
  std::string expected(value_bytes, '\0');
  for (std::uint64_t k : {std::uint64_t{0}, keys - 1}) {
    backend->set_current_key(static_cast<std::int64_t>(k));
    fill_value(expected, k);
    if (backend->get_state(value_d).value() != expected)
      throw std::runtime_error("local recovery: key " + std::to_string(k) +
                               " restored with another value");
  }
  return ms;
}

} // namespace

fields measure_local_recovery(const sluice::job_config& base, const fs::path& parent,
                              const local_recovery_options& o) {
  const std::uint64_t keys = std::max<std::uint64_t>(2, (o.state_mb << 20) / o.value_bytes);
  const int max_parallelism = base.max_parallelism;
  scratch_dir dir(parent, "local-recovery");
  auto state = base.state;
  state.kind = sluice::state_backend_kind::rocksdb;
  const auto state_dir = dir.path() / "state";

  // The state, its incremental checkpoint and the local copy a task manager keeps of it.
  auto backend = fresh_backend(state, state_dir, max_parallelism);
  backend->set_key_type<std::int64_t>();
  auto& value = backend->get_state(value_d);
  std::string buffer(o.value_bytes, '\0');
  const double fill_s = bench::seconds_of([&] {
    for (std::uint64_t k = 0; k < keys; ++k) {
      backend->set_current_key(static_cast<std::int64_t>(k));
      fill_value(buffer, k);
      value.update(buffer);
    }
  });
  std::map<std::string, sluice::subtask_state> states;
  const auto job_dir = dir.path() / "chk" / "bench";
  const double snapshot_s = bench::seconds_of([&] {
    states[uid].keyed_state =
        backend->snapshot(1, (job_dir / "chk-1").string(), (job_dir / "shared").string());
  });
  backend.reset();
  sluice::checkpoint_metadata m;
  m.job_id = "bench";
  m.checkpoint_id = 1;
  m.state_backend = "rocksdb";
  m.operators[uid] = {1, max_parallelism, {{0, states[uid]}}};
  const sluice::local_snapshot_store store(
      state_dir.string(), {"bench", 0, 0, 1, max_parallelism, {uid}, owner});
  const double keep_ms = 1000 * bench::seconds_of([&] { store.keep(1, states); });

  double remote_ms = 0;
  double local_ms = 0;
  for (int r = 0; r < o.repeat; ++r) {
    const auto remote = timed_restore(state, parent, max_parallelism, keys, o.value_bytes,
                                      [&](sluice::keyed_state_backend& b) {
                                        b.restore({*states.at(uid).keyed_state});
                                      });
    const auto local = timed_restore(state, parent, max_parallelism, keys, o.value_bytes,
                                     [&](sluice::keyed_state_backend& b) {
                                       const auto copies = store.restore_copies(m);
                                       if (copies.empty())
                                         throw std::runtime_error("the local copy was not used");
                                       b.restore_local(copies.at(uid));
                                     });
    remote_ms = r == 0 ? remote : std::min(remote_ms, remote);
    local_ms = r == 0 ? local : std::min(local_ms, local);
  }
  const double size = static_cast<double>(states.at(uid).keyed_state->size_bytes());
  std::printf("5. local recovery: %.1f MiB of RocksDB state (%llu keys x %zu-byte values), "
              "written in %.1f s, checkpointed (incremental) in %.1f s, local copy kept in "
              "%.0f ms\n",
              size / 1048576.0, static_cast<unsigned long long>(keys), o.value_bytes, fill_s,
              snapshot_s, keep_ms);
  std::printf("   restore from the checkpoint directory: %8.0f ms (best of %d)\n", remote_ms,
              o.repeat);
  std::printf("   restore from the local copy:           %8.0f ms (local / remote: %.3f)\n",
              local_ms, local_ms / remote_ms);
  return {{"local_recovery_state_bytes", size},
          {"restore_ms_remote", remote_ms},
          {"restore_ms_local", local_ms},
          {"local_recovery_ratio", local_ms / remote_ms},
          {"local_copy_keep_ms", keep_ms}};
}

} // namespace checkpoint_bench
