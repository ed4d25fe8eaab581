#pragma once
// A CAF error as a message for people: the text our actors put in it, else CAF's rendering.

#include <caf/all.hpp>

#include <string>

namespace sluice {

inline std::string error_text(const caf::error& e) {
  const auto& context = e.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return to_string(e);
}

} // namespace sluice
