#include "sluice/checkpoint/checkpoint_metadata.hpp"

#include "base64.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/state/checked_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

namespace sluice {

using nlohmann::json;

namespace {

// -- comparisons of the state module's handles ---------------------------------------------

bool same_keyed(const keyed_state_handle& a, const keyed_state_handle& b) {
  return same_keyed_state(a, b, [](const std::string& x, const std::string& y) { return x == y; });
}

bool same_operator(const operator_state_handle& a, const operator_state_handle& b) {
  return a.path == b.path && a.subtask_index == b.subtask_index && a.size_bytes == b.size_bytes;
}

template <class T, class Same>
bool same_optional(const std::optional<T>& a, const std::optional<T>& b, Same same) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

// -- writing --------------------------------------------------------------------------------

const char* to_string(keyed_state_part::format f) {
  switch (f) {
  case keyed_state_part::format::heap_key_groups:
    return "heap_key_groups";
  case keyed_state_part::format::rocksdb_checkpoint:
    return "rocksdb_checkpoint";
  case keyed_state_part::format::rocksdb_incremental:
    return "rocksdb_incremental";
  case keyed_state_part::format::heap_incremental:
    return "heap_incremental";
  }
  return "?";
}

json range_json(key_group_range r) { return json::array({r.first, r.last}); }

json keyed_json(const keyed_state_handle& h) {
  json parts = json::array();
  for (const auto& p : h.parts) {
    json part = {{"format", to_string(p.kind)},
                 {"path", p.path},
                 {"key_groups", range_json(p.range)},
                 {"size_bytes", p.size_bytes}};
    if (keyed_state_part::is_incremental(p.kind)) {
      json shared = json::array();
      for (const auto& f : p.shared)
        shared.push_back({{"name", f.local_name},
                          {"path", f.path},
                          {"size_bytes", f.size_bytes},
                          {"crc32", f.crc32}});
      part["shared"] = shared;
      part["reused_bytes"] = p.reused_bytes;
    }
    parts.push_back(std::move(part));
  }
  return {{"backend", h.backend}, {"key_groups", range_json(h.range)}, {"parts", parts}};
}

json subtask_json(int index, const subtask_state& s) {
  json out = {{"index", index}};
  if (s.keyed_state)
    out["keyed_state"] = keyed_json(*s.keyed_state);
  if (s.operator_state)
    out["operator_state"] = {{"path", s.operator_state->path},
                             {"subtask_index", s.operator_state->subtask_index},
                             {"size_bytes", s.operator_state->size_bytes}};
  json blobs = json::object();
  for (const auto& [name, bytes] : s.blobs)
    blobs[name] = detail::base64_encode(bytes);
  out["blobs"] = blobs;
  return out;
}

/// "crc32:" and 8 hex digits of the CRC-32 of `j` dumped compactly (nlohmann's objects are
/// sorted maps, so the same content always dumps the same way).
std::string checksum_of(const json& j) {
  const auto text = j.dump();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc32(0, text.data(), text.size()));
  return std::string("crc32:") + hex;
}

// -- reading --------------------------------------------------------------------------------

[[noreturn]] void bad_field(const std::string& where, const std::string& problem) {
  throw checkpoint_error(where + ": " + problem);
}

const json& field(const json& object, const std::string& where, const char* name) {
  if (!object.is_object())
    bad_field(where, "is not an object");
  auto it = object.find(name);
  if (it == object.end())
    bad_field(where, std::string("has no field '") + name + "'");
  return *it;
}

std::int64_t integer_field(const json& object, const std::string& where, const char* name,
                           std::int64_t min, std::int64_t max) {
  const auto& v = field(object, where, name);
  const auto at = where + "." + name;
  if (!v.is_number_integer())
    bad_field(at, "is not an integer");
  const bool too_large =
      v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
  if (too_large || v.get<std::int64_t>() < min || v.get<std::int64_t>() > max)
    bad_field(at, v.dump() + " is out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
  return v.get<std::int64_t>();
}

std::uint64_t size_field(const json& object, const std::string& where,
                         const char* name = "size_bytes") {
  const auto& v = field(object, where, name);
  if (!v.is_number_unsigned())
    bad_field(where + "." + name, "is not a non-negative integer");
  return v.get<std::uint64_t>();
}

std::string string_field(const json& object, const std::string& where, const char* name) {
  const auto& v = field(object, where, name);
  if (!v.is_string())
    bad_field(where + "." + name, "is not a string");
  return v.get<std::string>();
}

const json& array_field(const json& object, const std::string& where, const char* name) {
  const auto& v = field(object, where, name);
  if (!v.is_array())
    bad_field(where + "." + name, "is not an array");
  return v;
}

/// A non-empty key-group range inside [0, max_parallelism).
key_group_range range_field(const json& object, const std::string& where, int max_parallelism) {
  const auto& v = field(object, where, "key_groups");
  const auto at = where + ".key_groups";
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
    bad_field(at, "is not a pair of integers [first, last]");
  const auto first = v[0].get<std::int64_t>();
  const auto last = v[1].get<std::int64_t>();
  if (first < 0 || first > last || last >= max_parallelism)
    bad_field(at, "[" + std::to_string(first) + ", " + std::to_string(last) +
                      "] is not a range of key groups in [0, " +
                      std::to_string(max_parallelism - 1) + "]");
  return {static_cast<int>(first), static_cast<int>(last)};
}

/// The shared files of an incremental part, and the bytes of them uploaded before.
void read_shared(const json& j, const std::string& where, keyed_state_part& p) {
  const auto& shared = array_field(j, where, "shared");
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < shared.size(); ++i) {
    const auto at = where + ".shared[" + std::to_string(i) + "]";
    shared_state_file f;
    f.local_name = string_field(shared[i], at, "name");
    if (f.local_name.empty() || f.local_name.find('/') != std::string::npos)
      bad_field(at + ".name", "'" + f.local_name + "' is not a file name");
    f.path = string_field(shared[i], at, "path");
    f.size_bytes = size_field(shared[i], at);
    f.crc32 = static_cast<std::uint32_t>(
        integer_field(shared[i], at, "crc32", 0, std::numeric_limits<std::uint32_t>::max()));
    total += f.size_bytes;
    p.shared.push_back(std::move(f));
  }
  p.reused_bytes = size_field(j, where, "reused_bytes");
  if (p.reused_bytes > total || total > p.size_bytes)
    bad_field(where + ".reused_bytes", std::to_string(p.reused_bytes) + " reused of " +
                                           std::to_string(total) + " shared bytes, " +
                                           std::to_string(p.size_bytes) + " in all");
}

keyed_state_handle read_keyed(const json& j, const std::string& where, int max_parallelism) {
  keyed_state_handle h;
  h.backend = string_field(j, where, "backend");
  h.range = range_field(j, where, max_parallelism);
  const auto& parts = array_field(j, where, "parts");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto at = where + ".parts[" + std::to_string(i) + "]";
    keyed_state_part p;
    const auto format = string_field(parts[i], at, "format");
    if (format == "heap_key_groups")
      p.kind = keyed_state_part::format::heap_key_groups;
    else if (format == "rocksdb_checkpoint")
      p.kind = keyed_state_part::format::rocksdb_checkpoint;
    else if (format == "rocksdb_incremental")
      p.kind = keyed_state_part::format::rocksdb_incremental;
    else if (format == "heap_incremental")
      p.kind = keyed_state_part::format::heap_incremental;
    else
      bad_field(at + ".format", "'" + format +
                                    "' is not heap_key_groups, rocksdb_checkpoint, "
                                    "rocksdb_incremental or heap_incremental");
    p.path = string_field(parts[i], at, "path");
    p.range = range_field(parts[i], at, max_parallelism);
    p.size_bytes = size_field(parts[i], at);
    if (keyed_state_part::is_incremental(p.kind))
      read_shared(parts[i], at, p);
    h.parts.push_back(std::move(p));
  }
  return h;
}

