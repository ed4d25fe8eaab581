#pragma once
// Evictors remove elements from a window before or after its function runs (Flink's Evictor and
// EvictingWindowOperator). A window with an evictor keeps all its elements with their
// timestamps; an evictor is any class with
//   evict_before(std::vector<timestamped_value<T>>&, const W&) and evict_after(same).

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/windows/window_contents.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sluice {

/// An element of a window with an evictor, with its record timestamp.
template <class T> struct timestamped_value {
  T value;
  std::int64_t timestamp = no_timestamp;
  SLUICE_FIELDS(value, timestamp)
};

/// Evicts before the window function runs, or after it (Flink's Evictor.evictBefore/After);
/// Derived provides evict(elements).
template <class Derived>
class evictor_base {
public:
  explicit evictor_base(bool evict_after) : after_(evict_after) {}
  template <class T, class W>
  void evict_before(std::vector<timestamped_value<T>>& elements, const W&) const {
    if (!after_)
      static_cast<const Derived&>(*this).evict(elements);
  }
  template <class T, class W>
  void evict_after(std::vector<timestamped_value<T>>& elements, const W&) const {
    if (after_)
      static_cast<const Derived&>(*this).evict(elements);
  }

private:
  bool after_;
};

/// Keeps the last `max_count` elements (Flink's CountEvictor).
class count_evictor : public evictor_base<count_evictor> {
public:
  explicit count_evictor(std::size_t max_count, bool evict_after = false)
      : evictor_base(evict_after), max_count_(max_count) {}
private:
  friend class evictor_base<count_evictor>;
  template <class T> void evict(std::vector<T>& elements) const {
    if (elements.size() > max_count_) {
      elements.erase(elements.begin(),
                     elements.begin() + static_cast<std::ptrdiff_t>(elements.size() - max_count_));
    }
  }
  std::size_t max_count_;
};

/// Keeps the elements with timestamp > (largest timestamp in the window) - `window_size` ms
/// (Flink's TimeEvictor); does nothing if the first element has no timestamp.
class time_evictor : public evictor_base<time_evictor> {
public:
  explicit time_evictor(std::int64_t window_size, bool evict_after = false)
      : evictor_base(evict_after), window_size_(window_size) {}
private:
  friend class evictor_base<time_evictor>;
  template <class T> void evict(std::vector<timestamped_value<T>>& elements) const {
    if (elements.empty() || elements.front().timestamp == no_timestamp) {
      return;
    }
    std::int64_t newest = no_timestamp;
    for (const auto& e : elements) {
      newest = std::max(newest, e.timestamp);
    }
    const std::int64_t cutoff = newest - window_size_;
    elements.erase(std::remove_if(elements.begin(), elements.end(),
                                  [&](const auto& e) { return e.timestamp <= cutoff; }),
                   elements.end());
  }
  std::int64_t window_size_;
};

/// Removes the elements whose delta(element, last element) >= `threshold` (Flink's
/// DeltaEvictor); Delta: (const T&, const T&) -> double.
template <class Delta> class delta_evictor : public evictor_base<delta_evictor<Delta>> {
public:
  delta_evictor(double threshold, Delta delta, bool evict_after = false)
      : evictor_base<delta_evictor<Delta>>(evict_after), threshold_(threshold),
        delta_(std::move(delta)) {}
private:
  friend class evictor_base<delta_evictor<Delta>>;
  template <class T> void evict(std::vector<timestamped_value<T>>& elements) const {
    if (elements.empty()) {
      return;
    }
    const T last = elements.back().value;
    elements.erase(
        std::remove_if(elements.begin(), elements.end(),
                       [&](const auto& e) { return delta_(e.value, last) >= threshold_; }),
        elements.end());
  }
  double threshold_;
  Delta delta_;
};

/// The contents of a window with an evictor: all elements with timestamps, in a list state; on
/// firing, evicts, hands the remaining values to AllFn (apply(ctx, const std::vector<T>&, out)),
/// evicts again and keeps what is left (nothing left: the window holds no state, and fires no
/// more until an element comes).
template <class T, class Evictor, class AllFn>
class evicting_contents : public windows_detail::list_state_contents<timestamped_value<T>> {
public:
  using output_type = typename AllFn::output_type;
  evicting_contents(Evictor evictor, AllFn fn) : evictor_(std::move(evictor)), fn_(std::move(fn)) {}

  void add(T&& value, std::int64_t ts) { this->state_->add({std::move(value), ts}); }
  template <class Ctx> void emit(const Ctx& ctx, collector<output_type>& out) {
    std::vector<timestamped_value<T>> all = this->state_->get();
    if (all.empty()) {
      return;
    }
    evictor_.evict_before(all, ctx.window());
    std::vector<T> values;
    values.reserve(all.size());
    for (const auto& e : all) {
      values.push_back(e.value);
    }
    fn_.apply(ctx, values, out);
    evictor_.evict_after(all, ctx.window());
    this->state_->update(all);
  }
  template <class Ctx> void clear(const Ctx& ctx) { fn_.clear(ctx); }

private:
  Evictor evictor_;
  AllFn fn_;
};

} // namespace sluice
