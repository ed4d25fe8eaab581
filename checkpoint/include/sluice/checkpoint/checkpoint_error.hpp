#pragma once
// The error of the checkpoint module: unreadable or missing checkpoint files, a restore that
// finds nothing usable, a checkpoint directory that cannot be written.

#include <stdexcept>

namespace sluice {

/// A checkpoint or savepoint that cannot be written, read or found; the message names the file
/// or directory and what is wrong with it.
class checkpoint_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace sluice
