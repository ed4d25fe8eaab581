#pragma once
// The heap backend's keyed states: the keyed_state.hpp interfaces over a heap_state_table.
// Values are kept typed, so reads and writes copy values and never serialize them.

#include "sluice/state/heap/heap_state_table.hpp"
#include "sluice/state/heap/heap_state_traits.hpp"
#include "sluice/state/state_descriptor.hpp"

#include <algorithm>
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
  /// Whether entries carry one TTL stamp (not so under unstamped_traits, nor lists and maps,
  /// which stamp their elements).
  static constexpr bool has_stamp = Traits::has_stamp;

  /// The current key's entry for reading (nullptr if none); on_read_and_write refreshes it.
  stored* read() {
    auto* s = table_.find();
    if constexpr (has_stamp)
      if (s && refreshes_on_read()) {
        s->stamp = table_.now();
        table_.mark_dirty();
      }
    return s;
  }
  /// The current key's entry for writing, stamped now; the flag tells if it is new.
  std::pair<stored*, bool> write() {
    auto written = table_.find_or_create();
    if constexpr (has_stamp)
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

/// Value, reducing and aggregating states take stamped_traits with TTL, unstamped_traits
/// without (heap_keyed_state_backend::make_state picks).
template <class T, class Traits = stamped_traits<T>>
class heap_value_state final : public heap_state<value_state<T>, Traits> {
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

/// A list with a TTL stamp per element: add and add_all stamp the new elements, update all of
/// them, and get (under on_read_and_write) the elements it returns; expired elements vanish one
/// by one. Without TTL no stamps are kept.
template <class T>
class heap_list_state final : public heap_state<list_state<T>, list_traits<T>> {
public:
  using heap_list_state::heap_state::heap_state;

  std::vector<T> get() override {
    auto* l = this->table_.find();
    if (!l)
      return {};
    const auto& ttl = this->table_.ttl();
    if (!ttl.enabled())
      return l->values;
    const auto now = this->table_.now();
    if (list_traits<T>::prune(*l, ttl, now)) {
      this->table_.erase();
      return {};
    }
    if (this->refreshes_on_read()) {
      std::fill(l->stamps.begin(), l->stamps.end(), now);
      this->table_.mark_dirty();
    }
    return l->values;
  }
  void add(const T& value) override { append(&value, &value + 1); }
  void add_all(const std::vector<T>& values) override {
    append(values.begin(), values.end());
  }
  void update(const std::vector<T>& values) override {
    if (values.empty())
      return this->clear();
    auto& l = *this->table_.find_or_create().first;
    l.values = values;
    if (this->table_.ttl().enabled())
      l.stamps.assign(values.size(), this->table_.now());
  }

private:
  template <class It>
  void append(It first, It last) {
    if (first == last)
      return;
    auto& l = *this->table_.find_or_create().first;
    l.values.insert(l.values.end(), first, last);
    if (this->table_.ttl().enabled())
      l.stamps.resize(l.values.size(), this->table_.now());
  }
};

template <class T, class Traits = stamped_traits<T>>
class heap_reducing_state final : public heap_state<reducing_state<T>, Traits> {
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

template <class In, class Acc, class Out, class Traits = stamped_traits<Acc>>
class heap_aggregating_state final : public heap_state<aggregating_state<In, Out>, Traits> {
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
