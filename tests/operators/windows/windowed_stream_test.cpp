// The windowing API: keyed_stream::window(...) builds window operators into the job graph;
// the operators its factories make behave as configured.

#include "window_test_harness.hpp"

#include "sluice/operators/api/environment.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

class no_events final : public copyable_source<no_events, ev> {
public:
  source_status poll(collector<ev>&, std::size_t) override { return source_status::finished; }
};

/// Makes the operator of the stream's last node and drives it with a harness.
template <class Out> auto instantiate(const data_stream<Out>& stream) {
  const auto& node = stream.graph()->nodes().back();
  auto op = node.factory();
  auto* typed = dynamic_cast<one_input_operator<ev, Out>*>(op.release());
  REQUIRE(typed != nullptr);
  return harness<one_input_operator<ev, Out>, ev, Out>(
      std::unique_ptr<one_input_operator<ev, Out>>(typed));
}

struct count_values {
  std::int64_t create_accumulator() const { return 0; }
  std::int64_t add(const ev&, std::int64_t n) const { return n + 1; }
  std::int64_t merge(std::int64_t a, std::int64_t b) const { return a + b; }
  std::int64_t get_result(std::int64_t n) const { return n; }
};

} // namespace

TEST_CASE("windowed_stream: reduce with lateness and a late-data side output") {
  environment env;
  const output_tag<ev> late{"late"};
  auto sums = env.from_source(no_events{}, "events")
                  .key_by(key_of{})
                  .window(tumbling_windows(10))
                  .allowed_lateness(5)
                  .side_output_late_data(late)
                  .reduce(sum_of{});
  auto late_stream = sums.get_side_output(late);
  CHECK(sums.graph()->nodes().back().name == "window_reduce");
  auto h = instantiate(sums);
  h.element({"a", 1}, 1);
  h.watermark(9);
  h.element({"a", 2}, 3); // allowed: re-fires
  h.watermark(14);
  h.element({"a", 4}, 3); // past lateness: side output
  CHECK(h.take() == lines{"a:1@9", "wm@9", "a:3@9", "wm@14"});
  CHECK(h.late.log == lines{"a:4@3"});
}

TEST_CASE("windowed_stream: aggregate, process and evictor") {
  environment env;
  auto keyed = env.from_source(no_events{}, "events").key_by(key_of{});
  auto counts = keyed.window(sliding_windows(10, 5)).aggregate(count_values{});
  auto h = instantiate(counts);
  h.element({"a", 1}, 7);
  h.watermark(14);
  CHECK(h.take() == lines{"1@9", "1@14", "wm@14"});

  auto described = keyed.window(session_windows(5)).evictor(count_evictor(1)).process(describe{});
  auto d = instantiate(described);
  d.element({"a", 1}, 0);
  d.element({"a", 2}, 3);
  d.watermark(100);
  CHECK(d.take() == lines{"a [0, 8) wm=100: 2@7", "wm@100"});
}

TEST_CASE("windowed_stream: triggers, and incremental functions with a process function") {
  environment env;
  auto keyed = env.from_source(no_events{}, "events").key_by(key_of{});
  auto fired = keyed.window(global_windows{})
                   .trigger(purging_trigger<global_window>(count_trigger<global_window>(2)))
                   .reduce(sum_of{});
  auto h = instantiate(fired);
  for (std::int64_t v : {1, 2, 3}) {
    h.element({"a", v}, 0);
  }
  CHECK(h.take() == lines{"a:3@" + std::to_string(global_window::max_timestamp())});

  auto with_window = keyed.window(tumbling_windows(10)).reduce(sum_of{}, describe{});
  auto r = instantiate(with_window);
  r.element({"a", 1}, 1);
  r.element({"a", 2}, 2);
  r.watermark(9);
  CHECK(r.take() == lines{"a [0, 10) wm=9: 3@9", "wm@9"});

  CHECK_THROWS_AS(keyed.window(session_windows(5)).trigger(never_trigger<time_window>{}),
                  std::invalid_argument);
  CHECK_THROWS_AS(keyed.window(tumbling_windows(5)).allowed_lateness(-1), std::invalid_argument);
}
