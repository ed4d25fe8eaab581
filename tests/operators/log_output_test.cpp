// --log-file (spdlog's rotating file sink) and --log-format json (one object per line).
#include "sluice/operators/api/environment.hpp"
#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/core/logging.hpp"

#include "../temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using sluice::test::temp_dir;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string message(int i) { return "record " + std::to_string(i) + " said \"hi\\\"\tand\nleft"; }

/// Restores the logger to its defaults (stderr, text, warn) when the test ends.
struct default_log_after {
  ~default_log_after() {
    sluice::set_log_output({});
    sluice::set_log_level("warn");
  }
};

} // namespace

TEST_CASE("--log-format json writes one JSON object per line into rotating --log-file files") {
  temp_dir dir;
  default_log_after restore;
  const auto path = dir / "job.log";
  sluice::set_log_output({path, "json", 4096, 2});
  sluice::set_log_level("info");
  const int n = 300;
  for (int i = 0; i < n; ++i)
    sluice::log()->info(message(i));
  sluice::log()->debug("below the level");
  sluice::log()->flush();

  // Oldest first: job.2.log, job.1.log, job.log; no job.3.log (two old files are kept).
  std::vector<std::string> lines;
  for (const char* name : {"job.2.log", "job.1.log", "job.log"}) {
    REQUIRE(std::filesystem::exists(dir / name));
    CHECK(std::filesystem::file_size(dir / name) <= 4096);
    for (auto& line : lines_of(dir / name))
      lines.push_back(line);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "job.3.log"));
  // The lines kept are the last ones logged, in order, each a JSON object with the message
  // exactly as logged.
  REQUIRE(!lines.empty());
  CHECK(lines.size() < static_cast<std::size_t>(n));
  const int first = n - static_cast<int>(lines.size());
  for (std::size_t k = 0; k < lines.size(); ++k) {
    auto object = nlohmann::json::parse(lines[k]);
    CHECK(object.at("level") == "info");
    CHECK(object.at("message") == message(first + static_cast<int>(k)));
    CHECK(object.at("time").get<std::string>().size() >= 23);
    CHECK(object.at("thread").is_number());
  }
}

TEST_CASE("--log-file and --log-format set the configuration; bad values name the flag") {
  auto c = sluice::parse_args({"--log-file", "/var/log/job.log", "--log-format=json"}, {}).config;
  CHECK(c.log_file == "/var/log/job.log");
  CHECK(c.log_format == "json");
  auto defaults = sluice::parse_args({}, {}).config;
  CHECK(defaults.log_file.empty());
  CHECK(defaults.log_format == "text");
  auto error_of = [](std::vector<std::string> args) -> std::string {
    try {
      sluice::parse_args(args, {});
    } catch (const sluice::config_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of({"--log-format", "xml"}) == "flag --log-format: 'xml' is not text or json");
  CHECK(error_of({"--log-file="}) == "flag --log-file: the path is empty");
}

TEST_CASE("an environment with an unwritable --log-file fails naming the flag") {
  temp_dir dir;
  default_log_after restore;
  std::ofstream(dir / "plain-file") << "x";
  sluice::job_config config;
  config.log_file = dir / "plain-file/job.log"; // under a file: no directory can be made
  std::string error;
  try {
    sluice::environment env(config);
  } catch (const sluice::config_error& e) {
    error = e.what();
  }
  CHECK(error.rfind("flag --log-file: cannot write '" + config.log_file + "'", 0) == 0);
}
