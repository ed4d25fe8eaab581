// Operator state files (operator_state_backend.hpp), restored as a subtask restores them at
// another parallelism: list states by even split and by union, and a broadcast state (the
// names and types of the seed corpus).

#include "state_files.hpp"

#include "sluice/state/operator_state_backend.hpp"
#include "sluice/state/state_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const auto& path = fuzz::scratch_path("operator-state");
  fuzz::write_state_file(path, fuzz::operator_format, data + 1, size - 1);
  const int parallelism = 1 + data[0] % 3;
  // The same file as the state of two old subtasks, restored by one of `parallelism` new ones.
  const std::vector<sluice::operator_state_handle> handles{{path, 0, 0}, {path, 1, 0}};
  try {
    sluice::operator_state_backend backend("fuzz (1/" + std::to_string(parallelism) + ")");
    backend.restore(handles, parallelism - 1, parallelism);
    (void)backend.get_list_state(sluice::list_state_descriptor<std::int64_t>("offsets")).get();
    (void)backend.get_union_list_state(sluice::list_state_descriptor<std::string>("names")).get();
    (void)backend
        .get_broadcast_state(sluice::map_state_descriptor<std::string, std::int64_t>("rules"))
        .entries();
  } catch (const sluice::state_error&) {
  }
  return 0;
}
