// Writes the seed corpora of tests/fuzz/corpus/<target>/ with the real serializers and
// snapshot writers (hand-written text for the text formats, and CAF's binary layout of the
// in-band messages spelled out below). Usage: fuzz_make_seeds DIR
// (scripts/fuzz.sh --seeds runs it on tests/fuzz/corpus).

#include "fuzz_records.hpp"

#include "sluice/actors/in_flight_data.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/state/get_keyed_state.hpp"
#include "sluice/state/operator_state_backend.hpp"
#include "sluice/state/serialization.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sluice;

namespace {

fs::path out_dir;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  const auto dir = out_dir / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A batch: the selector byte (type index << 1, | 1 with timestamps), then the records.
template <class T>
std::string batch(int type_index, const std::vector<T>& records, bool stamped = false) {
  std::vector<char> bytes;
  {
    byte_writer w(bytes);
    std::int64_t t = 1000;
    for (const auto& r : records) {
      if (stamped)
        serialize(w, t++);
      serialize(w, r);
    }
  }
  return std::string(1, static_cast<char>(type_index << 1 | (stamped ? 1 : 0))) +
         std::string(bytes.begin(), bytes.end());
}

void batch_seeds() {
  // Indices into batch_builtin.cpp's readers.
  seed("batch_builtin", "int64", batch<std::int64_t>(3, {1, -2, 1LL << 40}));
  seed("batch_builtin", "strings", batch<std::string>(9, {"a", "", "hello world"}, true));
  seed("batch_builtin", "pairs", batch<std::pair<std::string, std::int64_t>>(10, {{"k", 7}}));
  seed("batch_builtin", "optional",
       batch<std::optional<std::string>>(12, {std::nullopt, std::string("x")}));
  seed("batch_builtin", "nested",
       batch<std::vector<std::vector<std::int64_t>>>(15, {{{1, 2}, {}, {3}}}));
  seed("batch_builtin", "map", batch<std::map<std::string, std::int64_t>>(19, {{{"a", 1}, {"b", 2}}}));
  // Indices into batch_fields.cpp's readers.
  seed("batch_fields", "event", batch<fuzz::csv_event>(1, {{"k", 5, 7, "k,5,7"}}, true));
  seed("batch_fields", "malformed",
       batch<fuzz::malformed_record>(2, {{"t", 1, 9, std::string("key"), "v", "bad"}}));
  fuzz::route r{"r", {{1, 2}, {3, 4}}, {{"home", {0, 0}}}, fuzz::csv_event{"a", 1, 2, "a,1,2"},
                true, 2.5};
  seed("batch_fields", "route", batch<fuzz::route>(3, {r}));
  seed("batch_fields", "external", batch<fuzz::external>(4, {{7, {r, r}}}));
}

/// Little-endian bytes of `v`, as CAF's binary_serializer writes integers.
template <class T>
std::string le(T v) {
  std::string out(sizeof v, '\0');
  std::memcpy(out.data(), &v, sizeof v);
  return out;
}

/// The events target's input for an event_msg: tag 1, then channel, kind, value as CAF's
/// binary form has them (this program does not link CAF, to keep the fuzz build small).
std::string event_bytes(std::int32_t channel, std::uint8_t kind, std::int64_t value) {
  return "\x01" + le(channel) + le(kind) + le(value);
}

/// A batch_msg: tag 0, channel, backlog, records, then the bytes as a sequence (a varbyte
/// length, then the bytes).
std::string batch_bytes(std::int32_t channel, std::int32_t backlog, std::uint32_t records,
                        const std::string& bytes) {
  std::string out = std::string(1, '\0') + le(channel) + le(backlog) + le(records);
  for (auto n = static_cast<std::uint32_t>(bytes.size()); ; n >>= 7) {
    out += static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    if (n < 0x80)
      break;
  }
  return out + bytes;
}

void event_seeds() {
  const std::string records("\x01" "a" "\x01" "b", 4);
  seed("events", "batches", batch_bytes(0, 1, 2, records) + batch_bytes(3, 0, 2, records));
  seed("events", "watermark", event_bytes(1, 0, 12345));
  std::string barriers;
  for (std::int32_t ch = 0; ch < 4; ++ch)
    barriers += event_bytes(ch, 1, 7);
  seed("events", "barriers", batch_bytes(2, 0, 2, records) + barriers);
  seed("events", "idle-end", event_bytes(0, 3, 0) + event_bytes(0, 4, 0) + event_bytes(0, 2, 0));
  std::string blob;
  append_in_flight(blob, 0, 2, records.data(), records.size());
  append_in_flight(blob, 3, 1, records.data(), 2);
  // in_flight input: the subtask's channel count - 1, then the blob.
  seed("in_flight", "two-batches", "\x03" + blob);
  seed("in_flight", "empty-batch", [] {
    std::string b("\x01");
    append_in_flight(b, 1, 0, nullptr, 0);
    return b;
  }());
}

/// The body of a checked file (between its 12-byte header and 12-byte footer).
std::string body_of(const std::string& path) {
  const auto file = read_all(path);
  return file.substr(12, file.size() - 24);
}

void state_seeds(const fs::path& tmp) {
  const key_group_range all{0, 127};
  heap_keyed_state_backend keyed("seed (1/1)", all, 128, system_ttl_clock::instance());
  keyed.set_key_type<std::string>();
  auto& count = keyed.get_state(value_state_descriptor<std::int64_t>("count"));
  auto& names = keyed.get_state(list_state_descriptor<std::string>("names"));
  auto& totals = keyed.get_state(map_state_descriptor<std::string, std::int64_t>("totals"));
  for (const char* key : {"a", "b", "key-1"}) {
    keyed.set_current_key(std::string(key));
    count.update(3);
    names.add(key);
    totals.put("x", 5);
  }
  const auto handle = keyed.snapshot(1, (tmp / "keyed").string());
  // key_group_file input: the wanted key groups' byte, the frame byte (0: framed), the body.
  seed("key_group_file", "heap-states", std::string("\x00\x00", 2) + body_of(handle.parts.at(0).path));
  seed("key_group_file", "heap-states-raw",
       std::string("\x10\x01", 2) + read_all(handle.parts.at(0).path));

  operator_state_backend op("seed (1/1)");
  op.get_list_state(list_state_descriptor<std::int64_t>("offsets")).update({10, 20, 30});
  op.get_union_list_state(list_state_descriptor<std::string>("names")).add("n");
  op.get_broadcast_state(map_state_descriptor<std::string, std::int64_t>("rules")).put("limit", 9);
  const auto op_handle = op.snapshot(1, (tmp / "op").string(), 0);
  seed("operator_state", "three-states", std::string("\x01\x00", 2) + body_of(op_handle.path));

  subtask_state s;
  s.keyed_state = handle;
  s.operator_state = op_handle;
  s.blobs[in_flight_blob] = "\x01\x02\x03";
  // state_handles input: the subtask index byte, max parallelism - 1, the text.
  seed("state_handles", "keyed-operator-blob",
       std::string("\x00\x7f", 2) + subtask_state_to_text(s, 0));
  seed("state_handles", "empty", std::string("\x01\x7f", 2) + subtask_state_to_text({}, 1));
  // An incremental RocksDB snapshot: private files in `path`, SST files shared.
  subtask_state incremental;
  keyed_state_part rocksdb_part;
  rocksdb_part.kind = keyed_state_part::format::rocksdb_incremental;
  rocksdb_part.path = (tmp / "chk-2" / "op-0.rocksdb").string();
  rocksdb_part.range = all;
  rocksdb_part.size_bytes = 4096 + 100;
  rocksdb_part.shared = {{"000012.sst", (tmp / "shared" / "op-0-1a2b-000012.sst").string(), 4096,
                          0x1234abcd}};
  rocksdb_part.reused_bytes = 4096;
  incremental.keyed_state = keyed_state_handle{"rocksdb", all, {rocksdb_part}};
  seed("state_handles", "rocksdb-incremental",
       std::string("\x00\x7f", 2) + subtask_state_to_text(incremental, 0));

  checkpoint_metadata m;
  m.job_id = "job";
  m.checkpoint_id = 3;
  m.timestamp_ms = 1700000000000;
  m.state_backend = "heap";
  operator_snapshot snap;
  snap.parallelism = 2;
  snap.max_parallelism = 128;
  snap.subtasks[0] = s;
  snap.subtasks[1] = {};
  m.operators["counter"] = snap;
  write_metadata_file(tmp, m);
  seed("metadata", "checkpoint", read_all(tmp / metadata_file_name));
  auto rocksdb = m;
  rocksdb.state_backend = "rocksdb";
  rocksdb.operators["counter"].subtasks[0] = incremental;
  write_metadata_file(tmp, rocksdb);
  seed("metadata", "rocksdb-incremental", read_all(tmp / metadata_file_name));
  m.kind = snapshot_kind::savepoint;
  m.operators.clear();
  write_metadata_file(tmp, m);
  seed("metadata", "empty-savepoint", read_all(tmp / metadata_file_name));
}

void text_seeds() {
  using namespace std::string_literals;
  seed("flags", "checkpoints",
       "\0--parallelism\0002\0--checkpoint-interval-ms\000500\0--checkpoint-dir\0/tmp/c"s
       "\0--state-backend\0rocksdb\0--input\0in.csv"s);
  seed("flags", "cluster",
       "\0--jobmanager-bind\000127.0.0.1:6123\0--taskmanagers\0002\0--restart-strategy\0"s
       "fixed-delay\0--restart-attempts\0003\0--skip-malformed"s);
  seed("flags", "equals", "\0--parallelism=4\0--window-ms=250\0--help"s);
  seed("config_file", "flat", "parallelism: 2\ncheckpoint-interval-ms: 1000\ninput: a.csv\n");
  seed("config_file", "quoted", "# comment\nstate-backend: \"heap\"\nrestart-strategy: none\n");
  seed("csv_lines", "lines", "a,1000,5\nb,1001,-7\nbad line\n,1,2\nk,x,1\n");
  seed("nexmark_json", "person",
       R"({"type":"person","id":1,"name":"n","email_address":"e","credit_card":"c",)"
       R"("city":"x","state":"OR","date_time":5,"extra":""})");
  seed("nexmark_json", "auction",
       R"({"type":"auction","id":2,"item_name":"i","description":"d","initial_bid":3,)"
       R"("reserve":4,"date_time":5,"expires":6,"seller":1,"category":10,"extra":"\u0001"})");
  seed("nexmark_json", "bid",
       R"({"type":"bid","auction":2,"bidder":1,"price":100,"channel":"web","url":"u",)"
       R"("date_time":7,"extra":"x"})");
  // pg_transactions input: the prefix's length, then prefix and name.
  const std::string prefix = "sluice/job/sink";
  seed("pg_transactions", "name", std::string(1, static_cast<char>(prefix.size())) + prefix +
                                      prefix + "/3/42");
  seed("pg_transactions", "other", std::string(1, static_cast<char>(prefix.size())) + prefix +
                                       "sluice/job/other/0/1");
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds DIR\n";
    return 2;
  }
  out_dir = argv[1];
  const auto tmp = fs::temp_directory_path() / ("sluice-seeds-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  try {
    batch_seeds();
    event_seeds();
    state_seeds(tmp);
    text_seeds();
  } catch (const std::exception& e) {
    std::cerr << "fuzz_make_seeds: " << e.what() << "\n";
    fs::remove_all(tmp);
    return 1;
  }
  fs::remove_all(tmp);
  return 0;
}
