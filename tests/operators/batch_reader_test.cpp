// The batch reader deserializes the batches of one input into a run of records it keeps from
// batch to batch: every record must come out exactly as written whatever the slot held before
// (longer strings, moved-from values, present optionals), and what the run keeps is bounded.

#include "sluice/operators/plan/stream_type.hpp"
#include "sluice/state/serializer_std.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace sluice;

namespace {

using record = std::tuple<std::int64_t, std::string, std::vector<std::int32_t>,
                          std::optional<std::string>>;

record random_record(std::mt19937_64& rng) {
  auto n = [&](std::size_t bound) { return static_cast<std::size_t>(rng() % bound); };
  std::vector<std::int32_t> numbers(n(6));
  for (auto& x : numbers)
    x = static_cast<std::int32_t>(rng());
  std::optional<std::string> note;
  if (n(2) == 0)
    note = std::string(n(40), 'n');
  return {static_cast<std::int64_t>(rng()), std::string(n(3) == 0 ? n(2000) : n(12), 'a' + n(26)),
          std::move(numbers), std::move(note)};
}

std::vector<char> batch_of(const std::vector<record>& records,
                           const std::vector<std::int64_t>* stamps = nullptr) {
  std::vector<char> bytes;
  byte_writer w(bytes);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (stamps != nullptr)
      serialize(w, (*stamps)[i]);
    serialize(w, records[i]);
  }
  w.finish();
  return bytes;
}

/// Reads its records by reference (as a rolling reduce does), copying what it sees.
struct reading_collector final : collector<record> {
  std::vector<record> seen;
  std::vector<std::int64_t> stamps;
  std::vector<std::size_t> capacities; ///< of each record's string, as handed on
  timestamp_slot* slot = nullptr;

  void collect(record&& r) override { collect(static_cast<const record&>(r)); }
  void collect(const record& r) override {
    seen.push_back(r);
    capacities.push_back(std::get<1>(r).capacity());
    if (slot != nullptr)
      stamps.push_back(slot->value);
  }
  void collect_all(record* first, record* last) override {
    for (; first != last; ++first)
      collect(static_cast<const record&>(*first));
  }
  void emit_watermark(std::int64_t) override {}
};

/// Takes the records (moves them out, leaving the run's slots moved-from).
struct taking_collector final : collector<record> {
  std::vector<record> seen;
  void collect(record&& r) override { seen.push_back(std::move(r)); }
  void emit_watermark(std::int64_t) override {}
  using collector<record>::collect;
};

template <class Collector>
void check_batches(Collector& out, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto reader = stream_type_of<record>().make_batch_reader();
  std::vector<record> expected;
  // Batch sizes around the run length (256): shorter, equal, longer, several runs.
  for (std::size_t size : {3, 256, 257, 700, 1, 0, 40, 513}) {
    std::vector<record> records;
    for (std::size_t i = 0; i < size; ++i)
      records.push_back(random_record(rng));
    auto bytes = batch_of(records);
    CHECK(reader->read(bytes.data(), bytes.size(), out, nullptr) == size);
    expected.insert(expected.end(), records.begin(), records.end());
  }
  CHECK(out.seen == expected);
}

} // namespace

TEST_CASE("batch reader: records come out as written across batches, read by reference") {
  for (std::uint64_t seed : {1, 2, 3}) {
    reading_collector out;
    check_batches(out, seed);
  }
}

TEST_CASE("batch reader: records come out as written across batches, moved out") {
  for (std::uint64_t seed : {4, 5}) {
    taking_collector out;
    check_batches(out, seed);
  }
}

TEST_CASE("batch reader: each record's timestamp is in the slot when it is handed on") {
  std::mt19937_64 rng(9);
  auto reader = stream_type_of<record>().make_batch_reader();
  reading_collector out;
  timestamp_slot slot;
  out.slot = &slot;
  std::vector<record> expected;
  std::vector<std::int64_t> expected_stamps;
  for (std::size_t size : {300, 5}) {
    std::vector<record> records;
    std::vector<std::int64_t> stamps;
    for (std::size_t i = 0; i < size; ++i) {
      records.push_back(random_record(rng));
      stamps.push_back(static_cast<std::int64_t>(rng() % 100000) - 50000);
    }
    auto bytes = batch_of(records, &stamps);
    CHECK(reader->read(bytes.data(), bytes.size(), out, &slot) == size);
    expected.insert(expected.end(), records.begin(), records.end());
    expected_stamps.insert(expected_stamps.end(), stamps.begin(), stamps.end());
  }
  CHECK(out.seen == expected);
  CHECK(out.stamps == expected_stamps);
}

TEST_CASE("batch reader: a run keeps its records' capacity only below the retain limit") {
  auto reader = stream_type_of<record>().make_batch_reader();
  reading_collector out;
  auto read_one = [&](std::size_t string_bytes) {
    auto bytes = batch_of({record{1, std::string(string_bytes, 'x'), {}, std::nullopt}});
    reader->read(bytes.data(), bytes.size(), out, nullptr);
  };
  read_one(4000);
  read_one(20);
  // Below the limit the slot's string kept its room for 4000 bytes.
  CHECK(out.capacities.back() >= 4000);
  constexpr auto limit = typed_batch_reader<record>::retain_limit;
  read_one(limit + 1);
  read_one(20);
  // Past it the run was released: the small record has a string of its own size.
  CHECK(out.capacities.back() < 4000);
  CHECK(std::get<1>(out.seen.back()) == std::string(20, 'x'));
}

TEST_CASE("batch reader: a corrupt batch is a serialization error") {
  auto reader = stream_type_of<record>().make_batch_reader();
  reading_collector out;
  auto bytes = batch_of({record{1, std::string(100, 'x'), {1, 2}, std::string("n")}});
  bytes.resize(bytes.size() - 3);
  CHECK_THROWS_AS(reader->read(bytes.data(), bytes.size(), out, nullptr), serialization_error);
}
