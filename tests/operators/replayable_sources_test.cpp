// Replayable sources store their positions in operator list state: a source restored from a
// checkpoint, at the same or another parallelism, emits exactly what followed it. Each test
// runs a source through attempts that take a checkpoint and then "fail" (what they emit after
// the checkpoint is lost), each restored from the previous one's checkpoint; the records that
// count (emitted before each checkpoint, and everything of the last attempt) must be the
// source's records exactly once. Expected records are computed here from the input.

#include "../temp_dir.hpp"
#include "operator_state_checkpoints.hpp"
#include "sluice/operators/api/sources_and_sinks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::operator_subtasks;
using sluice::test::temp_dir;

namespace {

/// A record and the split it came from (the split slot when it was emitted).
template <class T>
using split_record = std::pair<std::int64_t, T>;

template <class T>
struct recording_collector final : collector<T> {
  explicit recording_collector(const split_slot& s) : slot(s) {}
  void collect(T&& v) override { records.emplace_back(slot.current, std::move(v)); }
  void emit_watermark(std::int64_t) override {}
  using collector<T>::collect;
  const split_slot& slot;
  std::vector<split_record<T>> records;
};

/// One run of all subtasks of a source, fresh or restored from a checkpoint.
template <class T>
class attempt {
public:
  attempt(const source<T>& proto, int parallelism, const std::string& checkpoint_dir,
          const std::vector<operator_state_handle>* restore_from = nullptr,
          int max_parallelism = 128)
      : subtasks_(parallelism, checkpoint_dir, restore_from, "source") {
    for (int i = 0; i < parallelism; ++i) {
      auto r = std::make_unique<reader>();
      auto ctx = subtasks_.context(i);
      ctx.split = &r->slot;
      ctx.max_parallelism = max_parallelism;
      r->src = proto.clone();
      r->src->open(ctx);
      readers_.push_back(std::move(r));
    }
  }

  /// Polls subtask i `polls` times, at most `max_records` each, unless it finished.
  void poll(int i, int polls, std::size_t max_records = 5) {
    auto& r = *readers_.at(static_cast<std::size_t>(i));
    for (int k = 0; k < polls && r.status != source_status::finished; ++k) {
      r.status = r.src->poll(r.out, max_records);
      r.finished.insert(r.finished.end(), r.slot.finished.begin(), r.slot.finished.end());
      r.slot.finished.clear();
    }
  }

  void drain() {
    for (int i = 0; i < parallelism(); ++i)
      while (readers_[static_cast<std::size_t>(i)]->status != source_status::finished)
        poll(i, 1);
  }

  /// Takes checkpoint `id`: the sources' snapshot_state, then their operator state backends.
  /// Returns the handles and adds what was emitted so far to `kept`.
  std::vector<operator_state_handle> checkpoint(std::int64_t id, std::vector<split_record<T>>& kept,
                                                std::vector<std::int64_t>& kept_finished) {
    std::vector<operator_state_handle> handles;
    for (int i = 0; i < parallelism(); ++i) {
      readers_[static_cast<std::size_t>(i)]->src->snapshot_state(id);
      handles.push_back(subtasks_.snapshot(i, id));
    }
    collect(kept, kept_finished);
    return handles;
  }

  /// Adds everything emitted so far to `kept`, and the splits reported finished.
  void collect(std::vector<split_record<T>>& kept, std::vector<std::int64_t>& kept_finished) {
    for (auto& r : readers_) {
      kept.insert(kept.end(), r->out.records.begin(), r->out.records.end());
      kept_finished.insert(kept_finished.end(), r->finished.begin(), r->finished.end());
      r->out.records.clear();
      r->finished.clear();
    }
  }

  int parallelism() const { return static_cast<int>(readers_.size()); }
  const std::vector<split_record<T>>& emitted(int i) const {
    return readers_.at(static_cast<std::size_t>(i))->out.records;
  }

private:
  struct reader {
    split_slot slot;
    std::unique_ptr<source<T>> src;
    recording_collector<T> out{slot};
    std::vector<std::int64_t> finished;
    source_status status = source_status::more;
  };

  operator_subtasks subtasks_;
  std::vector<std::unique_ptr<reader>> readers_;
};

/// What the attempts of run_with_failures emitted that counts.
template <class T>
struct kept_output {
  std::vector<split_record<T>> records; ///< in emission order per attempt and subtask
  std::vector<std::int64_t> finished_splits;

