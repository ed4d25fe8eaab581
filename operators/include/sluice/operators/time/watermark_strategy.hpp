#pragma once
// Flink's WatermarkStrategy<T>: how elements get their timestamps and which watermark generator
// each subtask (or source split) runs. A copyable value; generators are created per subtask.

#include "sluice/operators/time/clock.hpp"
#include "sluice/operators/time/watermark_generator.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

namespace sluice {

template <class T>
class watermark_strategy {
public:
  /// (element, previous timestamp) -> timestamp. `previous` is the element's current timestamp
  /// (set by the source), or min_watermark if it has none.
  using timestamp_assigner = std::function<std::int64_t(const T&, std::int64_t)>;
  /// Creates one generator (called once per subtask or split).
  using generator_factory = std::function<std::unique_ptr<watermark_generator>()>;

  /// Watermark `max_timestamp - bound - 1` (Flink's forBoundedOutOfOrderness).
  static watermark_strategy for_bounded_out_of_orderness(std::chrono::milliseconds bound) {
    if (bound.count() < 0)
      throw std::invalid_argument("bounded out-of-orderness: the bound must not be negative");
    auto ms = bound.count();
    return for_generator(
        [ms] { return std::make_unique<bounded_out_of_orderness_generator>(ms); });
  }
  /// Ascending timestamps: watermark `max_timestamp - 1` (Flink's forMonotonousTimestamps).
  static watermark_strategy for_monotonous_timestamps() {
    return for_generator([] { return std::make_unique<monotonous_generator>(); });
  }
  /// (element, its timestamp) -> a watermark to emit right after it, or none.
  using punctuation = std::function<std::optional<std::int64_t>(const T&, std::int64_t)>;

  /// A punctuated generator that looks at each element (Flink's WatermarkGenerator.onEvent
  /// emitting on markers in the data): `f` returns the watermark that follows an element.
  static watermark_strategy for_punctuated(punctuation f) {
    if (!f)
      throw std::invalid_argument("watermark_strategy: empty punctuation function");
    auto s = for_generator([] { return std::make_unique<punctuated_generator>(); });
    s.punctuation_ = std::move(f);
    return s;
  }

  /// A custom periodic or punctuated generator (on timestamps).
  static watermark_strategy for_generator(generator_factory factory) {
    if (!factory)
      throw std::invalid_argument("watermark_strategy: empty generator factory");
    return watermark_strategy(std::move(factory));
  }

  /// A copy that takes timestamps from `assigner`. Without one, elements keep their previous
  /// timestamp (Flink's RecordTimestampAssigner).
  watermark_strategy with_timestamp_assigner(timestamp_assigner assigner) const {
    watermark_strategy copy = *this;
    copy.assigner_ = std::move(assigner);
    return copy;
  }

  /// A copy whose generators mark their output idle after `timeout` (> 0) without elements, as
  /// measured on `time` (Flink's withIdleness; see watermarks_with_idleness).
  watermark_strategy
  with_idleness(std::chrono::milliseconds timeout,
                std::shared_ptr<const clock> time = std::make_shared<steady_clock_source>()) const {
    if (timeout.count() <= 0)
      throw std::invalid_argument("idleness timeout must be greater than zero");
    watermark_strategy copy = *this;
    copy.factory_ = [inner = factory_, ms = timeout.count(), time = std::move(time)] {
      return std::make_unique<watermarks_with_idleness>(inner(), ms, time);
    };
    return copy;
  }

  /// A new generator for one subtask or split.
  std::unique_ptr<watermark_generator> create_generator() const { return factory_(); }

  /// The watermark a punctuated strategy emits after `element` (stamped `timestamp`), if any.
  std::optional<std::int64_t> punctuated_watermark(const T& element, std::int64_t timestamp) const {
    return punctuation_ ? punctuation_(element, timestamp) : std::nullopt;
  }

  /// The timestamp of `element`, whose previous timestamp is `previous`.
  std::int64_t extract_timestamp(const T& element, std::int64_t previous) const {
    return assigner_ ? assigner_(element, previous) : previous;
  }

private:
  explicit watermark_strategy(generator_factory factory) : factory_(std::move(factory)) {}

  /// Watermarks come only from the punctuation function; idleness may still wrap it.
  class punctuated_generator final : public watermark_generator {
  public:
    void on_event(std::int64_t, watermark_output&) override {}
    void on_periodic_emit(watermark_output&) override {}
  };

  generator_factory factory_;
  timestamp_assigner assigner_;
  punctuation punctuation_;
};

} // namespace sluice
