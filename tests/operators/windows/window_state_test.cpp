// Window state lives in the keyed state backend: contents, trigger state, merging window sets
// and timers survive a snapshot and a restore into a new operator, at the same parallelism and
// split over two subtasks, and nothing is left once windows are cleaned up. On every backend,
// with the same expected results.

#include "window_test_harness.hpp"

#include "sluice/operators/windows/evictors.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

/// A snapshot of `from` written into `dir`, restored into a new backend of `kind` owning `range`.
std::unique_ptr<keyed_state_backend> restored(keyed_state_backend& from, const std::string& dir,
                                              state_backend_kind kind,
                                              key_group_range range = {0, 127}) {
  const keyed_state_handle handle = from.snapshot(1, dir);
  auto to = test::make_test_keyed_state_backend(kind, range);
  to->restore({handle});
  return to;
}

/// The first of "k0", "k1", ... whose key group lies in `range`.
std::string key_in(key_group_range range) {
  for (int i = 0;; ++i) {
    const std::string key = "k" + std::to_string(i);
    if (range.contains(key_group_for_hash(key_hash(key), test::test_max_parallelism)))
      return key;
  }
}

} // namespace

TEST_CASE("window state: reduce contents and timers of tumbling windows survive a restore") {
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir;
    auto before = make_harness(tumbling_windows(10), sum_contents(), {},
                               test::make_test_keyed_state_backend(kind));
    before.element({"a", 1}, 1);
    before.element({"a", 2}, 8);
    before.element({"b", 5}, 12);
    auto after = make_harness(tumbling_windows(10), sum_contents(), {},
                              restored(*before.backend, dir.path(), kind));
    after.element({"a", 4}, 9);
    after.watermark(9); // the restored timer of a's [0, 10) fires
    CHECK(after.take() == lines{"a:7@9", "wm@9"});
    after.watermark(19); // b's [10, 20) fires on its restored timer alone
    CHECK(after.take() == lines{"b:5@19", "wm@19"});
    CHECK(after.backend->entry_count("window-contents") == 0);
  }
}

TEST_CASE("window state: sessions keep their merging window set across a restore") {
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir;
    auto before = make_harness(session_windows(10), list_contents<ev, describe>(describe{}), {},
                               test::make_test_keyed_state_backend(kind));
    before.element({"a", 1}, 0);  // [0, 10)
    before.element({"a", 2}, 20); // [20, 30)
    auto after = make_harness(session_windows(10), list_contents<ev, describe>(describe{}), {},
                              restored(*before.backend, dir.path(), kind));
    after.element({"a", 3}, 10); // [10, 20) bridges both: [0, 30)
    after.watermark(29);
    CHECK(after.take() == lines{"a [0, 30) wm=29: 1,2,3@29", "wm@29"});
    CHECK(after.backend->entry_count("window-contents") == 0);
    CHECK(after.backend->entry_count("window-merging-sets") == 0);
  }
}

TEST_CASE("window state: a count trigger's count survives a restore") {
  const std::string global_end = std::to_string(global_window::max_timestamp());
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir;
    window_settings<global_window> settings;
    settings.window_trigger = std::make_shared<count_trigger<global_window>>(3);
    auto before = make_harness(global_windows{}, sum_contents(), settings,
                               test::make_test_keyed_state_backend(kind));
    before.element({"a", 1}, 0);
    before.element({"a", 2}, 0);
    auto after = make_harness(global_windows{}, sum_contents(), settings,
                              restored(*before.backend, dir.path(), kind));
    after.element({"a", 4}, 0); // the third element since the start
    CHECK(after.take() == lines{"a:7@" + global_end});
  }
}

TEST_CASE("window state: restored into two subtasks, each continues its own keys' windows") {
  const key_group_range low{0, 63};
  const key_group_range high{64, 127};
  const std::string k_low = key_in(low);
  const std::string k_high = key_in(high);
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir_low;
    test::temp_dir dir_high;
    auto before = make_harness(tumbling_windows(10), sum_contents(), {},
                               test::make_test_keyed_state_backend(kind));
    before.element({k_low, 1}, 1);
    before.element({k_high, 2}, 2);
    auto first = make_harness(tumbling_windows(10), sum_contents(), {},
                              restored(*before.backend, dir_low.path(), kind, low));
    auto second = make_harness(tumbling_windows(10), sum_contents(), {},
                               restored(*before.backend, dir_high.path(), kind, high));
    first.element({k_low, 10}, 3);
    second.element({k_high, 20}, 4);
    first.watermark(9);
    second.watermark(9);
    CHECK(first.take() == lines{k_low + ":11@9", "wm@9"});
    CHECK(second.take() == lines{k_high + ":22@9", "wm@9"});
  }
}

TEST_CASE("window state: an evictor's remaining elements survive a restore") {
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir;
    window_settings<global_window> settings;
    settings.window_trigger = std::make_shared<count_trigger<global_window>>(2);
    auto contents = [] {
      return evicting_contents<ev, count_evictor,
                               windows_detail::process_all<describe_in<global_window>>>(
          count_evictor(2), {describe_in<global_window>{}});
    };
    const std::string fired = "a global_window wm=" + std::to_string(no_timestamp) + ": ";
    const std::string at_end = "@" + std::to_string(global_window::max_timestamp());
    auto before = make_harness(global_windows{}, contents(), settings,
                               test::make_test_keyed_state_backend(kind));
    before.element({"a", 1}, 0);
    before.element({"a", 2}, 0); // fires 1,2; both stay
    before.element({"a", 3}, 0);
    CHECK(before.take() == lines{fired + "1,2" + at_end});
    auto after = make_harness(global_windows{}, contents(), settings,
                              restored(*before.backend, dir.path(), kind));
    after.element({"a", 4}, 0); // fires 1,2,3,4, of which the evictor keeps 3,4
    CHECK(after.take() == lines{fired + "3,4" + at_end});
  }
}
