#pragma once

#include <string_view>
#include <vector>

namespace sluice::dashboard::detail {

/// One file of actors/dashboard/web, by its name there.
struct embedded_file {
  std::string_view name;
  std::string_view content;
};

/// Every embedded file (defined in the generated dashboard_files.cpp).
const std::vector<embedded_file>& embedded_files();

} // namespace sluice::dashboard::detail
