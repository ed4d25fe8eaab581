#include "sluice/operators/api/sources_and_sinks.hpp"
#include "sluice/operators/core/basic_operators.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <stdlib.h>

using namespace sluice;
namespace fs = std::filesystem;

namespace {

runtime_context subtask(int index, int parallelism) {
  return runtime_context{"job", "sink", index, parallelism};
}

/// Runs a copy of `proto` as subtask `index` of `parallelism` over `records`.
template <class T>
void run_sink(const sink<T>& proto, int index, int parallelism, std::vector<T> records,
              bool finish = true) {
  auto s = proto.clone();
  s->open(subtask(index, parallelism));
  for (auto& r : records)
    s->write(std::move(r));
  if (finish)
    s->finish();
  s->close();
}

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    s.append(buf, n);
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-sink-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("print_sink writes text lines, prefixed by the subtask when parallel") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  using rec = std::pair<std::string, std::int64_t>;
  run_sink(print_sink<rec>(f), 0, 1, {{"a", 1}, {"b", 2}});
  run_sink(print_sink<rec>(f), 2, 3, {{"c", 3}});
  CHECK(read_all(f) == "a,1\nb,2\n3> c,3\n");
  std::fclose(f);
}

TEST_CASE("print_sink lines from concurrent subtasks never interleave") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  constexpr int subtasks = 4;
  constexpr int per_subtask = 2000;
  const std::string payload(100, 'x');
  print_sink<std::string> proto(f);
  std::vector<std::thread> threads;
  threads.reserve(subtasks);
  for (int i = 0; i < subtasks; ++i)
    threads.emplace_back([&, i] {
      std::vector<std::string> records(per_subtask, payload + std::to_string(i));
      run_sink(proto, i, subtasks, std::move(records));
    });
  for (auto& t : threads)
    t.join();
  std::istringstream lines(read_all(f));
  std::vector<int> seen(subtasks);
  for (std::string line; std::getline(lines, line);) {
    const int k = line[0] - '0';
    REQUIRE(k >= 1);
    REQUIRE(k <= subtasks);
    REQUIRE(line == std::to_string(k) + "> " + payload + std::to_string(k - 1));
    ++seen[static_cast<std::size_t>(k - 1)];
  }
  CHECK(seen == std::vector<int>(subtasks, per_subtask));
  std::fclose(f);
}

TEST_CASE("text_file_sink writes each subtask's records to dir/part-<i>") {
  temp_dir tmp;
  const auto dir = tmp.path / "out" / "nested";
  text_file_sink<std::pair<std::string, int>> proto(dir.string());
  run_sink(proto, 0, 2, {{"a", 1}, {"b", 2}});
  run_sink(proto, 1, 2, {{"c", 3}});
  CHECK(read_file(dir / "part-0") == "a,1\nb,2\n");
  CHECK(read_file(dir / "part-1") == "c,3\n");

  std::vector<std::int64_t> many;
  std::string expected;
  for (std::int64_t i = 0; i < 50000; ++i) { // more than one buffer
    many.push_back(i * 31);
    expected += std::to_string(i * 31) + "\n";
  }
  text_file_sink<std::int64_t> numbers(dir.string());
  run_sink(numbers, 0, 1, many);
  CHECK(read_file(dir / "part-0") == expected);
  run_sink(numbers, 1, 2, many, false); // a failed job: closed without finish
  CHECK(read_file(dir / "part-1") == expected);
  run_sink(numbers, 0, 1, std::vector<std::int64_t>{});
  CHECK(read_file(dir / "part-0").empty()); // truncated on open
}

TEST_CASE("text_file_sink reports paths it cannot create or open") {
  text_file_sink<int> proc("/proc/sluice-test");
  auto s = proc.clone();
  CHECK_THROWS_WITH_AS(s->open(subtask(0, 1)), doctest::Contains("'/proc/sluice-test'"),
                       sink_error);
  temp_dir tmp;
  const auto file = (tmp.path / "file").string();
  std::ofstream(file) << "x";
  auto under_file = text_file_sink<int>(file + "/out").clone();
  CHECK_THROWS_WITH_AS(under_file->open(subtask(0, 1)), doctest::Contains((file + "/out").c_str()),
                       sink_error);
  fs::create_directories(tmp.path / "dir" / "part-0");
  auto blocked = text_file_sink<int>((tmp.path / "dir").string()).clone();
  CHECK_THROWS_WITH_AS(blocked->open(subtask(0, 1)), doctest::Contains("part-0': Is a directory"),
                       sink_error);
}

TEST_CASE("discarding_sink drops records and totals the counts of its copies") {
  discarding_sink<std::string> proto;
  run_sink(proto, 0, 2, std::vector<std::string>(5, "x"));
  run_sink(proto, 1, 2, std::vector<std::string>(3, "y"), false);
  CHECK(proto.count() == 8);
  CHECK(proto.local_count() == 0);
}

