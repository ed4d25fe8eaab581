// assign_timestamps_and_watermarks tracks watermarks per source split.

#include "sluice/operators/time/timestamps_and_watermarks_operator.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace sluice;

namespace {

/// Records the watermarks and statuses the operator emits.
struct recording final : collector<std::int64_t> {
  void collect(std::int64_t&&) override {}
  void emit_watermark(std::int64_t wm) override { watermarks.push_back(wm); }
  void emit_watermark_status(bool idle) override { statuses.push_back(idle); }
  using collector<std::int64_t>::collect;
  std::vector<std::int64_t> watermarks;
  std::vector<bool> statuses;
};

struct harness {
  harness() {
    op.open(ctx());
    op.set_output(out);
  }
  runtime_context ctx() {
    runtime_context c;
    c.element_time = &time;
    c.split = &split;
    c.watermark_interval_ms = 0;
    return c;
  }
  /// A record with timestamp ts from split s.
  void record(std::int64_t s, std::int64_t ts) {
    split.current = s;
    op.collect(std::int64_t{ts});
  }
  timestamp_slot time;
  split_slot split;
  timestamps_and_watermarks_operator<std::int64_t> op{
      watermark_strategy<std::int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
          [](const std::int64_t& v, std::int64_t) { return v; })};
  recording out;
};

} // namespace

TEST_CASE("the watermark is the minimum over the splits being read") {
  harness h;
  h.record(0, 100); // split 0 at 100: watermark 99
  CHECK(h.out.watermarks == std::vector<std::int64_t>{99});
  h.record(1, 10); // split 1 at 10 holds the minimum back: nothing new
  h.record(0, 200);
  CHECK(h.out.watermarks == std::vector<std::int64_t>{99});
  h.record(1, 150); // min(199, 149) = 149
  CHECK(h.out.watermarks == std::vector<std::int64_t>{99, 149});
}

TEST_CASE("a split read to the end stops holding the watermark back") {
  harness h;
  h.record(0, 500);
  h.record(1, 20); // split 1 at 19 holds the minimum below the 499 already emitted
  CHECK(h.out.watermarks == std::vector<std::int64_t>{499});
  h.record(0, 600);
  CHECK(h.out.watermarks == std::vector<std::int64_t>{499});
  h.split.finished.push_back(1); // split 1 done: only split 0 counts
  h.record(0, 700);
  CHECK(h.out.watermarks == std::vector<std::int64_t>{499, 699});
}

TEST_CASE("records without a split share one generator") {
  harness h;
  h.record(split_slot::none, 10);
  h.record(split_slot::none, 5); // out of order: the watermark stays
  h.record(split_slot::none, 30);
  CHECK(h.out.watermarks == std::vector<std::int64_t>{9, 29});
  h.op.process_watermark(max_watermark);
  CHECK(h.out.watermarks.back() == max_watermark);
}

TEST_CASE("a punctuated strategy emits the watermarks its function finds in the data") {
  // Negative values are markers: -w means "watermark w follows".
  timestamp_slot time;
  recording out;
  timestamps_and_watermarks_operator<std::int64_t> op{
      watermark_strategy<std::int64_t>::for_punctuated(
          [](const std::int64_t& v, std::int64_t) -> std::optional<std::int64_t> {
            if (v < 0)
              return -v;
            return std::nullopt;
          })
          .with_timestamp_assigner(
              [](const std::int64_t& v, std::int64_t) { return v < 0 ? -v : v; })};
  runtime_context ctx;
  ctx.element_time = &time;
  op.open(ctx);
  op.set_output(out);
  for (std::int64_t v : {5, 7, -10, 12, -9, -20})
    op.collect(std::int64_t{v});
  op.on_periodic_watermark(); // a punctuated strategy emits nothing periodically
  CHECK(out.watermarks == std::vector<std::int64_t>{10, 20}); // 9 would go back: dropped
}

TEST_CASE("an assigned split holds the watermark back before its first record") {
  harness h;
  h.split.assigned = {0, 1}; // both partitions assigned; only split 0 has records yet
  h.record(0, 100);
  h.record(0, 200);
  CHECK(h.out.watermarks.empty()); // split 1 is still at the minimum
  h.record(1, 150); // min(199, 149) = 149
  CHECK(h.out.watermarks == std::vector<std::int64_t>{149});
  h.split.finished.push_back(1);
  h.record(0, 300); // split 1 done: only split 0 counts
  CHECK(h.out.watermarks == std::vector<std::int64_t>{149, 299});
}

TEST_CASE("without assignment a split counts from its first record") {
  harness h;
  h.record(0, 100);
  CHECK(h.out.watermarks == std::vector<std::int64_t>{99});
}
