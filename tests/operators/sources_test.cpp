#include "sluice/operators/api/sources_and_sinks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace sluice;
namespace fs = std::filesystem;

namespace {

template <class T> struct vector_collector final : collector<T> {
  std::vector<T> items;
  void collect(T&& v) override { items.push_back(std::move(v)); }
  void emit_watermark(std::int64_t) override {}
  using collector<T>::collect;
};

/// Opens a copy of `src` as subtask `index` of `parallelism` and polls it to the end.
template <class T>
std::vector<T> drain(const source<T>& src, int index = 0, int parallelism = 1,
                     std::size_t max_records = 7) {
  auto s = src.clone();
  s->open(runtime_context{"job", "src", index, parallelism});
  vector_collector<T> out;
  for (auto status = source_status::more; status != source_status::finished;) {
    const auto before = out.items.size();
    status = s->poll(out, max_records);
    REQUIRE(out.items.size() - before <= max_records);
  }
  s->close();
  return out.items;
}

/// Everything all subtasks of `src` emit at `parallelism`, sorted.
template <class T> std::vector<T> drain_all(const source<T>& src, int parallelism) {
  std::vector<T> all;
  for (int i = 0; i < parallelism; ++i)
    for (auto& v : drain(src, i, parallelism))
      all.push_back(std::move(v));
  std::sort(all.begin(), all.end());
  return all;
}

/// A fresh directory, removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-src-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

/// Checks that `lines` (the last not empty), written to a file with and without a final '\n',
/// are read back exactly once over all subtasks.
void check_lines_read_once(const std::vector<std::string>& lines,
                           std::initializer_list<std::uint64_t> split_sizes) {
  std::vector<std::string> expected;
  std::string content;
  for (auto l : lines) {
    content += l + "\n";
    if (!l.empty() && l.back() == '\r')
      l.pop_back();
    expected.push_back(l);
  }
  auto sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  temp_dir dir;
  for (bool trailing : {true, false}) {
    const auto file =
        dir.write("input.txt", trailing ? content : content.substr(0, content.size() - 1));
    CHECK(drain(text_file_source(file)) == expected); // one split: the order of the file
    for (std::uint64_t split : split_sizes) {
      text_file_source src(file, split);
      for (int n = 1; n <= 5; ++n)
        CHECK_MESSAGE(drain_all(src, n) == sorted, "trailing newline " << trailing << ", split "
                                                                       << split << ", parallelism "
                                                                       << n);
    }
  }
}

/// A TCP socket on 127.0.0.1 with an OS-chosen port.
struct test_server {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{AF_INET, 0, {htonl(INADDR_LOOPBACK)}, {}};
  /// Listens with `backlog`, or only binds if it is negative.
  explicit test_server(int backlog = 4) {
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    REQUIRE((backlog < 0 || ::listen(fd, backlog) == 0));
  }
  ~test_server() { ::close(fd); }
  std::uint16_t port() const { return ntohs(addr.sin_port); }
};

void send_all(int fd, const std::string& s) {
  CHECK(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
}

/// A peer that accepts one connection, sends `chunks` (waiting for `gate`, if given, after the
/// first) and closes it, with a reset if asked.
std::thread serve(const test_server& server, std::vector<std::string> chunks,
                  std::shared_future<void> gate = {}, bool reset = false) {
  return std::thread([fd = server.fd, chunks = std::move(chunks), gate = std::move(gate), reset] {
    const int conn = ::accept(fd, nullptr, nullptr);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (i == 1 && gate.valid())
        gate.wait();
      send_all(conn, chunks[i]);
    }
    const linger hard{1, 0};
    if (reset)
      ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(conn);
  });
}

/// Polls until `n` records arrived or the source finished; returns the last status.
source_status poll_until(source<std::string>& src, vector_collector<std::string>& out,
                         std::size_t n) {
  auto status = source_status::more;
  while (out.items.size() < n && status != source_status::finished)
    status = src.poll(out, 2);
  return status;
}

} // namespace