  std::vector<T> values() const {
    std::vector<T> out;
    for (auto& r : records)
      out.push_back(r.second);
    return out;
  }
};

/// Runs attempts at `parallelisms`, each restored from the previous one's checkpoint: subtask
/// i of attempt k polls (i + k) % 3 + 1 times before the checkpoint and twice after it (records
/// then lost); the last attempt reads to the end.
template <class T>
kept_output<T> run_with_failures(const source<T>& proto, const std::vector<int>& parallelisms,
                                 int max_parallelism = 128) {
  temp_dir dir;
  kept_output<T> kept;
  std::vector<operator_state_handle> handles;
  for (std::size_t k = 0; k < parallelisms.size(); ++k) {
    attempt<T> run(proto, parallelisms[k], dir.str(), k == 0 ? nullptr : &handles, max_parallelism);
    if (k + 1 == parallelisms.size()) {
      run.drain();
      run.collect(kept.records, kept.finished_splits);
      break;
    }
    for (int i = 0; i < run.parallelism(); ++i)
      run.poll(i, (i + static_cast<int>(k)) % 3 + 1);
    handles = run.checkpoint(static_cast<std::int64_t>(k + 1), kept.records, kept.finished_splits);
    for (int i = 0; i < run.parallelism(); ++i)
      run.poll(i, 2);
  }
  return kept;
}

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// Writes `lines` (each followed by '\n', except the last if `final_newline` is false).
void write_lines(const std::string& path, const std::vector<std::string>& lines,
                 bool final_newline = true) {
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < lines.size(); ++i)
    out << lines[i] << (i + 1 < lines.size() || final_newline ? "\n" : "");
}

/// Line l of file f: unique, of varying length (some longer than a 64-byte split).
std::string line_of(int f, int l) {
  return "f" + std::to_string(f) + "-l" + std::to_string(l) +
         std::string(static_cast<std::size_t>((l * 37 + f * 11) % 97), char('a' + (l + f) % 26));
}

} // namespace

TEST_CASE("text_file_source resumes exactly at the byte after the last line it emitted") {
  temp_dir dir;
  std::vector<std::string> lines;
  for (int l = 0; l < 200; ++l)
    lines.push_back(l % 17 == 0 ? std::string() : line_of(0, l)); // empty lines too
  for (bool final_newline : {true, false}) {
    const auto file = dir / "input.txt";
    write_lines(file, lines, final_newline);
    // One split: every attempt continues the file in order.
    auto kept = run_with_failures(text_file_source(file), {1, 1, 1, 1});
    CHECK(kept.values() == lines);
    CHECK(kept.finished_splits == std::vector<std::int64_t>{0});
  }
}

TEST_CASE("text_file_source restored at another parallelism reads every line of every split "
          "once, from the same split") {
  temp_dir dir;
  std::vector<std::string> all;
  for (int f = 0; f < 3; ++f) {
    std::vector<std::string> lines;
    for (int l = 0; l < 40 + 25 * f; ++l)
      lines.push_back(line_of(f, l));
    write_lines(dir / ("file-" + std::to_string(f) + ".txt"), lines, f != 1);
    all.insert(all.end(), lines.begin(), lines.end());
  }
  write_lines(dir / "file-3-empty.txt", {}, false);
  const text_file_source src(dir.str(), 256); // about 5 lines per split
  REQUIRE(src.split_count() > 30);

  // A failure-free run says which split each line belongs to.
  const auto reference = run_with_failures(src, {1});
  REQUIRE(sorted(reference.values()) == sorted(all));
  std::vector<std::int64_t> every_split;
  for (std::size_t s = 0; s < src.split_count(); ++s)
    every_split.push_back(static_cast<std::int64_t>(s));

  for (const auto& parallelisms :
       std::vector<std::vector<int>>{{2, 3}, {3, 2}, {2, 3, 2}, {3, 2, 3}, {1, 4, 1}, {4, 4, 4}}) {
    INFO("parallelism " << parallelisms.front() << " -> ... -> " << parallelisms.back() << " ("
                        << parallelisms.size() << " attempts)");
    auto kept = run_with_failures(src, parallelisms);
    CHECK(sorted(kept.records) == sorted(reference.records));
    CHECK(sorted(kept.finished_splits) == every_split);
  }
}

TEST_CASE("sequence and generator sources restored at another parallelism emit every index once") {
  std::vector<std::int64_t> numbers;
  for (std::int64_t v = -3; v <= 996; ++v)
    numbers.push_back(v);
  std::vector<std::string> squares;
  for (std::uint64_t i = 0; i < 777; ++i)
    squares.push_back("g" + std::to_string(i * i));
  const auto square = [](std::uint64_t i) { return "g" + std::to_string(i * i); };
  for (const auto& parallelisms :
       std::vector<std::vector<int>>{{2, 3}, {3, 2}, {2, 3, 2}, {1, 5, 2}, {4, 1}, {7, 7, 7}}) {
    INFO("parallelism " << parallelisms.front() << " -> ... -> " << parallelisms.back() << " ("
                        << parallelisms.size() << " attempts)");
    CHECK(sorted(run_with_failures(sequence_source(-3, 996), parallelisms).values()) == numbers);
    CHECK(sorted(run_with_failures(make_generator_source(square, 777), parallelisms).values()) ==
          sorted(squares));
    // Fewer splits than indices per subtask (max parallelism 8), and up to 8 subtasks.
    auto upto8 = parallelisms;
    upto8.push_back(8);
    CHECK(sorted(run_with_failures(sequence_source(-3, 996), upto8, 8).values()) == numbers);
  }
  CHECK(run_with_failures(make_generator_source(square, 0), {2, 3}).values().empty());
}

