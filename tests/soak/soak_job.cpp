// The soak test's job: an unbounded stream of (key, event time = wall clock ms) over --keys keys,
// keyed tumbling windows of one second keeping the latest time per key, into a discarding sink.
// With --records N the source stops after N records and the program prints "records/s R" (how
// the soak script finds the job's maximum rate); without it, the job runs until stopped.

#include <sluice/sluice.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

namespace {

using event = std::pair<std::int64_t, std::int64_t>; // key, time in ms

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"keys", "distinct keys", std::string("10000"), false},
                           {"records", "stop after N records and print the rate", {}, false}}};
  const auto keys = std::stoll(env.flag_or("keys", "10000"));
  std::optional<std::uint64_t> records;
  if (auto r = env.flag("records"))
    records = std::stoull(*r);
  auto strategy =
      sluice::watermark_strategy<event>::for_bounded_out_of_orderness(std::chrono::milliseconds(100))
          .with_timestamp_assigner([](const event& e, std::int64_t) { return e.second; });
  env.from_source(sluice::make_generator_source(
                      [keys](std::uint64_t i) {
                        return event{static_cast<std::int64_t>(i) % keys, now_ms()};
                      },
                      records),
                  "events", strategy)
      .key_by([](const event& e) { return e.first; })
      .window(sluice::tumbling_windows(1000))
      .reduce([](const event& a, const event& b) {
        return event{a.first, std::max(a.second, b.second)};
      })
      .sink_to(sluice::discarding_sink<event>{}, "discard");
  const auto result = env.execute("soak");
  if (result.ok() && records)
    std::printf("records/s %.0f\n",
                static_cast<double>(*records) /
                    std::chrono::duration<double>(result.duration).count());
  return result.exit_code();
}
