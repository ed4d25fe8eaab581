#pragma once
// Naming the operator whose user code threw.

#include <stdexcept>
#include <string>

namespace sluice {

/// An exception from an operator's code, with the operator's name.
class operator_failure : public std::runtime_error {
public:
  operator_failure(std::string op, const std::string& what)
      : std::runtime_error(what), operator_name(std::move(op)) {}
  std::string operator_name;
};

/// Runs f; an exception that is not yet an operator_failure becomes one naming `name`.
template <class F>
void run_naming(const std::string& name, F&& f) {
  try {
    f();
  } catch (const operator_failure&) {
    throw;
  } catch (const std::exception& e) {
    throw operator_failure(name, e.what());
  }
}

} // namespace sluice