TEST_CASE("collecting_sink shares one store between its copies") {
  collecting_sink<int> proto;
  run_sink(proto, 1, 3, {10, 11});
  run_sink(proto, 0, 3, {1, 2, 3}, false);
  CHECK(proto.results() == std::vector<int>{10, 11, 1, 2, 3});
  CHECK(proto.results_by_subtask() == std::vector<std::vector<int>>{{1, 2, 3}, {10, 11}, {}});

  constexpr int writers = 4;
  std::vector<std::thread> threads;
  threads.reserve(writers);
  for (int i = 0; i < writers; ++i)
    threads.emplace_back([&proto, i] { run_sink(proto, i, writers, std::vector<int>(1000, i)); });
  for (auto& t : threads)
    t.join();
  auto all = proto.results();
  CHECK(all.size() == 5 + writers * 1000);
  CHECK(std::count(all.begin(), all.end(), 3) == 1001);
  const auto by_subtask = proto.results_by_subtask();
  CHECK(by_subtask[3].size() == 1000);
  proto.clear();
  CHECK(proto.results().empty());
  CHECK(proto.results_by_subtask().empty());
}

namespace {

/// Records how each record arrived: by reference (write(const T&)) or handed over.
struct arrival_sink final : copyable_sink<arrival_sink, std::string> {
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  void write(std::string&& s) override { log->push_back("taken " + s); }
  void write(const std::string& s) override { log->push_back("read " + s); }
};

/// Overrides only write(T&&): records given by reference reach it as copies.
struct taking_sink final : copyable_sink<taking_sink, std::string> {
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  void write(std::string&& s) override {
    log->push_back(s);
    s = "clobbered";
  }
};

} // namespace

TEST_CASE("sink operator: a record its producer keeps reaches the sink by reference") {
  arrival_sink by_ref;
  sink_operator<std::string> op(by_ref.clone());
  op.open(subtask(0, 1));
  const std::string kept(100, 'k');
  op.collect(kept);
  op.collect(std::string("moved"));
  CHECK(*by_ref.log == std::vector<std::string>{"read " + kept, "taken moved"});

  taking_sink taking;
  sink_operator<std::string> copying(taking.clone());
  copying.open(subtask(0, 1));
  copying.collect(kept);
  CHECK(*taking.log == std::vector<std::string>{kept});
  CHECK(kept == std::string(100, 'k'));
}

TEST_CASE("fan-out: every output gets a kept record by reference, the last a moved one") {
  arrival_sink first, second;
  sink_operator<std::string> a(first.clone()), b(second.clone());
  a.open(subtask(0, 1));
  b.open(subtask(0, 1));
  fanout_collector<std::string> fanout({&a, &b});
  const std::string kept = "kept";
  fanout.collect(kept);
  fanout.collect(std::string("owned"));
  CHECK(*first.log == std::vector<std::string>{"read kept", "read owned"});
  CHECK(*second.log == std::vector<std::string>{"read kept", "taken owned"});
}

TEST_CASE("filter and map: a kept record is read where it is; the filter hands on only what passes") {
  arrival_sink passed;
  sink_operator<std::string> to_passed(passed.clone());
  to_passed.open(subtask(0, 1));
  auto longer_than_3 = [](const std::string& s) { return s.size() > 3; };
  filter_operator<std::string, decltype(longer_than_3)> filter(longer_than_3);
  filter.set_output(to_passed);
  filter.open(subtask(0, 1));
  const std::string kept = "kept", short_one = "no";
  filter.collect(kept);
  filter.collect(short_one);
  filter.collect(std::string("owned"));
  CHECK(*passed.log == std::vector<std::string>{"read kept", "taken owned"});

  arrival_sink mapped;
  sink_operator<std::string> to_mapped(mapped.clone());
  to_mapped.open(subtask(0, 1));
  const std::string* seen = nullptr;
  auto reading = [&seen](const std::string& s) {
    seen = &s;
    return s + "!";
  };
  map_operator<std::string, std::string, decltype(reading)> read_map(reading);
  read_map.set_output(to_mapped);
  read_map.open(subtask(0, 1));
  read_map.collect(kept);
  CHECK(seen == &kept);
  auto taking = [](std::string&& s) {
    std::string out = std::move(s) + "?";
    s = "clobbered";
    return out;
  };
  map_operator<std::string, std::string, decltype(taking)> take_map(taking);
  take_map.set_output(to_mapped);
  take_map.open(subtask(0, 1));
  take_map.collect(kept);
  CHECK(kept == "kept");
  CHECK(*mapped.log == std::vector<std::string>{"taken kept!", "taken kept?"});
}
