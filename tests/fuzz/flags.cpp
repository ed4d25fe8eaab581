// Command lines (parse_args, then job_config::validate): the input is the arguments separated
// by NUL bytes, parsed with a job's own flags beside the common ones.

#include "sluice/operators/api/job_config.hpp"

#include <string>
#include <vector>

namespace {

const std::vector<sluice::flag_spec> job_flags{
    {"input", "a file", std::nullopt, false},
    {"window-ms", "a number", std::string("1000"), false},
    {"skip-malformed", "a switch", std::nullopt, true},
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\0')
      args.emplace_back();
    else
      args.back() += static_cast<char>(data[i]);
  }
  try {
    auto parsed = sluice::parse_args(args, job_flags);
    parsed.config.validate();
    (void)parsed.config.default_parallelism();
  } catch (const sluice::config_error&) {
  }
  return 0;
}
