// sessionization: each user's clicks grouped into sessions that end after a gap without clicks,
// printed as `user,session_start,session_end,clicks` (Flink's session windows: a session ends
// `gap` after its last click).
//
//   sessionization [--input PATH] [--gap MS] [common flags]
//
// Clicks are `user,timestamp_ms` lines, from --input or a built-in list.

#include "click.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using sessionization::click;
using session_line = std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>;

struct count_clicks {
  std::int64_t create_accumulator() const { return 0; }
  std::int64_t add(const click&, std::int64_t n) const { return n + 1; }
  std::int64_t merge(std::int64_t a, std::int64_t b) const { return a + b; }
  std::int64_t get_result(std::int64_t n) const { return n; }
};

class session_bounds final
    : public sluice::process_window_function<std::string, std::int64_t, session_line> {
public:
  void process(const context& ctx, const std::vector<std::int64_t>& counts,
               sluice::collector<session_line>& out) override {
    for (auto n : counts)
      out.collect(session_line{ctx.key(), ctx.window().start, ctx.window().end, n});
  }
};

sluice::data_stream<std::string> read_lines(sluice::environment& env) {
  if (auto input = env.flag("input"))
    return env.from_source(sluice::text_file_source{*input}, "clicks of " + *input);
  return env.from_source(
      sluice::collection_source<std::string>{sessionization::builtin_clicks()},
      "built-in clicks");
}

std::int64_t gap_flag(const sluice::environment& env) {
  const std::string text = env.flag_or("gap", "30000");
  char* end = nullptr;
  const long long gap = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || gap <= 0)
    throw sluice::config_error("flag --gap: '" + text + "' is not a positive number of ms");
  return gap;
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"input", "file of user,timestamp_ms lines", {}, false},
                           {"gap", "session gap in ms", "30000", false}}};
  try {
    const std::int64_t gap = gap_flag(env);
    auto strategy = sluice::watermark_strategy<click>::for_monotonous_timestamps()
                        .with_timestamp_assigner(
                            [](const click& c, std::int64_t) { return c.timestamp; });
    read_lines(env)
        .set_parallelism(1)
        .map([](std::string line) { return sessionization::parse_click(line); }, "parse")
        .set_parallelism(1)
        .assign_timestamps_and_watermarks(strategy)
        .set_parallelism(1)
        .key_by([](const click& c) { return c.user; })
        .window(sluice::session_windows{gap})
        .aggregate(count_clicks{}, session_bounds{}, "sessions")
        .sink_to(sluice::print_sink<session_line>{}, "stdout")
        .set_parallelism(1);
    return env.execute("sessionization").exit_code();
  } catch (const sluice::config_error& e) {
    std::cerr << "sessionization: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sessionization: error: " << e.what() << '\n';
    return 1;
  }
}
