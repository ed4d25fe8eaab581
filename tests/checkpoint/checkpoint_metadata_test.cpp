// Checkpoint metadata in JSON: the layout of the document, blobs in base64, and every way a
// `_metadata` can be unreadable reported as a checkpoint_error naming the file and the field.

#include "checkpoint_test_support.hpp"
#include "sluice/state/checked_file.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <string>

using namespace sluice;
using nlohmann::json;
using sluice::test::sample_metadata;

namespace {

/// The message of the checkpoint_error reading `text` (as file "f/_metadata") throws.
std::string error_reading(const std::string& text) {
  try {
    metadata_from_text(text, "f/_metadata");
  } catch (const checkpoint_error& e) {
    return e.what();
  }
  return "no error";
}

/// The JSON of the sample metadata changed by `edit`, with its checksum recomputed the way the
/// format defines it (CRC-32 of the compact dump without the checksum field), so that only
/// the edit is wrong.
std::string edited(const std::function<void(json&)>& edit) {
  auto j = json::parse(metadata_to_text(sample_metadata("/data")));
  j.erase("checksum");
  edit(j);
  const auto text = j.dump();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc32(0, text.data(), text.size()));
  j["checksum"] = std::string("crc32:") + hex;
  return j.dump(2);
}

} // namespace

TEST_CASE("metadata survives JSON and back unchanged") {
  const auto m = sample_metadata("/data");
  const auto back = metadata_from_text(metadata_to_text(m), "x");
  CHECK(back == m);
  CHECK(back.operators.at("source").subtasks.at(0).blobs.at("binary") == std::string("\0\xff", 2));

  auto other = m;
  other.operators["count"].subtasks[1].keyed_state->parts[0].size_bytes = 5;
  CHECK_FALSE(other == m);
}

TEST_CASE("metadata JSON lays out operators, subtasks and handles as documented") {
  const auto j = json::parse(metadata_to_text(sample_metadata("/data")));
  CHECK(j["format_version"] == 1);
  CHECK(j["job_id"] == "job-a");
  CHECK(j["checkpoint_id"] == 7);
  CHECK(j["kind"] == "checkpoint");
  CHECK(j["timestamp_ms"] == 1700000000123);
  CHECK(j["state_backend"] == "heap");
  const auto& count = j["operators"]["count"];
  CHECK(count["parallelism"] == 2);
  CHECK(count["max_parallelism"] == 128);
  const auto& second = count["subtasks"][1];
  CHECK(second["index"] == 1);
  CHECK(second["keyed_state"]["backend"] == "heap");
  CHECK(second["keyed_state"]["key_groups"] == json::array({64, 127}));
  const auto& part = second["keyed_state"]["parts"][0];
  CHECK(part["format"] == "heap_key_groups");
  CHECK(part["path"] == "/data/count-1.kg");
  CHECK(part["size_bytes"] == 101);
  CHECK_FALSE(second.contains("operator_state"));
  const auto& source = j["operators"]["source"]["subtasks"][0];
  CHECK(source["operator_state"]["path"] == "/data/op-0-7.state");
  CHECK(source["operator_state"]["size_bytes"] == 40);
  // Base64 by hand: "ab" = 0x61 0x62 -> 011000 010110 0010(00) -> Y W I =;
  // 0x00 0xff -> 000000 001111 1111(00) -> A P 8 =.
  CHECK(source["blobs"]["text"] == "YWI=");
  CHECK(source["blobs"]["binary"] == "AP8=");
  CHECK(j["checksum"].get<std::string>().rfind("crc32:", 0) == 0);
}

TEST_CASE("blobs of every length and byte value round-trip through base64") {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b)
    all_bytes += static_cast<char>(b);
  auto m = sample_metadata("/data");
  auto& blobs = m.operators["source"].subtasks[0].blobs;
  for (std::size_t n = 0; n <= 5; ++n)
    blobs["len" + std::to_string(n)] = all_bytes.substr(250, n);
  blobs["all"] = all_bytes;
  const auto text = metadata_to_text(m);
  const auto j = json::parse(text);
  CHECK(j["operators"]["source"]["subtasks"][0]["blobs"]["len0"] == "");
  CHECK(j["operators"]["source"]["subtasks"][0]["blobs"]["len3"] == "+vv8"); // fa fb fc
  CHECK(metadata_from_text(text, "x") == m);
}

TEST_CASE("sizes and referenced paths cover keyed parts and operator state files") {
  const auto m = sample_metadata("/data");
  CHECK(m.state_size_bytes() == 100 + 101 + 40);
  CHECK(m.operators.at("count").subtasks.at(1).state_size_bytes() == 101);
  CHECK(m.referenced_paths() ==
        std::vector<std::string>{"/data/count-0.kg", "/data/count-1.kg", "/data/op-0-7.state"});

  auto no_state = m;
  no_state.operators["source"].subtasks[0].operator_state->path = "";
  CHECK(no_state.referenced_paths().size() == 2);
}

