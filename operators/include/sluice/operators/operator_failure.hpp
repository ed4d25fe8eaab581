#pragma once
// Naming the operator whose user code threw.

#include "sluice/operators/collector.hpp"

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

/// Sits in front of a chained operator's input; free on the path without exceptions.
template <class T>
class guarded_collector final : public collector<T> {
public:
  guarded_collector(collector<T>& target, std::string name)
      : target_(target), name_(std::move(name)) {}
  void collect(T&& value) override {
    run_naming(name_, [&] { target_.collect(std::move(value)); });
  }
  void emit_watermark(std::int64_t wm) override {
    run_naming(name_, [&] { target_.emit_watermark(wm); });
  }
  using collector<T>::collect;

private:
  collector<T>& target_;
  std::string name_;
};

} // namespace sluice
