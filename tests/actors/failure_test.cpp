// A failing operator fails the job with its name and subtask; nothing hangs.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace sluice;
using sluice::test::test_config;

TEST_CASE("an exception in a map fails the job naming the operator and its subtask") {
  for (int p : {1, 2, 4}) {
    for (bool chaining : {true, false}) {
      CAPTURE(p);
      CAPTURE(chaining);
      auto cfg = test_config(p);
      cfg.chaining = chaining;
      environment env(cfg);
      collecting_sink<std::int64_t> sink;
      env.from_source(sequence_source{0, 100000})
          .map([](std::int64_t v) { return v * 2; }, "double")
          .map([](std::int64_t v) {
                 if (v == 2 * 777)
                   throw std::runtime_error("record 777 is cursed");
                 return v;
               }, "explode")
          .sink_to(sink);
      auto result = env.execute("failing job");
      REQUIRE_FALSE(result.ok());
      CHECK(result.exit_code() != 0);
      CHECK(result.error().find("operator 'explode'") != std::string::npos);
      CHECK(result.error().find("record 777 is cursed") != std::string::npos);
      // The failing subtask is the one that read record 777.
      auto share = static_cast<std::int64_t>(100001);
      int owner = 0;
      for (int s = 0; s < p; ++s)
        if (777 >= share * s / p)
          owner = s;
      CHECK(result.error().find("(subtask " + std::to_string(owner + 1) + "/" +
                                std::to_string(p) + ")") != std::string::npos);
    }
  }
}

TEST_CASE("an exception in a keyed reduce and in a sink's open fail the job too") {
  {
    environment env(test_config(2));
    collecting_sink<std::int64_t> sink;
    env.from_source(sequence_source{0, 5000})
        .key_by([](std::int64_t v) { return v % 3; })
        .reduce([](std::int64_t a, std::int64_t b) {
          if (b == 4000)
            throw std::invalid_argument("no 4000");
          return a + b;
        }, "fragile sum")
        .sink_to(sink);
    auto result = env.execute("failing reduce");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find("operator 'fragile sum'") != std::string::npos);
    CHECK(result.error().find("no 4000") != std::string::npos);
  }
  {
    environment env(test_config(2));
    env.from_source(sequence_source{0, 10})
        .sink_to(text_file_sink<std::int64_t>{"/proc/sluice-cannot-write-here"}, "files");
    auto result = env.execute("failing sink");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find("Sink: files") != std::string::npos);
    CHECK(result.error().find("/proc/sluice-cannot-write-here") != std::string::npos);
  }
}

TEST_CASE("a cancelled unbounded job ends with an error saying so") {
  environment env(test_config(2));
  env.from_source(sequence_source::unbounded(0)).sink_to(discarding_sink<std::int64_t>{});
  auto client = env.execute_async("endless");
  client->cancel();
  auto result = client->wait();
  CHECK_FALSE(result.ok());
  CHECK(result.error() == "job cancelled");
}

namespace {

/// A map function that asks for keyed state `name` in open().
struct stateful_map {
  std::string name;
  void open(runtime_context& ctx) { ctx.get_state(value_state_descriptor<std::int64_t>(name)); }
  std::int64_t operator()(std::int64_t v) { return v; }
};

/// Registers state `name` as a long, then again as a string.
struct two_faced_map {
  void open(runtime_context& ctx) {
    ctx.get_state(value_state_descriptor<std::int64_t>("total"));
    ctx.get_state(value_state_descriptor<std::string>("total"));
  }
  std::int64_t operator()(std::int64_t v) { return v; }
};

} // namespace

TEST_CASE("keyed state on a non-keyed stream fails the job at start naming operator and state") {
  for (int p : {1, 2}) {
    CAPTURE(p);
    environment env(test_config(p));
    env.from_source(sequence_source{0, 100})
        .map(stateful_map{"count"}, "unkeyed counter")
        .sink_to(discarding_sink<std::int64_t>{});
    auto result = env.execute("keyed state without key_by");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find("operator 'unkeyed counter'") != std::string::npos);
    CHECK(result.error().find("'count'") != std::string::npos);
    CHECK(result.error().find("keyed stream") != std::string::npos);
  }
}

TEST_CASE("a state name registered twice with different types fails the job naming it") {
  environment env(test_config(2));
  env.from_source(sequence_source{0, 100})
      .key_by([](std::int64_t v) { return v % 5; })
      .map(two_faced_map{}, "two-faced")
      .sink_to(discarding_sink<std::int64_t>{});
  auto result = env.execute("state registered twice");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().find("operator 'two-faced'") != std::string::npos);
  CHECK(result.error().find("'total'") != std::string::npos);
}
