#pragma once
// The names checkpoints give a job and its operators, so that a later run of the same program
// finds its checkpoints (`--restore latest`) and maps their state back to its operators.

#include "sluice/operators/plan/execution_plan.hpp"

#include <string>

namespace sluice {

/// The job's id in `<checkpoint-dir>/<job-id>/`: its name with every character other than
/// [A-Za-z0-9._-] replaced by '_' ("job" for an empty name or "." / ".."). Stable across runs.
std::string job_id_of(const std::string& job_name);

/// An operator's uid in checkpoints: the uid set on it (`.uid(s)`), else "<node id>-<name>" (node
/// ids count the operators in the order the program adds them, so the same program gives the
/// same uids).
std::string operator_uid(const stream_node& node);

} // namespace sluice
