#pragma once

#include <stdexcept>

namespace sluice {

/// A misuse of state (a name registered twice with different types, keyed state without a key,
/// a bad state dir) or an unreadable snapshot; the message names the operator, state or file.
class state_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace sluice
