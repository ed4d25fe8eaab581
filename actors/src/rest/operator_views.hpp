#pragma once
// The REST API's view of chained operators and user metrics (from the "operators" of each
// subtask in the state document, operator_metrics_json.hpp), with Flink's metric names: an
// operator's numRecordsIn, numRecordsOut, numLateRecordsDropped, and its user metrics flattened
// as Flink's REST API shows them (a meter: NAME = rate, NAME_count; a histogram: NAME_count,
// NAME_min, NAME_max, NAME_mean, NAME_stddev, NAME_median, NAME_p75 … NAME_p999).

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::rest {

/// An operator's metrics by Flink's name (numbers; a meter's rate may be null).
nlohmann::json operator_metric_values(const nlohmann::json& op);

/// A subtask's operators: `[{"id","name","metrics":{…}}]` (id: position in the chain).
nlohmann::json subtask_operators(const nlohmann::json& subtask);

/// A vertex's operators, records in and out and late records dropped summed over `subtasks`.
nlohmann::json vertex_operators(const std::vector<nlohmann::json>& subtasks);

/// Adds every operator metric of every subtask of `doc`, named
/// "VERTEX.SUBTASK.OPERATOR.METRIC" (Flink's scope order), as strings, to `values`.
void add_operator_metric_values(const nlohmann::json& doc,
                                std::map<std::string, std::string>& values);

} // namespace sluice::rest
