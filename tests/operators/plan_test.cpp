#include "sluice/operators/api/environment.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace sluice;

namespace {

/// A source of nothing, for building graphs; `limit` 1 makes it non-parallel.
class empty_source final : public copyable_source<empty_source, std::int64_t> {
public:
  explicit empty_source(int limit = 0) : limit_(limit) {}
  source_status poll(collector<std::int64_t>&, std::size_t) override {
    return source_status::finished;
  }
  int max_source_parallelism() const override { return limit_; }

private:
  int limit_;
};

class null_sink final : public copyable_sink<null_sink, std::int64_t> {
public:
  void write(std::int64_t&&) override {}
};

job_config config_with(int parallelism) {
  job_config c;
  c.parallelism = parallelism;
  return c;
}

std::vector<std::string> vertex_names(const execution_plan& plan) {
  std::vector<std::string> out;
  for (const auto& v : plan.vertices())
    out.push_back(v.name);
  return out;
}

void build_pipeline(environment& env) {
  env.from_source(empty_source{}, "numbers")
      .map([](std::int64_t v) { return v * 2; })
      .filter([](std::int64_t v) { return v > 0; })
      .key_by([](std::int64_t v) { return v % 10; })
      .reduce([](std::int64_t a, std::int64_t b) { return a + b; })
      .sink_to(null_sink{}, "out");
}

} // namespace

TEST_CASE("forward edges of equal parallelism chain, a key_by starts a new chain") {
  environment env(config_with(2));
  build_pipeline(env);
  auto plan = env.plan();
  CHECK(vertex_names(*plan) ==
        std::vector<std::string>{"Source: numbers -> map -> filter", "reduce -> Sink: out"});
  REQUIRE(plan->edges().size() == 1);
  CHECK(plan->edges()[0].kind == partition_kind::hash);
  CHECK(plan->required_slots() == 2);
}

TEST_CASE("chaining disabled globally gives one vertex per operator") {
  auto c = config_with(2);
  c.chaining = false;
  environment env(c);
  build_pipeline(env);
  auto plan = env.plan();
  CHECK(plan->vertices().size() == 5);
  CHECK(plan->edges()[0].kind == partition_kind::forward);
  CHECK(plan->chained_edges().empty());
}

TEST_CASE("disable_chaining and start_new_chain split chains where asked") {
  environment env(config_with(1));
  auto mapped = env.from_source(empty_source{}, "s").map([](std::int64_t v) { return v; });
  mapped.disable_chaining();
  auto filtered = mapped.filter([](std::int64_t) { return true; });
  auto second = filtered.map([](std::int64_t v) { return v + 1; }, "second");
  second.start_new_chain();
  second.map([](std::int64_t v) { return v; }, "third").sink_to(null_sink{}, "k");
  CHECK(vertex_names(*env.plan()) == std::vector<std::string>{"Source: s", "map", "filter",
                                                              "second -> third -> Sink: k"});
}

TEST_CASE("different parallelism: rebalance by default, forward is an error") {
  environment env(config_with(2));
  auto src = env.from_source(empty_source{}, "s");
  auto wide = src.map([](std::int64_t v) { return v; }, "wide");
  wide.set_parallelism(3);
  wide.sink_to(null_sink{}, "k");
  auto plan = env.plan();
  // source (2) -> wide (3) -> sink (2): neither edge can be forward.
  REQUIRE(plan->edges().size() == 2);
  CHECK(plan->edges()[0].kind == partition_kind::rebalance);
  CHECK(plan->edges()[1].kind == partition_kind::rebalance);
  CHECK(plan->required_slots() == 3);

  environment bad(config_with(2));
  auto m = bad.from_source(empty_source{}, "s").forward().map([](std::int64_t v) { return v; }, "m");
  m.set_parallelism(3);
  try {
    bad.plan();
    FAIL("expected an error");
  } catch (const config_error& e) {
    std::string msg = e.what();
    CHECK(msg.find("'Source: s'") != std::string::npos);
    CHECK(msg.find("'m'") != std::string::npos);
  }
}

TEST_CASE("non-parallel sources run once, asking for more is an error naming them") {
  environment env(config_with(4));
  env.from_source(empty_source{1}, "single").sink_to(null_sink{}, "k");
  auto plan = env.plan();
  CHECK(plan->vertices()[0].parallelism == 1);
  CHECK(plan->vertices()[1].parallelism == 4);
  CHECK(plan->edges()[0].kind == partition_kind::rebalance);

  environment bad(config_with(1));
  bad.from_source(empty_source{1}, "single").set_parallelism(2);
  CHECK_THROWS_WITH_AS(bad.plan(), doctest::Contains("Source: single"), config_error);
}

TEST_CASE("a union feeds one operator from several inputs, which is not chained") {
  environment env(config_with(1));
  auto a = env.from_source(empty_source{}, "a");
  auto b = env.from_source(empty_source{}, "b");
  a.union_with(b).map([](std::int64_t v) { return v; }, "m").sink_to(null_sink{}, "k");
  auto plan = env.plan();
  CHECK(vertex_names(*plan) ==
        std::vector<std::string>{"Source: a", "Source: b", "m -> Sink: k"});
  CHECK(plan->inputs_of(2).size() == 2);
}

TEST_CASE("pointwise edges connect ranges, all-to-all edges connect everything") {
  plan_edge e;
  e.kind = partition_kind::rescale;
  e.source_parallelism = 2;
  e.target_parallelism = 4;
  CHECK(e.targets_of(0) == std::vector<int>{0, 1});
  CHECK(e.targets_of(1) == std::vector<int>{2, 3});
  CHECK(e.sources_of(3) == std::vector<int>{1});
  e.source_parallelism = 4;
  e.target_parallelism = 2;
  CHECK(e.targets_of(1) == std::vector<int>{0});
  CHECK(e.targets_of(2) == std::vector<int>{1});
  CHECK(e.sources_of(1) == std::vector<int>{2, 3});
  e.source_parallelism = 3;
  e.target_parallelism = 3;
  CHECK(e.targets_of(2) == std::vector<int>{2});
  e.kind = partition_kind::hash;
  CHECK(e.targets_of(2) == std::vector<int>{0, 1, 2});
  CHECK(e.sources_of(0) == std::vector<int>{0, 1, 2});
}

TEST_CASE("operator settings reject nonsense") {
  environment env(config_with(1));
  auto s = env.from_source(empty_source{}, "s");
  CHECK_THROWS_AS(s.set_parallelism(0), std::invalid_argument);
  auto u = s.union_with(env.from_source(empty_source{}, "t"));
  CHECK_THROWS_AS(u.name("x"), std::logic_error);
}
