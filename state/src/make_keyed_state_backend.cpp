// The backend of the configured kind.
#include "sluice/state/get_keyed_state.hpp"

namespace sluice {

std::unique_ptr<keyed_state_backend> make_keyed_state_backend(const state_backend_config& config,
                                                              const std::string& owner,
                                                              key_group_range range,
                                                              int max_parallelism) {
  if (config.kind == state_backend_kind::heap)
    return std::make_unique<heap_keyed_state_backend>(owner, range, max_parallelism,
                                                      *config.clock);
  if (config.kind == state_backend_kind::rocksdb)
    return std::make_unique<rocksdb_keyed_state_backend>(config, owner, range, max_parallelism);
  throw state_error(std::string("operator '") + owner + "': state backend " +
                    to_string(config.kind) + " is not built yet");
}

} // namespace sluice
