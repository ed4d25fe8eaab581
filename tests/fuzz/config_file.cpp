// Configuration files (--config FILE: a flat YAML mapping of flag names to values), applied as
// parse_args applies them, then job_config::validate.

#include "fuzz_util.hpp"

#include "sluice/operators/api/job_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& path = fuzz::scratch_path("config.yaml");
  fuzz::write_file(path, reinterpret_cast<const char*>(data), size);
  const std::vector<sluice::flag_spec> job_flags{{"input", "a file", std::nullopt, false}};
  try {
    auto parsed = sluice::parse_args({"--config", path}, job_flags);
    parsed.config.validate();
  } catch (const sluice::config_error&) {
  }
  return 0;
}
