#pragma once
// What both backends' incremental snapshots share about the files they upload into the job's
// shared directory: unique names, the rule that only a file in the same shared directory is
// referenced again, and the checks a restore makes of a shared file before reading it.

#include "sluice/state/state_handle.hpp"

#include <string>

namespace sluice {

/// `owner` as a file name: "count (2/4)" becomes "count__2_4_".
std::string owner_file_name(const std::string& owner);

/// The start of the names of the files a backend of `owner` uploads: the owner and 64 random
/// bits, so that no other backend (another subtask, or this one after a restart) uses them.
std::string shared_name_prefix(const std::string& owner);

/// Whether `file` lies directly in `dir` (relative or absolute, either way): a snapshot into
/// `dir` may reference it instead of uploading its content again.
bool lies_directly_in(const std::string& file, const std::string& dir);

/// Throws state_error naming `f`, the operator `owner` and the part `checkpoint` (its path)
/// unless `f` exists with its recorded size and CRC-32.
void check_shared_file(const std::string& owner, const std::string& checkpoint,
                       const shared_state_file& f);

} // namespace sluice
