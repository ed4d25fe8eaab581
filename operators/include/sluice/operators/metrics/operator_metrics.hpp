#pragma once
// The metrics of one operator of a subtask's chain as read at one moment (plain values, sent in
// task managers' reports): its records in and out, the records a window operator dropped as
// late, and the user metrics its functions registered (metric_group.hpp).

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// A histogram's statistics over its window of recent values (metric_histogram).
struct histogram_statistics {
  std::int64_t min = 0;
  std::int64_t max = 0;
  double mean = 0;
  double stddev = 0; ///< sample standard deviation (n - 1); 0 for fewer than two values
  /// Quantiles 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999 (histogram_quantiles), Flink's.
  std::vector<double> quantiles;
};

/// The quantiles a histogram reports, in the order of histogram_statistics::quantiles.
inline const std::vector<double>& histogram_quantiles() {
  static const std::vector<double> q = {0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999};
  return q;
}

/// One user metric as read: `kind` is "counter", "gauge", "meter" or "histogram".
struct user_metric_value {
  std::string name; ///< with its groups: "group.name"
  std::string kind;
  std::int64_t count = 0; ///< counter: its count; meter: events; histogram: values recorded
  double value = 0;       ///< gauge: its value; histogram: the sum of every value recorded
  histogram_statistics statistics; ///< histogram only
};

/// One operator of a chain, as read.
struct operator_metrics {
  std::string name;
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0; ///< on its main and side outputs
  std::uint64_t late_records_dropped = 0; ///< windows and interval joins: numLateRecordsDropped
  std::vector<user_metric_value> user;
};

} // namespace sluice
