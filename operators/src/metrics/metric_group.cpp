#include "sluice/operators/metrics/metric_group.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sluice {

namespace {

/// Apache Commons Math's default percentile estimate of sorted `x` (see metric_histogram).
double quantile(const std::vector<std::int64_t>& x, double q) {
  const double n = static_cast<double>(x.size());
  const double pos = q * (n + 1);
  if (pos < 1)
    return static_cast<double>(x.front());
  if (pos >= n)
    return static_cast<double>(x.back());
  const double lower = std::floor(pos);
  const auto i = static_cast<std::size_t>(lower) - 1;
  return static_cast<double>(x[i]) +
         (pos - lower) * static_cast<double>(x[i + 1] - x[i]);
}

} // namespace

metric_histogram::metric_histogram(std::size_t window) : values_(std::max<std::size_t>(window, 1)) {}

histogram_statistics metric_histogram::statistics() const {
  histogram_statistics s;
  const auto n = static_cast<std::size_t>(
      std::min<std::int64_t>(count_, static_cast<std::int64_t>(values_.size())));
  if (n == 0)
    return s;
  std::vector<std::int64_t> x(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(n));
  std::sort(x.begin(), x.end());
  s.min = x.front();
  s.max = x.back();
  double sum = 0;
  for (auto v : x)
    sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(n);
  if (n > 1) {
    double squares = 0;
    for (auto v : x)
      squares += (static_cast<double>(v) - s.mean) * (static_cast<double>(v) - s.mean);
    s.stddev = std::sqrt(squares / static_cast<double>(n - 1));
  }
  for (double q : histogram_quantiles())
    s.quantiles.push_back(quantile(x, q));
  return s;
}

metric_group::metric_group() : registry_(std::make_shared<registry>()) {}

metric_group::metric_group(std::string prefix, std::shared_ptr<registry> r)
    : prefix_(std::move(prefix)), registry_(std::move(r)) {}

metric_group::entry& metric_group::slot(const std::string& name, const char* kind) {
  if (name.empty())
    throw std::invalid_argument("metric group: a metric needs a name");
  const std::string full = prefix_ + name;
  auto [it, added] = registry_->metrics.try_emplace(full);
  if (added)
    it->second.kind = kind;
  else if (it->second.kind != kind)
    throw std::invalid_argument("metric group: '" + full + "' is a " + it->second.kind +
                                ", not a " + kind);
  return it->second;
}

template <class M, class Make>
M& metric_group::find_or_add(const std::string& name, const char* kind, Make&& make) {
  auto& e = slot(name, kind);
  if (!e.metric)
    e.metric = make();
  return *static_cast<M*>(e.metric.get());
}

metric_counter& metric_group::counter(const std::string& name) {
  return find_or_add<metric_counter>(name, "counter",
                                     [] { return std::make_shared<metric_counter>(); });
}

metric_meter& metric_group::meter(const std::string& name) {
  return find_or_add<metric_meter>(name, "meter", [] { return std::make_shared<metric_meter>(); });
}

metric_histogram& metric_group::histogram(const std::string& name, std::size_t window) {
  return find_or_add<metric_histogram>(
      name, "histogram", [window] { return std::make_shared<metric_histogram>(window); });
}

void metric_group::gauge(const std::string& name, std::function<double()> read) {
  if (!read)
    throw std::invalid_argument("metric group: gauge '" + prefix_ + name + "' has no function");
  slot(name, "gauge").gauge = std::move(read);
}

metric_group metric_group::add_group(const std::string& name) const {
  if (name.empty())
    throw std::invalid_argument("metric group: a group needs a name");
  return metric_group(prefix_ + name + ".", registry_);
}

std::vector<user_metric_value> metric_group::snapshot() const {
  std::vector<user_metric_value> out;
  for (const auto& [name, e] : registry_->metrics) {
    user_metric_value v;
    v.name = name;
    v.kind = e.kind;
    if (e.kind == "counter") {
      v.count = static_cast<const metric_counter*>(e.metric.get())->count();
    } else if (e.kind == "meter") {
      v.count = static_cast<const metric_meter*>(e.metric.get())->count();
    } else if (e.kind == "histogram") {
      const auto* h = static_cast<const metric_histogram*>(e.metric.get());
      v.count = h->count();
      v.value = h->sum();
      v.statistics = h->statistics();
    } else {
      v.value = e.gauge();
    }
    out.push_back(std::move(v));
  }
  return out;
}

} // namespace sluice
