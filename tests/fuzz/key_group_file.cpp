// Heap key-group snapshot files (key_group_file.hpp), read back as a restore reads them: the
// sections of one subtask's key groups, then the whole file restored into a heap backend that
// registers a value, a list and a map state (the names and types of the seed corpus).

#include "state_files.hpp"

#include "sluice/state/get_keyed_state.hpp"
#include "sluice/state/key_group_file.hpp"
#include "sluice/state/state_error.hpp"

namespace {

constexpr int max_parallelism = 128;

void restore_heap(const std::string& path) {
  const sluice::key_group_range all{0, max_parallelism - 1};
  sluice::keyed_state_part part;
  part.path = path;
  part.range = all;
  sluice::keyed_state_handle handle{"heap", all, {part}};
  sluice::heap_keyed_state_backend backend("fuzz (1/1)", all, max_parallelism,
                                           sluice::system_ttl_clock::instance());
  backend.set_key_type<std::string>();
  backend.restore({handle});
  auto& count = backend.get_state(sluice::value_state_descriptor<std::int64_t>("count"));
  auto& names = backend.get_state(sluice::list_state_descriptor<std::string>("names"));
  auto& totals =
      backend.get_state(sluice::map_state_descriptor<std::string, std::int64_t>("totals"));
  for (const char* key : {"a", "b", "key-1", ""}) {
    backend.set_current_key(std::string(key));
    (void)count.value();
    (void)names.get();
    (void)totals.get("x");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const auto& path = fuzz::scratch_path("key-groups");
  fuzz::write_state_file(path, fuzz::key_group_format, data + 1, size - 1);
  const int first = data[0] % max_parallelism;
  try {
    (void)sluice::read_key_group_file(path, {first, first + (data[0] >> 4)});
  } catch (const sluice::state_error&) {
  }
  try {
    restore_heap(path);
  } catch (const sluice::state_error&) {
  }
  return 0;
}