TEST_CASE("collection_source emits its elements in order, a bounded number per poll") {
  collection_source<int> src({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(src.max_source_parallelism() == 1);
  auto s = src.clone();
  s->open(runtime_context{});
  vector_collector<int> out;
  for (auto expected : {source_status::more, source_status::more, source_status::finished})
    CHECK(s->poll(out, 4) == expected);
  CHECK(out.items == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(drain(src) == out.items); // a clone starts at the beginning
  CHECK(drain(collection_source<std::string>({})).empty());
}

TEST_CASE("sequence and generator sources split a bounded range into contiguous shares") {
  auto shifted = [](std::uint64_t k) { return std::int64_t(k) - 3; };
  for (std::int64_t count : {1, 2, 5, 17, 100})
    for (int n = 1; n <= 7; ++n)
      for (int i = 0; i < n; ++i) {
        INFO("count " << count << ", subtask " << i << " of " << n);
        std::vector<std::int64_t> expected; // share i: [i*count/n, (i+1)*count/n)
        for (std::int64_t k = i * count / n; k < (i + 1) * count / n; ++k)
          expected.push_back(-3 + k);
        CHECK(drain(sequence_source(-3, count - 4), i, n) == expected);
        CHECK(drain(make_generator_source(shifted, count), i, n) == expected);
      }
  const auto min = std::numeric_limits<std::int64_t>::min(), max = -(min + 1);
  CHECK(drain(sequence_source(max - 2, max)) == std::vector<std::int64_t>{max - 2, max - 1, max});
  CHECK(drain(sequence_source(4, 4)) == std::vector<std::int64_t>{4});
  CHECK(drain(make_generator_source(shifted, 0)).empty());
  CHECK_THROWS_AS(sequence_source(5, 4), std::invalid_argument);
  CHECK_THROWS_AS(sequence_source(min, max), std::invalid_argument);
}

TEST_CASE("unbounded sequence and generator sources stripe indices over subtasks") {
  auto seq = sequence_source::unbounded(10).clone();
  auto g = make_generator_source([](std::uint64_t i) { return std::to_string(i * i); }, {}).clone();
  seq->open(runtime_context{"job", "src", 1, 3});
  g->open(runtime_context{"job", "gen", 0, 2});
  vector_collector<std::int64_t> nums;
  vector_collector<std::string> strs;
  CHECK(seq->poll(nums, 5) == source_status::more);
  CHECK(seq->poll(nums, 2) == source_status::more);
  CHECK(g->poll(strs, 3) == source_status::more);
  CHECK(nums.items == std::vector<std::int64_t>{11, 14, 17, 20, 23, 26, 29});
  CHECK(strs.items == std::vector<std::string>{"0", "4", "16"});
}

TEST_CASE("text_file_source emits every line exactly once at any parallelism and split size") {
  std::vector<std::string> lines = {"", "ab", "c", "", "", "defgh", "x\r", "\r", "ij", "klmnopq"};
  for (int i = 0; i < 300; ++i)
    lines.push_back(std::string(static_cast<std::size_t>(i * 7 % 23), char('a' + i % 26)));
  lines.push_back("last");
  check_lines_read_once(lines, {1, 2, 3, 5, 16, 64, 4096});
  lines.insert(lines.begin() + 100, std::string(200000, 'L')); // longer than the read buffer
  for (int i = 0; i < 20000; ++i)
    lines.push_back(std::to_string(i * 7919));
  check_lines_read_once(lines, {4096, 70000, 1 << 20});
}

TEST_CASE("text_file_source: lines starting exactly on split borders") {
  temp_dir dir;
  const auto file = dir.write("f", "aa\ncc\nee\n");
  text_file_source src(file, 3);
  CHECK(src.split_count() == 3);
  for (int i = 0; i < 3; ++i)
    CHECK(drain(src, i, 3) == std::vector<std::string>{std::string(2, char('a' + 2 * i))});
  CHECK(drain(text_file_source(dir.write("empty", ""))).empty());
  CHECK(drain(text_file_source(dir.write("nl", "\n"))) == std::vector<std::string>{""});
}

TEST_CASE("text_file_source: a line longer than max_line_bytes fails naming the file and offset") {
  temp_dir dir;
  // Lines of 100 bytes pass a limit of 100; the third line (offset 202) has 101 bytes, the
  // last one none of its bytes followed by a newline (a file without newlines).
  const std::string ok(100, 'a');
  const auto file = dir.write("f", ok + "\n" + ok + "\n" + std::string(101, 'b') + "\n");
  CHECK_THROWS_WITH_AS(drain(text_file_source(file, text_file_source::default_split_size, 100)),
                       ("text_file_source: the line at byte offset 202 of '" + file +
                        "' is longer than 100 bytes (max_line_bytes)")
                           .c_str(),
                       source_error);
  const auto unterminated = dir.write("g", std::string(300000, 'c'));
  CHECK_THROWS_WITH_AS(
      drain(text_file_source(unterminated, text_file_source::default_split_size, 200000)),
      ("text_file_source: the line at byte offset 0 of '" + unterminated +
       "' is longer than 200000 bytes (max_line_bytes)")
          .c_str(),
      source_error);
  CHECK(drain(text_file_source(file, text_file_source::default_split_size, 101)).size() == 3);
  CHECK_THROWS_AS(text_file_source(file, 1, 0), std::invalid_argument);
}

TEST_CASE("text_file_source reads the non-hidden files of a directory, sorted by name") {
  temp_dir dir;
  for (auto [name, text] :
       {std::pair{"b.txt", "b1\nb2\n"}, {"a.txt", "a1\na2"}, {"c.txt", ""}, {".h", "h\n"}})
    dir.write(name, text);
  fs::create_directory(dir.path / "sub");
  dir.write("sub/d.txt", "d\n");
  const std::vector<std::string> expected = {"a1", "a2", "b1", "b2"};
  CHECK(drain(text_file_source(dir.path.string())) == expected);
  for (int n = 1; n <= 4; ++n)
    CHECK(drain_all(text_file_source(dir.path.string(), 1), n) == expected);
  CHECK(drain(text_file_source((dir.path / "sub").string() + "/")).size() == 1);
  fs::create_directory(dir.path / "empty");
  CHECK(drain(text_file_source((dir.path / "empty").string())).empty());
}

TEST_CASE("text_file_source rejects missing, unreadable and special paths") {
  temp_dir dir;
  auto rejects = [](const std::string& path, const std::string& message) {
    CHECK_THROWS_WITH_AS(text_file_source{path}, doctest::Contains(message.c_str()), source_error);
  };
  rejects((dir.path / "missing.txt").string(), (dir.path / "missing.txt").string() + "' does not");
  const auto file = dir.write("f", "x\n");
  rejects(file + "/x", file + "/x': Not a directory");
  REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
  rejects((dir.path / "fifo").string(), "is neither a regular file nor a directory");
  CHECK_THROWS_AS(text_file_source(file, 0), std::invalid_argument);
  if (::geteuid() != 0) { // root reads anything
    fs::permissions(file, fs::perms::none);
    rejects(file, file + "': Permission denied");
    rejects(dir.path.string(), file + "': Permission denied");
  }
}

TEST_CASE("socket_text_source reads lines, idles without data, and finishes at close") {
  test_server server;
  std::promise<void> go;
  auto peer = serve(server, {"one\ntw", "o\r\n", "\nthr", "ee\nlast"}, go.get_future().share());
  auto src = socket_text_source("127.0.0.1", server.port()).clone();
  CHECK(src->max_source_parallelism() == 1);
  src->open(runtime_context{});
  vector_collector<std::string> out;
  poll_until(*src, out, 1);
  CHECK(out.items == std::vector<std::string>{"one"});
  CHECK(src->poll(out, 10) == source_status::idle); // "tw" waits for its end
  go.set_value();
  CHECK(poll_until(*src, out, 100) == source_status::finished);
  peer.join();
  CHECK(out.items == std::vector<std::string>{"one", "two", "", "three", "last"});
  CHECK(src->poll(out, 10) == source_status::finished);
}

TEST_CASE("socket_text_source: custom delimiter, failures to connect or read") {
  test_server server;
  auto peer = serve(server, {"a;", "b\r", ";c;"});
  auto src = socket_text_source("localhost", server.port(), ';').clone();
  src->open(runtime_context{});
  peer.join();
  vector_collector<std::string> out;
  CHECK(poll_until(*src, out, 100) == source_status::finished);
  CHECK(out.items == std::vector<std::string>{"a", "b\r", "c"});

  auto resetter = serve(server, {}, {}, true);
  src->open(runtime_context{});
  resetter.join();
  CHECK_THROWS_AS(poll_until(*src, out, 100), source_error);

  test_server closed(-1); // bound, not listening: connections are refused
  socket_text_source refused("127.0.0.1", closed.port());
  const auto where = "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": ";
  CHECK_THROWS_WITH_AS(refused.open(runtime_context{}), doctest::Contains(where.c_str()),
                       source_error);
  test_server full(0); // one pending connection fills the backlog: further SYNs are dropped
  auto first = socket_text_source("127.0.0.1", full.port()).clone();
  first->open(runtime_context{});
  socket_text_source late("127.0.0.1", full.port(), '\n', std::chrono::milliseconds(200));
  CHECK_THROWS_WITH_AS(late.open(runtime_context{}), doctest::Contains("timed out"), source_error);
  socket_text_source unknown("no-such-host.invalid", 9);
  CHECK_THROWS_WITH_AS(unknown.open(runtime_context{}),
                       doctest::Contains("cannot connect to no-such-host.invalid:9: "),
                       source_error);
}
