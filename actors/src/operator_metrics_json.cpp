#include "operator_metrics_json.hpp"

#include <algorithm>

namespace sluice {

namespace {

using nlohmann::json;

/// "p50" for 0.5, "p999" for 0.999.
std::string quantile_key(double q) {
  std::string digits = std::to_string(q).substr(2); // "500000"
  while (digits.size() > 2 && digits.back() == '0')
    digits.pop_back();
  return "p" + digits;
}

json user_metric_json(const user_metric_value& v) {
  json out{{"name", v.name}, {"type", v.kind}};
  if (v.kind == "gauge") {
    out["value"] = v.value;
    return out;
  }
  out["count"] = v.count;
  if (v.kind != "histogram")
    return out;
  const auto& s = v.statistics;
  out["sum"] = v.value;
  out["min"] = s.min;
  out["max"] = s.max;
  out["mean"] = s.mean;
  out["stddev"] = s.stddev;
  const auto& qs = histogram_quantiles();
  for (std::size_t i = 0; i < qs.size() && i < s.quantiles.size(); ++i)
    out[quantile_key(qs[i])] = s.quantiles[i];
  return out;
}

/// The count of meter `name` of operator `op` in `m` (nullptr: none).
const user_metric_value* find_meter(const subtask_metrics& m, std::size_t op,
                                    const std::string& name) {
  if (op >= m.operators.size())
    return nullptr;
  const auto& user = m.operators[op].user;
  auto it = std::find_if(user.begin(), user.end(), [&](const user_metric_value& v) {
    return v.kind == "meter" && v.name == name;
  });
  return it == user.end() ? nullptr : &*it;
}

} // namespace

json operators_json(const subtask_metrics& m) {
  json out = json::array();
  for (const auto& op : m.operators) {
    json user = json::array();
    for (const auto& v : op.user)
      user.push_back(user_metric_json(v));
    out.push_back(json{{"name", op.name},
                       {"numRecordsIn", op.records_in},
                       {"numRecordsOut", op.records_out},
                       {"numLateRecordsDropped", op.late_records_dropped},
                       {"user", std::move(user)}});
  }
  return out;
}

void add_meter_rates(json& operators, const metric_samples<subtask_metrics>& samples) {
  for (std::size_t op = 0; op < operators.size(); ++op)
    for (auto& v : operators[op]["user"]) {
      if (v["type"] != "meter")
        continue;
      const auto name = v["name"].get<std::string>();
      const bool both = find_meter(samples.previous, op, name) != nullptr;
      v["rate"] = both ? json(samples.rate([&](const subtask_metrics& m) {
        return find_meter(m, op, name)->count;
      }))
                       : json(nullptr);
    }
}

} // namespace sluice
