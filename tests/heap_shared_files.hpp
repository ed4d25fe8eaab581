#pragma once
// What a heap incremental snapshot wrote: the key groups whose shared files a checkpoint wrote,
// as opposed to those it references from earlier ones. Shared by the checkpoint and operator
// tests of incremental checkpoints.

#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

namespace sluice::test {

/// The key groups whose shared files checkpoint `id` wrote (`h` references the others').
inline std::set<int> groups_written(const keyed_state_handle& h, std::int64_t id) {
  std::set<int> out;
  const auto suffix = "-chk" + std::to_string(id) + ".heap";
  for (const auto& f : h.parts.at(0).shared)
    if (std::filesystem::path(f.path).filename().string().find(suffix) != std::string::npos)
      out.insert(std::stoi(f.local_name));
  return out;
}

} // namespace sluice::test
