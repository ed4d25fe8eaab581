// The checkpoint hooks: source and sink operators hand snapshot_state and the completion and
// abort notices to the source or sink they host, and a source that cannot replay its input
// warns when checkpointing is on.

#include "log_capture.hpp"
#include "sluice/operators/api/sources_and_sinks.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::log_capture;

namespace {

/// The hook calls a source or sink received, as "snapshot 3", "complete 3", "abort 4".
using hook_log = std::vector<std::string>;

template <class Base>
struct hook_recorder : Base {
  explicit hook_recorder(std::shared_ptr<hook_log> log) : calls(std::move(log)) {}
  void snapshot_state(std::int64_t id) override { add("snapshot", id); }
  void notify_checkpoint_complete(std::int64_t id) override { add("complete", id); }
  void notify_checkpoint_aborted(std::int64_t id) override { add("abort", id); }
  void add(const char* what, std::int64_t id) {
    calls->push_back(what + (" " + std::to_string(id)));
  }
  std::shared_ptr<hook_log> calls;
};

struct recording_source final : hook_recorder<source<int>> {
  recording_source(std::shared_ptr<hook_log> log, bool can_replay)
      : hook_recorder(std::move(log)), can_replay_(can_replay) {}
  source_status poll(collector<int>&, std::size_t) override { return source_status::finished; }
  std::unique_ptr<source<int>> clone() const override {
    return std::make_unique<recording_source>(*this);
  }
  bool replayable() const override { return can_replay_; }
  bool can_replay_;
};

struct recording_sink final : hook_recorder<sink<int>> {
  using hook_recorder::hook_recorder;
  void write(int&&) override {}
  std::unique_ptr<sink<int>> clone() const override {
    return std::make_unique<recording_sink>(*this);
  }
};

void drive_hooks(stream_operator& op) {
  op.snapshot_state(3);
  op.notify_checkpoint_complete(3);
  op.snapshot_state(4);
  op.notify_checkpoint_aborted(4);
}

const hook_log driven = {"snapshot 3", "complete 3", "snapshot 4", "abort 4"};

} // namespace

TEST_CASE("source and sink operators hand the checkpoint hooks to what they host") {
  auto source_calls = std::make_shared<hook_log>();
  source_operator<int> src(std::make_unique<recording_source>(source_calls, true));
  drive_hooks(src);
  CHECK(*source_calls == driven);
  CHECK(src.replayable());

  auto sink_calls = std::make_shared<hook_log>();
  sink_operator<int> snk(std::make_unique<recording_sink>(sink_calls));
  drive_hooks(snk);
  CHECK(*sink_calls == driven);
}

TEST_CASE("built-in sources say whether they can replay their input") {
  CHECK(sequence_source(0, 9).replayable());
  CHECK(sequence_source::unbounded().replayable());
  CHECK(make_generator_source([](std::uint64_t i) { return i; }, 5).replayable());
  CHECK(collection_source<int>({1, 2}).replayable());
  CHECK_FALSE(socket_text_source("127.0.0.1", 9).replayable());
  CHECK_FALSE(recording_source(std::make_shared<hook_log>(), false).replayable());
}

TEST_CASE("a source that cannot replay its input warns when checkpointing is on") {
  runtime_context ctx{"job", "Source: lines", 0, 1};
  source_operator<std::string> socket(std::make_unique<socket_text_source>("127.0.0.1", 9));
  source_operator<std::int64_t> numbers(std::make_unique<sequence_source>(0, 9));
  {
    log_capture captured;
    CHECK_FALSE(warn_if_not_replayable(socket, ctx)); // checkpointing off
    ctx.checkpointing = true;
    CHECK_FALSE(warn_if_not_replayable(numbers, ctx));
    CHECK(captured.text().empty());
    CHECK(warn_if_not_replayable(socket, ctx));
    CHECK(captured.text() ==
          "warning source 'Source: lines (1/1)' cannot replay its input: checkpoints do not cover "
          "it, so the records it emitted since the last completed checkpoint are lost if the job "
          "recovers from a failure\n");
  }
  log_capture captured; // source_operator::open warns by itself
  source_operator<int> unreplayable(
      std::make_unique<recording_source>(std::make_shared<hook_log>(), false));
  unreplayable.open(ctx);
  CHECK(captured.text().find("source 'Source: lines (1/1)' cannot replay") != std::string::npos);
}
