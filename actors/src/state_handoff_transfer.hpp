#pragma once
// A rescale's hand-off copies between task managers (state_handoff.hpp): the task manager that
// kept a copy serves its listing and its files in chunks; a successor on another task manager
// fetches it into its own state dir before it restores. One chunk at a time in flight: the
// memory a transfer holds is one chunk, whatever the state's size.

#include "sluice/actors/deployment_messages.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace sluice {

/// The largest chunk a task manager sends.
constexpr std::uint32_t handoff_chunk_bytes = 4u << 20;

/// The listing of `copy` among the hand-off copies under `root` of job `job_id` (the serving
/// task manager's, named `server` in errors); an error if it names another job or is not there.
caf::result<handoff_listing_msg> serve_handoff_listing(const std::string& root,
                                                       const std::string& job_id,
                                                       const std::string& server,
                                                       const handoff_copy_msg& copy);
/// The chunk `read` asks (at most handoff_chunk_bytes); an error naming the file if it cannot
/// be read.
caf::result<handoff_chunk_msg> serve_handoff_chunk(const std::string& root,
                                                   const std::string& job_id,
                                                   const std::string& server,
                                                   const handoff_read_msg& read);

/// Fetches `copy` from the task manager `host` into `target` (replaced if present), asking for
/// each chunk with `timeout`. Returns the bytes fetched; throws std::runtime_error with the
/// host's error, or naming the timeout.
std::uint64_t fetch_handoff_copy(caf::actor_system& system, const caf::actor& host,
                                 const handoff_copy_msg& copy, const std::string& target,
                                 std::chrono::milliseconds timeout);

} // namespace sluice