TEST_CASE("truncated metadata is an error naming the file") {
  const auto text = metadata_to_text(sample_metadata("/data"));
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{1}, text.size() / 3, text.size() / 2, text.size() - 3}) {
    CAPTURE(cut);
    const auto message = error_reading(text.substr(0, cut));
    CHECK(message.find("checkpoint metadata file 'f/_metadata'") != std::string::npos);
    CHECK(message.find("not valid JSON") != std::string::npos);
  }
}

TEST_CASE("an edited or bit-flipped value is caught by the checksum") {
  auto text = metadata_to_text(sample_metadata("/data"));
  const auto at = text.find("\"size_bytes\": 101");
  REQUIRE(at != std::string::npos);
  text[at + 14] = '9'; // 101 -> 901: still valid JSON
  const auto message = error_reading(text);
  CHECK(message.find("'f/_metadata' is invalid") != std::string::npos);
  CHECK(message.find("does not match its checksum") != std::string::npos);

  auto j = json::parse(metadata_to_text(sample_metadata("/data")));
  j.erase("checksum");
  CHECK(error_reading(j.dump()).find("has no field 'checksum'") != std::string::npos);
  CHECK(error_reading("[1, 2]") ==
        "checkpoint metadata file 'f/_metadata' is invalid: metadata: is not an object");
}

TEST_CASE("invalid fields are errors naming the file and the field") {
  struct bad_case {
    std::string what;
    std::function<void(json&)> edit;
    const char* expected;
  };
  const bad_case cases[] = {
      {"newer format", [](json& j) { j["format_version"] = 2; },
       "metadata.format_version: is 2, this build reads 1"},
      {"missing job id", [](json& j) { j.erase("job_id"); }, "metadata: has no field 'job_id'"},
      {"checkpoint id 0", [](json& j) { j["checkpoint_id"] = 0; },
       "metadata.checkpoint_id: 0 is out of range"},
      {"unknown kind", [](json& j) { j["kind"] = "snapshot"; },
       "metadata.kind: 'snapshot' is not checkpoint or savepoint"},
      {"parallelism above max", [](json& j) { j["operators"]["count"]["parallelism"] = 129; },
       "metadata.operators[\"count\"].parallelism: 129 is out of range [1, 128]"},
      {"subtask index out of range",
       [](json& j) { j["operators"]["count"]["subtasks"][1]["index"] = 2; },
       "metadata.operators[\"count\"].subtasks[1].index: 2 is out of range [0, 1]"},
      {"subtask twice", [](json& j) { j["operators"]["count"]["subtasks"][1]["index"] = 0; },
       "subtasks[1].index: subtask 0 appears twice"},
      {"key groups beyond max parallelism",
       [](json& j) {
         j["operators"]["count"]["subtasks"][1]["keyed_state"]["parts"][0]["key_groups"] =
             json::array({64, 128});
       },
       "keyed_state.parts[0].key_groups: [64, 128] is not a range of key groups in [0, 127]"},
      {"unknown part format",
       [](json& j) {
         j["operators"]["count"]["subtasks"][0]["keyed_state"]["parts"][0]["format"] = "tar";
       },
       "parts[0].format: 'tar' is not heap_key_groups, rocksdb_checkpoint, rocksdb_incremental "
       "or heap_incremental"},
      {"negative size",
       [](json& j) {
         j["operators"]["source"]["subtasks"][0]["operator_state"]["size_bytes"] = -1;
       },
       "operator_state.size_bytes: is not a non-negative integer"},
      {"operator state of another subtask",
       [](json& j) {
         j["operators"]["source"]["subtasks"][0]["operator_state"]["subtask_index"] = 3;
       },
       "operator_state.subtask_index: 3 is out of range [0, 0]"},
      {"blob not base64",
       [](json& j) { j["operators"]["source"]["subtasks"][0]["blobs"]["text"] = "YW=I"; },
       "blobs[\"text\"]: is not a base64 string"},
      {"blob with nonzero padding bits",
       [](json& j) { j["operators"]["source"]["subtasks"][0]["blobs"]["text"] = "YWJ="; },
       "blobs[\"text\"]: is not a base64 string"},
      {"operators not an object", [](json& j) { j["operators"] = json::array(); },
       "metadata.operators: is not an object"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto message = error_reading(edited(c.edit));
    CHECK(message.find("checkpoint metadata file 'f/_metadata' is invalid: ") == 0);
    CHECK_MESSAGE(message.find(c.expected) != std::string::npos, message);
  }
}
