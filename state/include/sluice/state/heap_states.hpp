#pragma once
// The heap backend's keyed states: the keyed_state.hpp interfaces over a heap_state_table.
// Values are kept typed, so reads and writes copy values and never serialize them.

#include "sluice/state/heap_state_table.hpp"
#include "sluice/state/heap_state_traits.hpp"
#include "sluice/state/state_descriptor.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::detail {

/// A state over one table; the backend snapshots it through table().
template <class Interface, class Traits>
class heap_state : public Interface {
public:
  heap_state(const keyed_state_backend& backend, const state_descriptor_base& d)
      : table_(backend, d) {}

  void clear() override { table_.erase(); }
  heap_state_base& table() { return table_; }

protected:
  using stored = typename Traits::stored;

  /// The current key's entry for reading (nullptr if none); on_read_and_write refreshes it.
  stored* read() {
    auto* s = table_.find();
    if (s && refreshes_on_read())
      s->stamp = table_.now();
    return s;
  }
  /// The current key's entry for writing, stamped now; the flag tells if it is new.
  std::pair<stored*, bool> write() {
    auto written = table_.find_or_create();
    if (table_.ttl().enabled())
      written.first->stamp = table_.now();
    return written;
  }
  bool refreshes_on_read() const {
    return table_.ttl().enabled() &&
           table_.ttl().update == ttl_config::update_type::on_read_and_write;
  }

  heap_state_table<Traits> table_;
};

template <class T>
class heap_value_state final : public heap_state<value_state<T>, stamped_traits<T, false>> {
public:
  heap_value_state(const keyed_state_backend& backend, const value_state_descriptor<T>& d)
      : heap_value_state::heap_state(backend, d), default_(d.default_value) {}

  std::optional<T> value() override {
    auto* s = this->read();
    return s ? std::optional<T>(s->value) : default_;
  }
  void update(const T& value) override { this->write().first->value = value; }

private:
  std::optional<T> default_;
};

template <class T>
class heap_list_state final
    : public heap_state<list_state<T>, stamped_traits<std::vector<T>, true>> {
public:
  using heap_list_state::heap_state::heap_state;

  std::vector<T> get() override {
    auto* s = this->read();
    return s ? s->value : std::vector<T>{};
  }
  void add(const T& value) override { this->write().first->value.push_back(value); }
  void add_all(const std::vector<T>& values) override {
    if (values.empty())
      return;
    auto& list = this->write().first->value;
    list.insert(list.end(), values.begin(), values.end());
  }
  void update(const std::vector<T>& values) override {
    if (values.empty())
      this->clear();
    else
      this->write().first->value = values;
  }
};

template <class T>
class heap_reducing_state final : public heap_state<reducing_state<T>, stamped_traits<T, false>> {
public:
  heap_reducing_state(const keyed_state_backend& backend, const reducing_state_descriptor<T>& d)
      : heap_reducing_state::heap_state(backend, d), reduce_(d.reduce) {}

  std::optional<T> get() override {
    auto* s = this->read();
    return s ? std::optional<T>(s->value) : std::nullopt;
  }
  void add(const T& value) override {
    auto [s, created] = this->write();
    s->value = created ? value : reduce_(s->value, value);
  }

private:
  std::function<T(const T&, const T&)> reduce_;
};

template <class In, class Acc, class Out>
class heap_aggregating_state final
    : public heap_state<aggregating_state<In, Out>, stamped_traits<Acc, false>> {
public:
  heap_aggregating_state(const keyed_state_backend& backend,
                         const aggregating_state_descriptor<In, Acc, Out>& d)
      : heap_aggregating_state::heap_state(backend, d), functions_(d.functions) {}

  std::optional<Out> get() override {
    auto* s = this->read();
    return s ? std::optional<Out>(functions_.get_result(s->value)) : std::nullopt;
  }
  void add(const In& value) override {
    auto [s, created] = this->write();
    s->value = functions_.add(created ? functions_.create_accumulator() : std::move(s->value),
                              value);
  }

private:
  aggregate_functions<In, Acc, Out> functions_;
};

} // namespace sluice::detail
