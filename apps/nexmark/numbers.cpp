#include "numbers.hpp"

#include <sluice/sluice.hpp>

#include <cerrno>
#include <cstdlib>

namespace nexmark {

std::int64_t parse_flag_int(const std::string& flag, const std::string& text,
                            std::int64_t minimum) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value < minimum)
    throw sluice::config_error("flag --" + flag + ": '" + text + "' is not an integer >= " +
                               std::to_string(minimum));
  return value;
}

} // namespace nexmark
