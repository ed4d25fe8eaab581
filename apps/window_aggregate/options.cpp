#include "options.hpp"

#include <charconv>
#include <system_error>

namespace window_aggregate {

namespace {

using sluice::config_error;

std::optional<std::int64_t> number_flag(const sluice::environment& env, const std::string& name) {
  auto text = env.flag(name);
  if (!text)
    return std::nullopt;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end)
    throw config_error("flag --" + name + ": '" + *text + "' is not an int64 number of milliseconds");
  return value;
}

std::int64_t required_number(const sluice::environment& env, const std::string& name,
                             const std::string& kind) {
  auto value = number_flag(env, name);
  if (!value)
    throw config_error("flag --" + name + " is required for --window " + kind);
  if (*value <= 0)
    throw config_error("flag --" + name + ": must be > 0 (got " + std::to_string(*value) + ")");
  return *value;
}

void reject(const sluice::environment& env, const std::string& name, const std::string& kind) {
  if (env.flag(name))
    throw config_error("flag --" + name + " does not apply to --window " + kind);
}

std::int64_t non_negative(const sluice::environment& env, const std::string& name) {
  auto value = number_flag(env, name).value_or(0);
  if (value < 0)
    throw config_error("flag --" + name + ": must be >= 0 (got " + std::to_string(value) + ")");
  return value;
}

window_kind read_kind(const sluice::environment& env) {
  auto kind = env.flag("window");
  if (!kind)
    throw config_error("flag --window is required (tumbling, sliding or session)");
  if (*kind == "tumbling")
    return window_kind::tumbling;
  if (*kind == "sliding")
    return window_kind::sliding;
  if (*kind == "session")
    return window_kind::session;
  throw config_error("flag --window: unknown window kind '" + *kind +
                     "' (expected tumbling, sliding or session)");
}

/// --offset must satisfy |offset| < period, as Flink's window assigners require.
std::int64_t read_offset(const sluice::environment& env, std::int64_t period,
                         const std::string& period_flag) {
  auto offset = number_flag(env, "offset").value_or(0);
  if (offset <= -period || offset >= period)
    throw config_error("flag --offset: must satisfy |offset| < --" + period_flag + " (got " +
                       std::to_string(offset) + ", --" + period_flag + " " +
                       std::to_string(period) + ")");
  return offset;
}

} // namespace

std::vector<sluice::flag_spec> flag_specs() {
  return {
      {"input", "CSV file of key,timestamp_ms,value lines (default: stdin)", {}, false},
      {"output",
       "file for key,window_start,window_end,count,sum,min,max (default: stdout); with "
       "checkpointing a directory of exactly-once part files",
       {},
       false},
      {"late-output",
       "file for records dropped as late, unchanged (default: dropped); with checkpointing a "
       "directory of exactly-once part files",
       {},
       false},
      {"window", "tumbling, sliding or session", {}, false},
      {"size", "window size in ms (tumbling, sliding)", {}, false},
      {"slide", "window slide in ms (sliding)", {}, false},
      {"gap", "session gap in ms (session)", {}, false},
      {"offset", "window offset in ms, |offset| < size (tumbling) or slide (sliding)", {}, false},
      {"out-of-orderness", "watermark bound in ms: watermark = max timestamp - bound - 1", {},
       false},
      {"allowed-lateness", "ms a window is kept after it fired, re-firing on late records", {},
       false},
      {"idle-timeout", "mark the input idle after this many ms without records", {}, false},
      {"skip-malformed", "skip malformed lines and report their count on stderr", {}, true},
  };
}

options read_options(const sluice::environment& env) {
  options o;
  o.input = env.flag("input");
  o.output = env.flag("output");
  o.late_output = env.flag("late-output");
  o.checkpointing = env.config().checkpointing.enabled();
  o.kind = read_kind(env);
  switch (o.kind) {
  case window_kind::tumbling:
    o.size = required_number(env, "size", "tumbling");
    reject(env, "slide", "tumbling");
    reject(env, "gap", "tumbling");
    o.offset = read_offset(env, o.size, "size");
    break;
  case window_kind::sliding:
    o.size = required_number(env, "size", "sliding");
    o.slide = required_number(env, "slide", "sliding");
    reject(env, "gap", "sliding");
    o.offset = read_offset(env, o.slide, "slide");
    break;
  case window_kind::session:
    o.gap = required_number(env, "gap", "session");
    reject(env, "size", "session");
    reject(env, "slide", "session");
    reject(env, "offset", "session");
    break;
  }
  o.out_of_orderness = non_negative(env, "out-of-orderness");
  o.allowed_lateness = non_negative(env, "allowed-lateness");
  o.idle_timeout = number_flag(env, "idle-timeout");
  if (o.idle_timeout && *o.idle_timeout <= 0)
    throw config_error("flag --idle-timeout: must be > 0 (got " + std::to_string(*o.idle_timeout) +
                       ")");
  o.skip_malformed = env.flag("skip-malformed").has_value();
  return o;
}

bool flag_given(int argc, char** argv, const std::string& name) {
  const std::string flag = "--" + name;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == flag || arg.rfind(flag + "=", 0) == 0)
      return true;
  }
  return false;
}

} // namespace window_aggregate