subtask_state read_subtask(const json& j, const std::string& where, int index,
                           int max_parallelism) {
  subtask_state s;
  if (j.contains("keyed_state"))
    s.keyed_state = read_keyed(j["keyed_state"], where + ".keyed_state", max_parallelism);
  if (j.contains("operator_state")) {
    const auto at = where + ".operator_state";
    const auto& o = j["operator_state"];
    operator_state_handle h;
    h.path = string_field(o, at, "path");
    h.subtask_index = static_cast<int>(integer_field(o, at, "subtask_index", index, index));
    h.size_bytes = size_field(o, at);
    s.operator_state = std::move(h);
  }
  const auto& blobs = field(j, where, "blobs");
  if (!blobs.is_object())
    bad_field(where + ".blobs", "is not an object");
  for (const auto& [name, value] : blobs.items()) {
    const auto at = where + ".blobs[\"" + name + "\"]";
    auto bytes = value.is_string() ? detail::base64_decode(value.get<std::string>()) : std::nullopt;
    if (!bytes)
      bad_field(at, "is not a base64 string");
    s.blobs.emplace(name, std::move(*bytes));
  }
  return s;
}

operator_snapshot read_operator(const json& j, const std::string& where) {
  operator_snapshot op;
  op.max_parallelism =
      static_cast<int>(integer_field(j, where, "max_parallelism", 1, max_key_groups));
  op.parallelism = static_cast<int>(integer_field(j, where, "parallelism", 1, op.max_parallelism));
  const auto& subtasks = array_field(j, where, "subtasks");
  for (std::size_t i = 0; i < subtasks.size(); ++i) {
    const auto at = where + ".subtasks[" + std::to_string(i) + "]";
    const auto index =
        static_cast<int>(integer_field(subtasks[i], at, "index", 0, op.parallelism - 1));
    if (op.subtasks.count(index))
      bad_field(at + ".index", "subtask " + std::to_string(index) + " appears twice");
    op.subtasks.emplace(index, read_subtask(subtasks[i], at, index, op.max_parallelism));
  }
  return op;
}

} // namespace

