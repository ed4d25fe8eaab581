#pragma once
// The operators of a subtask in the job manager's state document: per chained operator its
// records in and out, numLateRecordsDropped and user metrics (metric_group.hpp), with meters'
// rates from the job manager's two latest samples. Fields: docs/observability.md.

#include "job_metrics.hpp"

#include <nlohmann/json.hpp>

namespace sluice {

/// `[{"name","numRecordsIn","numRecordsOut","numLateRecordsDropped","user":[…]}]`, head first;
/// user metrics as `{"name","type",…}` (counter: count; gauge: value; meter: count; histogram:
/// count, sum, min, max, mean, stddev, p50 … p999).
nlohmann::json operators_json(const subtask_metrics& m);

/// Sets `"rate"` (events per second between the two samples; null with one sample) on every
/// meter of `operators` (operators_json of samples.latest).
void add_meter_rates(nlohmann::json& operators, const metric_samples<subtask_metrics>& samples);

} // namespace sluice
