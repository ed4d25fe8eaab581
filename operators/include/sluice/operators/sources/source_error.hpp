#pragma once

#include <stdexcept>
#include <string>

namespace sluice {

/// A source cannot read its input (a missing file, a refused connection, a failed read).
class source_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace sluice
