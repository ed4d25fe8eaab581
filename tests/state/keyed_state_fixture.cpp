#include "keyed_state_fixture.hpp"

#include <fstream>


namespace sluice::test {

std::unique_ptr<keyed_state_backend> make_backend(state_backend_kind kind, const temp_dir& dir,
                                                  key_group_range range,
                                                  const backend_options& options) {
  state_backend_config config;
  config.kind = kind;
  config.state_dir = (dir.path() / "db").string();
  config.clock = options.clock;
  config.memory_mb = 16;
  config.cache_entries = options.cache_entries;
  return make_keyed_state_backend(config, options.owner, range, options.max_parallelism);
}

std::vector<std::unique_ptr<keyed_state_backend>>
make_subtask_backends(state_backend_kind kind, const temp_dir& dir, int parallelism,
                      const backend_options& options) {
  std::vector<std::unique_ptr<keyed_state_backend>> out;
  for (int i = 0; i < parallelism; ++i) {
    auto o = options;
    o.owner = "counter (" + std::to_string(i + 1) + "/" + std::to_string(parallelism) + ")";
    out.push_back(make_backend(
        kind, dir, key_group_range_for_subtask(options.max_parallelism, parallelism, i), o));
  }
  return out;
}

int subtask_of(std::int64_t key, int parallelism, int max_parallelism) {
  return subtask_for_key_group(key_group_of(key, max_parallelism), parallelism, max_parallelism);
}

std::vector<keyed_state_handle>
snapshot_all(std::vector<std::unique_ptr<keyed_state_backend>>& backends, std::int64_t id,
             const temp_dir& dir) {
  std::vector<keyed_state_handle> handles;
  for (auto& b : backends)
    handles.push_back(b->snapshot(id, (dir.path() / "snapshots").string()));
  return handles;
}

void corrupt_byte(const std::filesystem::path& file, std::uintmax_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(~c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

} // namespace sluice::test
