#pragma once
// Parsing of the programs' numeric flag values: errors name the flag.

#include <cstdint>
#include <string>

namespace nexmark {

/// `text` as an integer >= minimum; throws sluice::config_error naming `--flag` otherwise.
std::int64_t parse_flag_int(const std::string& flag, const std::string& text,
                            std::int64_t minimum);

} // namespace nexmark
