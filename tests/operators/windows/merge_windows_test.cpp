#include "sluice/operators/windows/merge_windows.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

using namespace sluice;

namespace {

using windows = std::vector<time_window>;
using mapping = std::map<time_window, time_window>;

} // namespace

TEST_CASE("merge_windows: touching windows merge, separated ones do not") {
  // [0,5) and [5,10): 0 <= 10 && 5 >= 5, so they intersect in Flink's sense
  auto groups = merge_windows({{0, 5}, {5, 10}});
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].result == time_window{0, 10});
  CHECK(groups[0].merged == windows{{0, 5}, {5, 10}});
  // [0,5) and [6,10): 5 >= 6 fails
  CHECK(merge_windows({{0, 5}, {6, 10}}).empty());
  CHECK(merge_windows({}).empty());
  CHECK(merge_windows({{3, 4}}).empty());
}

TEST_CASE("merge_windows: chains, containment, several groups, unsorted duplicates") {
  // [0,4)+[3,7) -> [0,7); +[6,10) -> [0,10); [20,25) alone is no merge
  auto chain = merge_windows({{6, 10}, {20, 25}, {0, 4}, {3, 7}});
  REQUIRE(chain.size() == 1);
  CHECK(chain[0].result == time_window{0, 10});
  CHECK(chain[0].merged == windows{{0, 4}, {3, 7}, {6, 10}});

  // [50,60) does not touch [10,20) but lies inside the running cover [0,100)
  auto inside = merge_windows({{0, 100}, {10, 20}, {50, 60}});
  REQUIRE(inside.size() == 1);
  CHECK(inside[0].result == time_window{0, 100});

  // [0,5)+[4,8) -> [0,8); [20,25)+[24,30) -> [20,30); [40,41) alone
  auto two = merge_windows({{40, 41}, {24, 30}, {0, 5}, {20, 25}, {4, 8}});
  REQUIRE(two.size() == 2);
  CHECK(two[0].result == time_window{0, 8});
  CHECK(two[1].result == time_window{20, 30});
  CHECK(two[1].merged == windows{{20, 25}, {24, 30}});

  // a duplicate counts once: [0,5) twice and [5,10) -> one group of two windows
  auto dup = merge_windows({{5, 10}, {0, 5}, {0, 5}});
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].merged == windows{{0, 5}, {5, 10}});
  CHECK(merge_windows({{0, 5}, {0, 5}}).empty());
}

TEST_CASE("merging_window_set: a bridging element merges three windows into one") {
  merging_window_set set; // session gap 10
  auto first = set.add_window({0, 10});   // element at 0
  CHECK(first.window == time_window{0, 10});
  CHECK(first.merges.empty());
  auto second = set.add_window({15, 25}); // element at 15: 10 < 15, separate session
  CHECK(second.window == time_window{15, 25});
  CHECK(second.merges.empty());
  CHECK(set.mapping() == mapping{{{0, 10}, {0, 10}}, {{15, 25}, {15, 25}}});

  // element at 8: [8,18) intersects [0,10) (8 <= 10) and [15,25) (18 >= 15) -> [0,25)
  auto bridge = set.add_window({8, 18});
  CHECK(bridge.window == time_window{0, 25});
  REQUIRE(bridge.merges.size() == 1);
  const window_merge& m = bridge.merges[0];
  CHECK(m.result == time_window{0, 25});
  CHECK(m.merged == windows{{0, 10}, {15, 25}}); // not the new window: it has no state
  CHECK(m.state_window == time_window{0, 10});   // the earliest window keeps its state
  CHECK(m.merged_state_windows == windows{{15, 25}});
  CHECK(set.mapping() == mapping{{{0, 25}, {0, 10}}});

  // chain: element at 24 extends [0,25) to [0,34); nothing to move, the state stays put
  auto grow = set.add_window({24, 34});
  CHECK(grow.window == time_window{0, 34});
  REQUIRE(grow.merges.size() == 1);
  CHECK(grow.merges[0].merged == windows{{0, 25}});
  CHECK(grow.merges[0].state_window == time_window{0, 10});
  CHECK(grow.merges[0].merged_state_windows.empty());
  CHECK(set.state_window({0, 34}) == time_window{0, 10});

  // element at 3: [3,13) lies inside [0,34): no merge, the element goes to [0,34)
  auto inside = set.add_window({3, 13});
  CHECK(inside.window == time_window{0, 34});
  CHECK(inside.merges.empty());
  // re-adding an in-flight window changes nothing and keeps its state window
  auto again = set.add_window({0, 34});
  CHECK(again.window == time_window{0, 34});
  CHECK(again.merges.empty());
  CHECK(set.mapping() == mapping{{{0, 34}, {0, 10}}});
}

TEST_CASE("merging_window_set: dynamic gap bridging three existing sessions") {
  merging_window_set set{mapping{{{0, 10}, {0, 10}}, {{20, 30}, {20, 30}}, {{40, 50}, {40, 50}}}};
  // element at 5 with gap 40: [5,45) reaches [0,10), [20,30) and [40,50) -> [0,50)
  auto r = set.add_window({5, 45});
  CHECK(r.window == time_window{0, 50});
  REQUIRE(r.merges.size() == 1);
  CHECK(r.merges[0].merged == windows{{0, 10}, {20, 30}, {40, 50}});
  CHECK(r.merges[0].state_window == time_window{0, 10});
  CHECK(r.merges[0].merged_state_windows == windows{{20, 30}, {40, 50}});
  CHECK(set.mapping() == mapping{{{0, 50}, {0, 10}}});
}

TEST_CASE("merging_window_set: touching sessions merge, restore, retire") {
  merging_window_set set; // session gap 5
  set.add_window({0, 5});
  // element at 5 belongs to [5,10), yet touches [0,5) (Flink merges them) -> [0,10)
  auto r = set.add_window({5, 10});
  CHECK(r.window == time_window{0, 10});
  REQUIRE(r.merges.size() == 1);
  CHECK(r.merges[0].merged == windows{{0, 5}});
  CHECK(r.merges[0].state_window == time_window{0, 5});

  set.retire_window({0, 10});
  CHECK(set.mapping().empty());
  CHECK(set.state_window({0, 10}) == std::nullopt);
  CHECK_THROWS_AS(set.retire_window({0, 10}), std::logic_error);

  // restored in-flight [0,10) whose state lives in [2,5); [8,12) extends it to [0,12)
  merging_window_set restored{mapping{{{0, 10}, {2, 5}}}};
  auto grown = restored.add_window({8, 12});
  CHECK(grown.window == time_window{0, 12});
  CHECK(grown.merges[0].state_window == time_window{2, 5});
  CHECK(restored.state_window({0, 12}) == time_window{2, 5});
}
