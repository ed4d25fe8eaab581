#pragma once
// User metrics, as Flink's MetricGroup: a function gets its operator's group from the runtime
// context in open() (`ctx.metric_group().counter("lines")`) and updates the metrics per record.
// Every metric is a plain value owned by the subtask's thread (no atomics, no locks): update
// them only from the function's methods. The subtask reads them (metric_group::snapshot) on its
// own thread once per metrics interval and when it finishes; quantiles are computed then, and
// a meter's rate by the job manager from two successive reads.

#include "sluice/operators/metrics/operator_metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// Counts something (Flink's Counter): may go up and down.
class metric_counter {
public:
  void inc(std::int64_t n = 1) { count_ += n; }
  void dec(std::int64_t n = 1) { count_ -= n; }
  std::int64_t count() const { return count_; }

private:
  std::int64_t count_ = 0;
};

/// Counts events whose rate per second is reported (Flink's Meter); the rate is computed when
/// read, from the counts of two successive reports.
class metric_meter {
public:
  void mark_event(std::int64_t n = 1) { count_ += n; }
  std::int64_t count() const { return count_; }

private:
  std::int64_t count_ = 0;
};

/// Keeps the latest `window` values (Flink's DescriptiveStatisticsHistogram); statistics and
/// quantiles over them are computed when read.
class metric_histogram {
public:
  explicit metric_histogram(std::size_t window);
  void update(std::int64_t value) {
    values_[next_] = value;
    next_ = next_ + 1 == values_.size() ? 0 : next_ + 1;
    ++count_;
    sum_ += static_cast<double>(value);
  }
  /// Values recorded since the start (not only those in the window).
  std::int64_t count() const { return count_; }
  double sum() const { return sum_; }
  /// Over the values in the window. A quantile q of n sorted values x1..xn is Apache Commons
  /// Math's (Flink's): position p = q (n + 1); x1 if p < 1, xn if p >= n, else
  /// x[floor p] + (p - floor p) (x[floor p + 1] - x[floor p]).
  histogram_statistics statistics() const;

private:
  std::vector<std::int64_t> values_;
  std::size_t next_ = 0;
  std::int64_t count_ = 0;
  double sum_ = 0;
};

/// The metrics of one operator of one subtask: the user metrics its functions register, and
/// the operator's own (numLateRecordsDropped). Copies share the metrics; add_group makes a view
/// whose names start with "name.".
class metric_group {
public:
  metric_group();

  /// The counter, meter or histogram `name`, registered at its first use (later calls return
  /// the same one). Throws std::invalid_argument if `name` is empty or names a metric of another
  /// kind.
  metric_counter& counter(const std::string& name);
  metric_meter& meter(const std::string& name);
  /// `window`: how many of the latest values the statistics cover (at least 1).
  metric_histogram& histogram(const std::string& name, std::size_t window = 1024);
  /// Registers gauge `name`: `read` is called on the subtask's thread at each read (replaces
  /// a gauge of the same name).
  void gauge(const std::string& name, std::function<double()> read);
  /// A group nested in this one: its metrics are named "name.metric".
  metric_group add_group(const std::string& name) const;

  /// Records a window operator or an interval join dropped as late (numLateRecordsDropped).
  metric_counter& late_records_dropped() { return registry_->late_records_dropped; }
  const metric_counter& late_records_dropped() const { return registry_->late_records_dropped; }

  /// Every user metric as read now, by name (gauges evaluated, histogram statistics computed).
  /// On the subtask's thread only.
  std::vector<user_metric_value> snapshot() const;

private:
  struct registry;
  struct entry;
  metric_group(std::string prefix, std::shared_ptr<registry> r);
  /// The entry of metric `name` (with this group's prefix), added if new; throws if `name` is
  /// empty or the entry is of another kind.
  entry& slot(const std::string& name, const char* kind);
  /// The metric `name` (with this group's prefix) of `kind`, made by `make` at its first use.
  template <class M, class Make>
  M& find_or_add(const std::string& name, const char* kind, Make&& make);

  struct entry {
    std::string kind;
    std::shared_ptr<void> metric;
    std::function<double()> gauge;
  };
  struct registry {
    std::map<std::string, entry> metrics;
    metric_counter late_records_dropped;
  };
  std::string prefix_;
  std::shared_ptr<registry> registry_;
};

} // namespace sluice