const char* to_string(snapshot_kind kind) {
  return kind == snapshot_kind::checkpoint ? "checkpoint" : "savepoint";
}

std::uint64_t subtask_state::state_size_bytes() const {
  return (keyed_state ? keyed_state->size_bytes() : 0) +
         (operator_state ? operator_state->size_bytes : 0);
}

std::uint64_t subtask_state::written_bytes() const {
  return (keyed_state ? keyed_state->written_bytes() : 0) +
         (operator_state ? operator_state->size_bytes : 0);
}

bool operator==(const subtask_state& a, const subtask_state& b) {
  return same_optional(a.keyed_state, b.keyed_state, same_keyed) &&
         same_optional(a.operator_state, b.operator_state, same_operator) && a.blobs == b.blobs;
}

std::uint64_t checkpoint_metadata::state_size_bytes() const {
  std::uint64_t n = 0;
  for (const auto& [uid, op] : operators)
    for (const auto& [index, s] : op.subtasks)
      n += s.state_size_bytes();
  return n;
}

std::vector<std::string> checkpoint_metadata::referenced_paths() const {
  std::vector<std::string> out;
  for (const auto& [uid, op] : operators)
    for (const auto& [index, s] : op.subtasks) {
      if (s.keyed_state)
        for (const auto& p : s.keyed_state->parts) {
          out.push_back(p.path);
          for (const auto& f : p.shared)
            out.push_back(f.path);
        }
      if (s.operator_state && !s.operator_state->path.empty())
        out.push_back(s.operator_state->path);
    }
  return out;
}

std::vector<shared_state_file> checkpoint_metadata::shared_files() const {
  std::vector<shared_state_file> out;
  for (const auto& [uid, op] : operators)
    for (const auto& [index, s] : op.subtasks)
      if (s.keyed_state)
        for (const auto& p : s.keyed_state->parts)
          out.insert(out.end(), p.shared.begin(), p.shared.end());
  return out;
}

bool operator==(const checkpoint_metadata& a, const checkpoint_metadata& b) {
  return a.job_id == b.job_id && a.checkpoint_id == b.checkpoint_id && a.kind == b.kind &&
         a.timestamp_ms == b.timestamp_ms && a.state_backend == b.state_backend &&
         a.operators == b.operators;
}

