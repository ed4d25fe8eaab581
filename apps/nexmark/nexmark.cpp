// nexmark: runs one Nexmark query.
//
//   nexmark --query qN --input FILE --output OUT [--parallelism P] [common flags]
//   nexmark --query qN --events N [--seed S] [--first-event-rate R] [--output OUT]
//   nexmark --query qN --events N [--parallelism P] [--repeat R] --json
//
// The first two write the query's CSV lines to OUT (events of a JSON-lines file, or of the
// in-process generator). --json measures the query on the generator against the single-threaded
// baseline of the same query (baselines.hpp), interleaved, best of R, and prints the figures
// with one JSON object as the last line.

#include "json_lines.hpp"
#include "numbers.hpp"
#include "speed.hpp"

#include <iostream>

namespace {

std::vector<sluice::flag_spec> job_flags() {
  return {{"query", "the query: q0, q1, ...", std::nullopt, false},
          {"input", "JSON-lines file of events (nexmark_gen's output)", std::nullopt, false},
          {"output", "file the query's CSV lines go to", std::nullopt, false},
          {"events", "events of the in-process generator", std::nullopt, false},
          {"seed", "the generator's seed", "0", false},
          {"first-event-rate", "events per second of event time", "10000", false},
          {"repeat", "--json: best of R interleaved runs", "1", false},
          {"json", "measure the query against its single-threaded baseline", std::nullopt, true}};
}

nexmark::event_input input_of(const sluice::environment& env) {
  nexmark::event_input input;
  input.generator.seed =
      static_cast<std::uint64_t>(nexmark::parse_flag_int("seed", env.flag_or("seed", "0"), 0));
  input.generator.first_event_rate = nexmark::parse_flag_int(
      "first-event-rate", env.flag_or("first-event-rate", "10000"), 1);
  const auto file = env.flag("input");
  const auto events = env.flag("events");
  if (file.has_value() == events.has_value())
    throw sluice::config_error("give one of --input FILE and --events N");
  if (events)
    input.events = nexmark::parse_flag_int("events", *events, 0);
  else
    input.file_events =
        std::make_shared<const std::vector<nexmark::event>>(nexmark::read_json_lines(*file));
  return input;
}

int run_to_file(sluice::environment& env, const std::string& query,
                const nexmark::event_input& input) {
  const auto output = env.flag("output");
  if (!output)
    throw sluice::config_error("flag --output is required (or --json)");
  nexmark::build_query(query, nexmark::event_stream(env, input))
      .sink_to(nexmark::row_file_sink{*output}, "lines of " + *output)
      .set_parallelism(1);
  const auto result = env.execute("nexmark " + query);
  if (!result.ok())
    std::cerr << "nexmark: error: " << result.error() << '\n';
  return result.exit_code();
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv, job_flags()};
  try {
    const auto query = env.flag("query");
    if (!query)
      throw sluice::config_error("flag --query is required");
    nexmark::require_query(*query);
    const auto input = input_of(env);
    if (!env.flag("json"))
      return run_to_file(env, *query, input);
    if (input.file_events)
      throw sluice::config_error("--json runs on the in-process generator: give --events N");
    const auto repeat = nexmark::parse_flag_int("repeat", env.flag_or("repeat", "1"), 1);
    const auto figures = nexmark::measure(env.config(), *query, input, static_cast<int>(repeat));
    nexmark::print_figures(std::cout, figures);
    return 0;
  } catch (const sluice::config_error& e) {
    std::cerr << "nexmark: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nexmark: error: " << e.what() << '\n';
    return 1;
  }
}
