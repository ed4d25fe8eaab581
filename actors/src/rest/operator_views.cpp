#include "operator_views.hpp"

namespace sluice::rest {

namespace {

using nlohmann::json;

const char* const summed[] = {"numRecordsIn", "numRecordsOut", "numLateRecordsDropped"};

/// A histogram's fields as Flink names them (p50 is NAME_median).
const std::pair<const char*, const char*> histogram_fields[] = {
    {"count", "_count"}, {"min", "_min"}, {"max", "_max"}, {"mean", "_mean"},
    {"stddev", "_stddev"}, {"p50", "_median"}, {"p75", "_p75"}, {"p90", "_p90"},
    {"p95", "_p95"}, {"p98", "_p98"}, {"p99", "_p99"}, {"p999", "_p999"}};

const json& operators_of(const json& subtask) {
  static const json none = json::array();
  auto it = subtask.find("operators");
  return it == subtask.end() ? none : *it;
}

} // namespace

json operator_metric_values(const json& op) {
  json out = json::object();
  for (const char* name : summed)
    out[name] = op[name];
  for (const auto& m : op["user"]) {
    const auto name = m["name"].get<std::string>();
    const auto type = m["type"].get<std::string>();
    if (type == "counter") {
      out[name] = m["count"];
    } else if (type == "gauge") {
      out[name] = m["value"];
    } else if (type == "meter") {
      out[name] = m.value("rate", json(nullptr));
      out[name + "_count"] = m["count"];
    } else {
      for (const auto& [field, suffix] : histogram_fields)
        if (m.contains(field))
          out[name + suffix] = m[field];
    }
  }
  return out;
}

json subtask_operators(const json& subtask) {
  json out = json::array();
  int id = 0;
  for (const auto& op : operators_of(subtask))
    out.push_back(json{{"id", id++}, {"name", op["name"]}, {"metrics", operator_metric_values(op)}});
  return out;
}

json vertex_operators(const std::vector<json>& subtasks) {
  json out = json::array();
  for (const auto& s : subtasks) {
    const auto& ops = operators_of(s);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (i == out.size()) {
        json zero = json::object();
        for (const char* name : summed)
          zero[name] = 0;
        out.push_back(json{{"id", i}, {"name", ops[i]["name"]}, {"metrics", zero}});
      }
      auto& metrics = out[i]["metrics"];
      for (const char* name : summed)
        metrics[name] = metrics[name].get<std::uint64_t>() + ops[i][name].get<std::uint64_t>();
    }
  }
  return out;
}

void add_operator_metric_values(const json& doc, std::map<std::string, std::string>& values) {
  for (const auto& s : doc["subtasks"]) {
    const std::string scope =
        std::to_string(s["vertex"].get<int>()) + "." + std::to_string(s["subtask"].get<int>()) + ".";
    for (const auto& op : operators_of(s)) {
      const auto metrics = operator_metric_values(op);
      for (const auto& [name, v] : metrics.items())
        values[scope + op["name"].get<std::string>() + "." + name] = v.dump();
    }
  }
}

} // namespace sluice::rest
