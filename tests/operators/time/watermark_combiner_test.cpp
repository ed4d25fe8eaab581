#include "sluice/operators/time/watermark_combiner.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>

using namespace sluice;

namespace {
using opt = std::optional<std::int64_t>;
} // namespace

TEST_CASE("combiner: two inputs, minimum over the inputs that are not idle") {
  watermark_combiner w(2);
  CHECK(w.on_watermark(0, 100) == opt{});
  CHECK(w.on_watermark(1, 50) == opt{50});
  CHECK(w.on_status(1, true) == opt{100});
  CHECK_FALSE(w.idle());
  CHECK(w.on_status(0, true) == opt{});
  CHECK(w.idle());
  CHECK(w.on_status(1, false) == opt{}); // 50 < 100: no regression
  CHECK(w.current() == 100);
  CHECK(w.on_watermark(0, 200) == opt{}); // min(200, 50)
  CHECK(w.on_watermark(1, 150) == opt{150});

  watermark_combiner v(2);
  v.on_watermark(0, 10);
  CHECK(v.on_watermark(1, 10) == opt{10});
  v.on_status(0, true);
  CHECK(v.on_watermark(1, 40) == opt{40});
  v.on_status(1, true);
  CHECK(v.idle());
  CHECK(v.on_watermark(0, 60) == opt{60}); // input 0 rejoins ahead: advances
  CHECK_FALSE(v.idle());
}
