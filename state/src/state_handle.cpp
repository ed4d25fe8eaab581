#include "sluice/state/state_handle.hpp"

#include <algorithm>

namespace sluice {

bool same_keyed_state(const keyed_state_handle& a, const keyed_state_handle& b,
                      bool (*same_path)(const std::string&, const std::string&)) {
  const auto same_shared = [&](const shared_state_file& x, const shared_state_file& y) {
    return x.local_name == y.local_name && same_path(x.path, y.path) &&
           x.size_bytes == y.size_bytes && x.crc32 == y.crc32;
  };
  const auto same_part = [&](const keyed_state_part& x, const keyed_state_part& y) {
    return x.kind == y.kind && same_path(x.path, y.path) && x.range == y.range &&
           x.size_bytes == y.size_bytes && x.reused_bytes == y.reused_bytes &&
           std::equal(x.shared.begin(), x.shared.end(), y.shared.begin(), y.shared.end(),
                      same_shared);
  };
  return a.backend == b.backend && a.range == b.range &&
         std::equal(a.parts.begin(), a.parts.end(), b.parts.begin(), b.parts.end(), same_part);
}

} // namespace sluice