void to_json(json& j, const checkpoint_metadata& m) {
  json operators = json::object();
  for (const auto& [uid, op] : m.operators) {
    json subtasks = json::array();
    for (const auto& [index, s] : op.subtasks)
      subtasks.push_back(subtask_json(index, s));
    operators[uid] = {{"parallelism", op.parallelism},
                      {"max_parallelism", op.max_parallelism},
                      {"subtasks", subtasks}};
  }
  j = {{"format_version", metadata_format_version},
       {"job_id", m.job_id},
       {"checkpoint_id", m.checkpoint_id},
       {"kind", to_string(m.kind)},
       {"timestamp_ms", m.timestamp_ms},
       {"state_backend", m.state_backend},
       {"operators", operators}};
  j["checksum"] = checksum_of(j);
}

void from_json(const json& j, checkpoint_metadata& m) {
  const std::string top = "metadata";
  const auto version = integer_field(j, top, "format_version", std::numeric_limits<int>::min(),
                                     std::numeric_limits<int>::max());
  if (version != metadata_format_version)
    bad_field(top + ".format_version", "is " + std::to_string(version) + ", this build reads " +
                                           std::to_string(metadata_format_version));
  const auto checksum = string_field(j, top, "checksum");
  auto content = j;
  content.erase("checksum");
  if (checksum != checksum_of(content))
    throw checkpoint_error("the content does not match its checksum " + checksum +
                           " (the file was corrupted or edited)");
  checkpoint_metadata out;
  out.job_id = string_field(j, top, "job_id");
  out.checkpoint_id =
      integer_field(j, top, "checkpoint_id", 1, std::numeric_limits<std::int64_t>::max());
  const auto kind = string_field(j, top, "kind");
  if (kind == "checkpoint")
    out.kind = snapshot_kind::checkpoint;
  else if (kind == "savepoint")
    out.kind = snapshot_kind::savepoint;
  else
    bad_field(top + ".kind", "'" + kind + "' is not checkpoint or savepoint");
  out.timestamp_ms =
      integer_field(j, top, "timestamp_ms", 0, std::numeric_limits<std::int64_t>::max());
  out.state_backend = string_field(j, top, "state_backend");
  const auto& operators = field(j, top, "operators");
  if (!operators.is_object())
    bad_field(top + ".operators", "is not an object");
  for (const auto& [uid, op] : operators.items())
    out.operators.emplace(uid, read_operator(op, top + ".operators[\"" + uid + "\"]"));
  m = std::move(out);
}

std::string subtask_state_to_text(const subtask_state& s, int index) {
  return subtask_json(index, s).dump();
}

subtask_state subtask_state_from_text(const std::string& text, int index, int max_parallelism) {
  try {
    return read_subtask(json::parse(text), "subtask state", index, max_parallelism);
  } catch (const json::exception& e) {
    throw checkpoint_error("subtask state is invalid: " + std::string(e.what()));
  }
}

std::string metadata_to_text(const checkpoint_metadata& m) {
  try {
    return json(m).dump(2) + "\n";
  } catch (const json::exception& e) {
    // A uid, path or job id that is not UTF-8.
    throw checkpoint_error("metadata of " + std::string(to_string(m.kind)) + " " +
                           std::to_string(m.checkpoint_id) +
                           " cannot be written as JSON: " + e.what());
  }
}

checkpoint_metadata metadata_from_text(const std::string& text, const std::string& source) {
  const auto prefix = "checkpoint metadata file '" + source + "' ";
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) { // a syntax error, or a number past a double's range
    throw checkpoint_error(prefix + "is not valid JSON (truncated or corrupt): " + e.what());
  }
  try {
    return j.get<checkpoint_metadata>();
  } catch (const checkpoint_error& e) {
    throw checkpoint_error(prefix + "is invalid: " + e.what());
  } catch (const json::exception& e) {
    throw checkpoint_error(prefix + "is invalid: " + e.what());
  }
}

} // namespace sluice
