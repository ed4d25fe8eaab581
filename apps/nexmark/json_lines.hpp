#pragma once
// Events as JSON lines (nexmark_gen's output, nexmark --input's input):
//   {"type":"person","id",...}, {"type":"auction","id",...}, {"type":"bid","auction",...}
// with the fields of events.hpp in that order, date_time and expires in epoch milliseconds.

#include "events.hpp"

#include <string>
#include <vector>

namespace nexmark {

/// Appends `e` as one JSON object and '\n' to `out`.
void append_json_line(std::string& out, const event& e);

/// The event of one JSON line; throws std::runtime_error saying what is wrong (a missing or
/// mistyped field, an unknown type, invalid JSON).
event parse_json_line(const std::string& line);

/// Every event of the JSON-lines file `path` (empty lines skipped); throws std::runtime_error
/// naming the file and line (`FILE:LINE: ...`) of the first malformed line, or the file if it
/// cannot be read.
std::vector<event> read_json_lines(const std::string& path);

} // namespace nexmark