TEST_CASE("an interleaved generator shares its indices in stripes, each in order") {
  temp_dir dir;
  const auto identity = [](std::uint64_t i) { return static_cast<std::int64_t>(i); };
  attempt<std::int64_t> run(make_generator_source(identity, 1001, index_sharing::interleaved), 3,
                            dir.str());
  run.drain();
  std::vector<std::int64_t> all;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::int64_t> want; // subtask i of 3: i, i+3, i+6, ... below 1001
    for (std::int64_t v = i; v < 1001; v += 3)
      want.push_back(v);
    std::vector<std::int64_t> got;
    for (const auto& r : run.emitted(i))
      got.push_back(r.second);
    CHECK(got == want);
    all.insert(all.end(), got.begin(), got.end());
  }
  CHECK(all.size() == 1001);
}

TEST_CASE("an interleaved generator restored at another parallelism emits every index once") {
  const auto square = [](std::uint64_t i) { return "g" + std::to_string(i * i); };
  std::vector<std::string> squares;
  for (std::uint64_t i = 0; i < 777; ++i)
    squares.push_back(square(i));
  for (const auto& parallelisms :
       std::vector<std::vector<int>>{{2, 3}, {3, 2}, {2, 3, 2}, {1, 5, 2}, {4, 1}, {7, 7, 7}}) {
    INFO("parallelism " << parallelisms.front() << " -> ... -> " << parallelisms.back());
    CHECK(sorted(run_with_failures(make_generator_source(square, 777, index_sharing::interleaved),
                                   parallelisms)
                     .values()) == sorted(squares));
  }
  CHECK(run_with_failures(make_generator_source(square, 2, index_sharing::interleaved), {4, 3})
            .values()
            .size() == 2);
}

TEST_CASE("an unbounded sequence restored at another parallelism loses and repeats no index") {
  temp_dir dir;
  std::vector<split_record<std::int64_t>> kept;
  std::vector<std::int64_t> unused;
  attempt<std::int64_t> first(sequence_source::unbounded(0), 2, dir.str());
  first.poll(0, 3);
  first.poll(1, 7);
  const auto handles = first.checkpoint(1, kept, unused);
  attempt<std::int64_t> second(sequence_source::unbounded(0), 3, dir.str(), &handles);
  for (int i = 0; i < 3; ++i)
    second.poll(i, 200); // 1000 records of ~43 splits: each split moves >= 23 steps of 128
  second.collect(kept, unused);
  std::vector<std::int64_t> values;
  for (auto& r : kept)
    values.push_back(r.second);
  values = sorted(values);
  CHECK(std::adjacent_find(values.begin(), values.end()) == values.end()); // no repeats
  std::vector<std::int64_t> prefix;
  for (std::int64_t v = 0; v < 2000; ++v)
    prefix.push_back(v);
  REQUIRE(values.size() >= prefix.size());
  CHECK(std::vector<std::int64_t>(values.begin(), values.begin() + 2000) == prefix);
}

TEST_CASE("an unbounded sequence restored at the same parallelism continues each stripe in "
          "order") {
  temp_dir dir;
  std::vector<split_record<std::int64_t>> kept;
  std::vector<std::int64_t> unused;
  attempt<std::int64_t> first(sequence_source::unbounded(100), 2, dir.str());
  first.poll(0, 1, 7); // 100, 102, ..., 112
  first.poll(1, 1, 3); // 101, 103, 105
  const auto handles = first.checkpoint(1, kept, unused);
  first.poll(0, 1, 4); // lost
  attempt<std::int64_t> second(sequence_source::unbounded(100), 2, dir.str(), &handles);
  second.poll(0, 1, 4);
  second.poll(1, 1, 2);
  using records = std::vector<split_record<std::int64_t>>;
  const auto none = split_slot::none;
  CHECK(second.emitted(0) == records{{none, 114}, {none, 116}, {none, 118}, {none, 120}});
  CHECK(second.emitted(1) == records{{none, 107}, {none, 109}});
}

TEST_CASE("collection_source resumes at the element after the checkpoint") {
  std::vector<std::string> elements;
  for (int i = 0; i < 50; ++i)
    elements.push_back("e" + std::to_string(i));
  CHECK(run_with_failures(collection_source<std::string>(elements), {1, 1, 1}).values() ==
        elements);
}

TEST_CASE("checkpointing a source opened without operator state is an error naming it") {
  auto src = sequence_source(0, 9).clone();
  src->open(runtime_context{"job", "numbers", 0, 1});
  CHECK_THROWS_WITH_AS(src->snapshot_state(1),
                       doctest::Contains("sequence_source 'numbers (1/1)' has no operator state"),
                       std::logic_error);
  temp_dir dir;
  write_lines(dir / "f", {"x"});
  auto file = text_file_source(dir / "f").clone();
  file->open(runtime_context{"job", "lines", 0, 1});
  CHECK_THROWS_WITH_AS(
      file->snapshot_state(1),
      doctest::Contains(("text_file_source 'lines (1/1)' reading '" + dir / "f").c_str()),
      std::logic_error);
}
