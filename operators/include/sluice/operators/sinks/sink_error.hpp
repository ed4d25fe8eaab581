#pragma once

#include <stdexcept>
#include <string>

namespace sluice {

/// A sink cannot write its output (a directory that cannot be created, a failed write).
class sink_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace sluice
