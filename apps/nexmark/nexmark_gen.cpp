// nexmark_gen: writes Nexmark events as JSON lines.
//
//   nexmark_gen --events N [--seed S] [--first-event-rate R] --out FILE
//
// Event ids 0..N-1 of generator.hpp, in order; the same N, S and R give the same file.

#include "generator.hpp"
#include "json_lines.hpp"
#include "numbers.hpp"

#include <sluice/sluice.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace {

const char* const usage =
    "usage: nexmark_gen --events N [--seed S] [--first-event-rate R] --out FILE\n";

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") {
      std::cout << usage;
      std::exit(0);
    }
    if (arg != "--events" && arg != "--seed" && arg != "--first-event-rate" && arg != "--out")
      throw sluice::config_error("unknown flag '" + arg + "'");
    if (i + 1 >= argc)
      throw sluice::config_error("flag " + arg + " needs a value");
    flags[arg.substr(2)] = argv[++i];
  }
  for (const char* required : {"events", "out"})
    if (!flags.count(required))
      throw sluice::config_error(std::string("flag --") + required + " is required");
  return flags;
}

} // namespace

int main(int argc, char** argv) {
  try {
    const auto flags = parse_flags(argc, argv);
    const auto value_or = [&](const std::string& name, const std::string& fallback) {
      const auto it = flags.find(name);
      return it == flags.end() ? fallback : it->second;
    };
    const std::int64_t events = nexmark::parse_flag_int("events", flags.at("events"), 0);
    nexmark::generator_config config;
    config.seed = static_cast<std::uint64_t>(
        nexmark::parse_flag_int("seed", value_or("seed", "0"), 0));
    config.first_event_rate =
        nexmark::parse_flag_int("first-event-rate", value_or("first-event-rate", "10000"), 1);
    const std::string& path = flags.at("out");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "w"),
                                                        &std::fclose);
    if (!out) {
      std::cerr << "nexmark_gen: error: cannot open '" << path << "' for writing\n";
      return 1;
    }
    std::string buffer;
    for (std::int64_t id = 0; id < events; ++id) {
      nexmark::append_json_line(buffer, nexmark::generate_event(config, id));
      if (buffer.size() >= (1 << 16) || id + 1 == events) {
        if (std::fwrite(buffer.data(), 1, buffer.size(), out.get()) != buffer.size()) {
          std::cerr << "nexmark_gen: error: cannot write to '" << path << "'\n";
          return 1;
        }
        buffer.clear();
      }
    }
    if (std::fflush(out.get()) != 0) {
      std::cerr << "nexmark_gen: error: cannot write to '" << path << "'\n";
      return 1;
    }
    return 0;
  } catch (const sluice::config_error& e) {
    std::cerr << "nexmark_gen: error: " << e.what() << '\n' << usage;
    return 2;
  }
}
