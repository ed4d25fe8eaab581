// Fetching a rescale's hand-off copy from the task manager that keeps it
// (state_handoff_transfer.hpp), against an actor serving with the task manager's functions: the
// copy arrives byte for byte, a file larger than a chunk in several chunks and an empty one
// too; a copy that is not there, or of another job, fails the fetch with the server's reason.

#include "../../actors/src/state_handoff_transfer.hpp"
#include "../temp_dir.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/messages.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

namespace fs = std::filesystem;

const std::string job = "job";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes a copy of subtask 0 of vertex 1 at checkpoint 5 under `root`: a file of two chunks and
/// a bit (bytes from a simple generator), a small one and an empty one.
fs::path write_copy(const std::string& root) {
  const fs::path dir =
      local_snapshot_store::copy_dir(local_snapshot_store::subtask_dir(root, job, 1, 0), 5);
  fs::create_directories(dir / "0");
  std::string big(2 * handoff_chunk_bytes + 4321, '\0');
  std::uint32_t x = 12345;
  for (auto& c : big) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  std::ofstream(dir / "0" / "000012.sst", std::ios::binary) << big;
  std::ofstream(dir / "_metadata") << "{}";
  std::ofstream(dir / "0" / "empty");
  return dir;
}

caf::behavior server(caf::event_based_actor*, std::string root) {
  return {
      [=](const handoff_copy_msg& msg) {
        return serve_handoff_listing(root, job, "task manager T", msg);
      },
      [=](const handoff_read_msg& msg) {
        return serve_handoff_chunk(root, job, "task manager T", msg);
      },
  };
}

} // namespace

TEST_CASE("a hand-off copy is fetched whole, byte for byte, one chunk at a time") {
  temp_dir dir;
  const std::string root = dir / "served";
  const auto copy = write_copy(root);
  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  const auto host = sys.spawn(server, root);
  const fs::path target = dir / "fetched";
  const auto bytes = fetch_handoff_copy(sys, host, {job, 5, 1, 0}, target,
                                        std::chrono::seconds(30));
  CHECK(bytes == 2 * handoff_chunk_bytes + 4321 + 2);
  for (const auto* file : {"0/000012.sst", "_metadata", "0/empty"}) {
    CAPTURE(file);
    REQUIRE(fs::exists(target / file));
    CHECK(read_file(target / file) == read_file(copy / file));
  }
  anon_send_exit(host, caf::exit_reason::user_shutdown);
}

TEST_CASE("fetching a copy that is not there, or of another job, fails with the server's reason") {
  temp_dir dir;
  const std::string root = dir / "served";
  write_copy(root);
  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  const auto host = sys.spawn(server, root);
  const fs::path target = dir / "fetched";
  const auto timeout = std::chrono::seconds(30);
  CHECK_THROWS_WITH_AS(fetch_handoff_copy(sys, host, {job, 6, 1, 0}, target, timeout),
                       doctest::Contains("task manager T: no copy"), std::runtime_error);
  CHECK_THROWS_WITH_AS(fetch_handoff_copy(sys, host, {"other", 5, 1, 0}, target, timeout),
                       doctest::Contains("runs job 'job', not 'other'"), std::runtime_error);
  anon_send_exit(host, caf::exit_reason::user_shutdown);
}
