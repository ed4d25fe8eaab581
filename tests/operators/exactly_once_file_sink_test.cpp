// The text file sink with checkpointing on writes exactly once: driven by hand through
// checkpoints, notices and crashes (attempts destroyed without closing, then restored from a
// checkpoint's operator state, at the same or another parallelism), the files a reader sees
// (names without a leading dot) hold every record exactly once, as computed here from the
// input, and the hidden files of failed attempts are cleaned up.

#include "../temp_dir.hpp"
#include "log_capture.hpp"
#include "sink_attempt.hpp"
#include "sluice/operators/sinks/text_file_sink.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::log_capture;
using sluice::test::temp_dir;
namespace fs = std::filesystem;

namespace {

using names = std::set<std::string>;
using lines = std::vector<std::string>;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The file names in `dir` that start with a dot (`hidden`) or do not.
names files_in(const fs::path& dir, bool hidden) {
  names found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if ((name[0] == '.') == hidden)
      found.insert(name);
  }
  return found;
}

/// What a reader sees: the lines of the committed files part-<s>-<n>, per subtask index s in
/// the order of n.
std::map<int, lines> committed_lines(const fs::path& dir) {
  static const std::regex part_name("part-([0-9]+)-([0-9]+)");
  std::map<int, std::map<long, lines>> parts;
  for (const auto& name : files_in(dir, false)) {
    std::smatch m;
    REQUIRE(std::regex_match(name, m, part_name));
    const auto content = read_file(dir / name);
    REQUIRE((content.empty() || content.back() == '\n'));
    auto& part = parts[std::stoi(m[1])][std::stol(m[2])];
    for (std::size_t begin = 0, end; begin < content.size(); begin = end + 1) {
      end = content.find('\n', begin);
      part.push_back(content.substr(begin, end - begin));
    }
  }
  std::map<int, lines> out;
  for (auto& [subtask, by_number] : parts)
    for (auto& [number, part] : by_number)
      out[subtask].insert(out[subtask].end(), part.begin(), part.end());
  return out;
}

lines all_of(const std::map<int, lines>& by_subtask) {
  lines all;
  for (const auto& [subtask, l] : by_subtask)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  return all;
}

/// "<prefix>0" .. "<prefix><n-1>".
lines records(const std::string& prefix, int n) {
  lines out;
  for (int i = 0; i < n; ++i)
    out.push_back(prefix + std::to_string(i));
  return out;
}

/// An output directory and a checkpoint directory for one test.
struct output_fixture {
  temp_dir scratch;
  fs::path out = scratch.path() / "out";
  std::string checkpoints = scratch / "checkpoints";
  text_file_sink<std::string> sink{out.string()};

  output_fixture() { fs::create_directories(checkpoints); }

