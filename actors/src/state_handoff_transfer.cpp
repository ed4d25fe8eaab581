#include "state_handoff_transfer.hpp"

#include "caf_error_text.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/state_handoff.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// The directory of `copy` under `root`; throws unless it is of job `job_id`.
std::string copy_dir_of(const std::string& root, const std::string& job_id,
                        const handoff_copy_msg& copy) {
  if (copy.job_id != job_id)
    throw std::runtime_error("this task manager runs job '" + job_id + "', not '" +
                             copy.job_id + "'");
  return local_snapshot_store::copy_dir(
      local_snapshot_store::subtask_dir(root, job_id, copy.vertex, copy.subtask),
      copy.checkpoint_id);
}

/// What `serve` returns, or the error it throws, naming `server`.
template <class Serve>
auto answer(const std::string& server, Serve&& serve) -> caf::result<decltype(serve())> {
  try {
    return serve();
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error, server + ": " + std::string(e.what()));
  }
}

/// Asks `host` for `msg` and returns the reply of type T; throws with the host's error.
template <class T, class Message>
T ask(caf::scoped_actor& self, const caf::actor& host, std::chrono::milliseconds timeout,
      const Message& msg) {
  T out;
  std::string failure;
  self->request(host, timeout, msg)
      .receive([&](T& reply) { out = std::move(reply); },
               [&](caf::error& e) { failure = error_text(e); });
  if (!failure.empty())
    throw std::runtime_error(failure);
  return out;
}

} // namespace

caf::result<handoff_listing_msg> serve_handoff_listing(const std::string& root,
                                                       const std::string& job_id,
                                                       const std::string& server,
                                                       const handoff_copy_msg& copy) {
  return answer(server, [&] {
    auto listing = list_copy(copy_dir_of(root, job_id, copy));
    return handoff_listing_msg{std::move(listing.files), std::move(listing.sizes)};
  });
}

caf::result<handoff_chunk_msg> serve_handoff_chunk(const std::string& root,
                                                   const std::string& job_id,
                                                   const std::string& server,
                                                   const handoff_read_msg& read) {
  return answer(server, [&] {
    return handoff_chunk_msg{read_copy_chunk(copy_dir_of(root, job_id, read.copy), read.file,
                                             read.offset,
                                             std::min(read.length, handoff_chunk_bytes))};
  });
}

std::uint64_t fetch_handoff_copy(caf::actor_system& system, const caf::actor& host,
                                 const handoff_copy_msg& copy, const std::string& target,
                                 std::chrono::milliseconds timeout) {
  caf::scoped_actor self{system};
  const auto listing = ask<handoff_listing_msg>(self, host, timeout, copy);
  fs::remove_all(target);
  std::uint64_t fetched = 0;
  for (std::size_t i = 0; i < listing.files.size(); ++i) {
    const auto path = fs::path(target) / listing.files[i];
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const auto size = i < listing.sizes.size() ? listing.sizes[i] : 0;
    for (std::uint64_t offset = 0; offset < size;) {
      const handoff_read_msg read{copy, listing.files[i], offset, handoff_chunk_bytes};
      const auto chunk = ask<handoff_chunk_msg>(self, host, timeout, read);
      if (chunk.bytes.empty())
        throw std::runtime_error("'" + listing.files[i] + "' ended at byte " +
                                 std::to_string(offset) + " of " + std::to_string(size));
      out.write(chunk.bytes.data(), static_cast<std::streamsize>(chunk.bytes.size()));
      offset += chunk.bytes.size();
      fetched += chunk.bytes.size();
    }
    if (!out.flush())
      throw std::runtime_error("cannot write '" + path.string() + "'");
  }
  return fetched;
}

} // namespace sluice
