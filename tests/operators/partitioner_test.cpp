#include "sluice/operators/plan/partitioning.hpp"
#include "sluice/state/serialization.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sluice;

namespace {

/// A gate that keeps each channel's bytes (no batch ever fills) and the watermarks.
class recording_gate final : public gate_target {
public:
  explicit recording_gate(int n) : buffers_(static_cast<std::size_t>(n)), gate_(buffers_.data(), 0, n, *this) {
    for (auto& b : buffers_) {
      b.writer.reset(b.bytes, 0);
      b.flush_bytes = 1 << 30;
    }
  }
  void flush(int) override {}
  void emit_watermark(int, int, std::int64_t wm) override { watermarks.push_back(wm); }
  void emit_watermark_status(int, int, bool) override {}
  channel_gate& gate() { return gate_; }

  template <class T>
  std::vector<T> records_of(int ch) {
    auto& b = buffers_.at(static_cast<std::size_t>(ch));
    b.writer.finish();
    std::vector<T> out;
    byte_reader r(b.bytes);
    while (!r.at_end())
      out.push_back(deserialize<T>(r));
    b.writer.reset(b.bytes, b.bytes.size());
    return out;
  }
  std::size_t count(int ch) const { return buffers_.at(static_cast<std::size_t>(ch)).records; }
  std::vector<std::int64_t> watermarks;

private:
  std::vector<channel_buffer> buffers_;
  channel_gate gate_;
};

} // namespace

TEST_CASE("round robin starts at the subtask's index and cycles over every channel") {
  round_robin_selector s(partition_context{2, 3, 128});
  std::vector<int> got;
  for (int i = 0; i < 7; ++i)
    got.push_back(s(i));
  CHECK(got == std::vector<int>{2, 0, 1, 2, 0, 1, 2});
}

TEST_CASE("rebalance writer spreads records evenly and keeps them intact") {
  recording_gate gate(4);
  auto writer = make_keyless_writer<std::int64_t>(gate.gate(), partition_kind::rebalance, {0, 4, 128});
  auto& c = static_cast<collector<std::int64_t>&>(*writer);
  for (std::int64_t i = 0; i < 100; ++i)
    c.collect(i);
  for (int ch = 0; ch < 4; ++ch) {
    CHECK(gate.count(ch) == 25);
    auto recs = gate.records_of<std::int64_t>(ch);
    for (std::size_t k = 0; k < recs.size(); ++k)
      CHECK(recs[k] == static_cast<std::int64_t>(k * 4 + static_cast<std::size_t>(ch)));
  }
}

TEST_CASE("hash writer: every key on the subtask owning its key group, deterministically") {
  const int channels = 3, max_par = 128;
  auto key = [](const std::pair<std::string, int>& p) { return p.first; };
  recording_gate gate(channels);
  auto factory = hash_writer_factory<std::pair<std::string, int>>(key);
  auto writer = factory(gate.gate(), partition_kind::hash, {0, channels, max_par});
  auto& c = static_cast<collector<std::pair<std::string, int>>&>(*writer);
  for (int i = 0; i < 3000; ++i)
    c.collect({"key" + std::to_string(i % 500), i});
  std::map<std::string, std::set<int>> channels_of_key;
  std::size_t total = 0;
  for (int ch = 0; ch < channels; ++ch) {
    auto range = key_group_range_for_subtask(max_par, channels, ch);
    for (const auto& rec : gate.records_of<std::pair<std::string, int>>(ch)) {
      channels_of_key[rec.first].insert(ch);
      CHECK(range.contains(key_group_of(rec.first, max_par)));
      ++total;
    }
    // 500 keys over 3 channels: each gets a fair share of the 3000 records.
    CHECK(gate.count(ch) > 600);
  }
  CHECK(total == 3000);
  CHECK(channels_of_key.size() == 500);
  for (const auto& [k, chs] : channels_of_key)
    CHECK(chs.size() == 1);
}

TEST_CASE("broadcast writer copies every record to every channel") {
  recording_gate gate(3);
  auto writer = make_keyless_writer<std::string>(gate.gate(), partition_kind::broadcast, {1, 3, 128});
  auto& c = static_cast<collector<std::string>&>(*writer);
  c.collect(std::string("a"));
  c.collect(std::string("bc"));
  c.emit_watermark(7);
  for (int ch = 0; ch < 3; ++ch)
    CHECK(gate.records_of<std::string>(ch) == std::vector<std::string>{"a", "bc"});
  CHECK(gate.watermarks == std::vector<std::int64_t>{7});
}

TEST_CASE("custom partitioner picks the channel, out-of-range choices are errors") {
  recording_gate gate(4);
  auto by_mod = [](std::int64_t key, int n) { return static_cast<int>(key % n); };
  auto identity = [](std::int64_t v) { return v; };
  auto writer = custom_writer_factory<std::int64_t>(by_mod, identity)(
      gate.gate(), partition_kind::custom, {0, 4, 128});
  auto& c = static_cast<collector<std::int64_t>&>(*writer);
  for (std::int64_t i = 0; i < 12; ++i)
    c.collect(i);
  CHECK(gate.records_of<std::int64_t>(3) == std::vector<std::int64_t>{3, 7, 11});

  auto bad = custom_writer_factory<std::int64_t>([](std::int64_t, int n) { return n; }, identity)(
      gate.gate(), partition_kind::custom, {0, 4, 128});
  CHECK_THROWS_AS(static_cast<collector<std::int64_t>&>(*bad).collect(std::int64_t{1}),
                  std::out_of_range);
}