  using attempt = sluice::test::sink_attempt<std::string>;
};

} // namespace

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink: readers see committed parts only, "
                                  "and a crash after checkpoint 2 loses and repeats nothing") {
  std::vector<operator_state_handle> chk2;
  {
    attempt first(sink, 1, checkpoints);
    first.write(0, {"a", "b", "c"});
    CHECK(files_in(out, true) == names{".part-0-0.inprogress"});
    first.checkpoint(1);
    CHECK(files_in(out, true) == names{".part-0-0.pending"});
    CHECK(files_in(out, false).empty());
    first.complete(1);
    CHECK(files_in(out, false) == names{"part-0-0"});
    CHECK(read_file(out / "part-0-0") == "a\nb\nc\n");
    first.write(0, {"d", "e"});
    chk2 = first.checkpoint(2);
    first.write(0, {"f"}); // lost with the crash, replayed below
    CHECK(files_in(out, true) == names{".part-0-1.pending", ".part-0-2.inprogress"});
  } // crash
  CHECK(committed_lines(out) == std::map<int, lines>{{0, {"a", "b", "c"}}});
  attempt second(sink, 1, checkpoints, &chk2);
  CHECK(files_in(out, false) == names{"part-0-0", "part-0-1"}); // committed on restore
  CHECK(files_in(out, true).empty()); // the failed attempt's part 2 is removed
  second.write(0, {"f", "g"});
  second.finish(3);
  // Part 2 is skipped: its number was taken by the failed attempt.
  CHECK(files_in(out, false) == names{"part-0-0", "part-0-1", "part-0-3"});
  CHECK(files_in(out, true).empty());
  CHECK(committed_lines(out) == std::map<int, lines>{{0, {"a", "b", "c", "d", "e", "f", "g"}}});
}

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink: a crash between the snapshot and "
                                  "the notice commits on restore; commit twice is once") {
  std::vector<operator_state_handle> chk1;
  {
    attempt first(sink, 1, checkpoints);
    first.write(0, records("r", 1000)); // several buffers
    chk1 = first.checkpoint(1);
  }
  CHECK(files_in(out, false).empty());
  log_capture captured;
  for (int restores = 0; restores < 3; ++restores) { // the restored job fails again, twice
    attempt again(sink, 1, checkpoints, &chk1);
    again.write(0, {"lost"});
  }
  CHECK(captured.text().empty());
  CHECK(files_in(out, false) == names{"part-0-0"});
  // Each restore removed the previous one's part; numbers of in-progress parts are not reused.
  CHECK(files_in(out, true) == names{".part-0-3.inprogress"});
  CHECK(committed_lines(out) == std::map<int, lines>{{0, records("r", 1000)}});
}

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink: a committed part moved away by a "
                                  "reader is not committed again, with a warning") {
  std::vector<operator_state_handle> chk1;
  {
    attempt first(sink, 1, checkpoints);
    first.write(0, {"x"});
    chk1 = first.checkpoint(1);
    first.complete(1);
  }
  fs::rename(out / "part-0-0", scratch / "consumed");
  log_capture captured;
  attempt second(sink, 1, checkpoints, &chk1);
  CHECK(captured.text() == "warning text_file_sink: cannot commit '" + (out / "part-0-0").string() +
                               "': neither it nor '" + (out / ".part-0-0.pending").string() +
                               "' exists (moved away by a reader, or lost)\n");
  second.write(0, {"y"});
  second.finish(2);
  CHECK(files_in(out, false) == names{"part-0-1"}); // the checkpointed counter: 0 is not reused
}

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink restored at another parallelism: "
                                  "each record once, leftovers removed, numbers not reused") {
  // Attempt 1 at parallelism 3: subtask i commits a<i>-* (checkpoint 1), pre-commits b<i>-*
  // (checkpoint 2, never completed) and crashes while writing c<i>-*.
  std::map<std::string, lines> written;
  lines expected;
  for (int i = 0; i < 3; ++i)
    for (auto [prefix, count] : {std::pair{"a", 3 + i}, {"b", 2}, {"c", 4}}) {
      const auto name = prefix + std::to_string(i);
      written[name] = records(name + "-", count);
      expected.insert(expected.end(), written[name].begin(), written[name].end());
    }
  std::sort(expected.begin(), expected.end());
  std::vector<operator_state_handle> chk2;
  {
    attempt first(sink, 3, checkpoints);
    for (int i = 0; i < 3; ++i)
      first.write(i, written["a" + std::to_string(i)]);
    first.checkpoint(1);
    first.complete(1);
    for (int i = 0; i < 3; ++i)
      first.write(i, written["b" + std::to_string(i)]);
    chk2 = first.checkpoint(2);
    for (int i = 0; i < 3; ++i)
      first.write(i, written["c" + std::to_string(i)]);
    CHECK(files_in(out, true) == names{".part-0-1.pending", ".part-1-1.pending",
                                       ".part-2-1.pending", ".part-0-2.inprogress",
                                       ".part-1-2.inprogress", ".part-2-2.inprogress"});
  }

  // Attempt 2 at parallelism 2 commits every pending part and removes every in-progress one
  // (index 2's by subtask 0), then replays the "c" records (the source's job) and checkpoints.
  std::vector<operator_state_handle> chk3;
  {
    attempt second(sink, 2, checkpoints, &chk2);
    CHECK(files_in(out, true).empty());
    CHECK(files_in(out, false) ==
          names{"part-0-0", "part-0-1", "part-1-0", "part-1-1", "part-2-0", "part-2-1"});
    second.write(0, written["c0"]);
    second.write(1, written["c1"]);
    second.write(0, written["c2"]);
    chk3 = second.checkpoint(3);
    second.complete(3);
  }
  CHECK(all_of(committed_lines(out)) == expected);
  CHECK(files_in(out, false).count("part-0-3") == 1); // part 2 of index 0 was taken
  CHECK(files_in(out, false).count("part-1-3") == 1);

  // A reader consumes index 2's parts; attempt 3 at parallelism 3 gets index 2's counter back
  // from subtask 0's state and does not reuse part-2-0 or part-2-1.
  fs::remove(out / "part-2-0");
  fs::remove(out / "part-2-1");
  attempt third(sink, 3, checkpoints, &chk3);
  third.write(2, {"d2"});
  third.finish(4);
  CHECK(files_in(out, false).count("part-2-2") == 1);
  CHECK(read_file(out / "part-2-2") == "d2\n");
  CHECK(files_in(out, true).empty());
}

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink: a fresh start skips the numbers in "
                                  "the directory and removes nothing") {
  fs::create_directories(out);
  for (const auto* name : {"part-0-4", ".part-0-6.pending", ".part-1-9.inprogress", "notes"})
    std::ofstream(out / name) << "old\n";
  attempt run(sink, 2, checkpoints);
  run.write(0, {"new0"});
  run.write(1, {"new1"});
  run.finish(1);
  CHECK(files_in(out, false) == names{"notes", "part-0-4", "part-0-7", "part-1-10"});
  CHECK(files_in(out, true) == names{".part-0-6.pending", ".part-1-9.inprogress"});
  CHECK(read_file(out / "part-0-7") == "new0\n");
}

TEST_CASE_FIXTURE(output_fixture, "exactly-once file sink: errors name the file") {
  attempt run(sink, 1, checkpoints);
  run.write(0, {"x"});
  fs::create_directory(out / ".part-0-0.pending"); // the rename's target: a directory
  fs::create_directory(out / ".part-0-0.pending" / "blocker");
  CHECK_THROWS_WITH_AS(
      run.checkpoint(1),
      doctest::Contains(("cannot rename '" + (out / ".part-0-0.inprogress").string() + "' to '" +
                         (out / ".part-0-0.pending").string() + "'")
                            .c_str()),
      sink_error);
}
