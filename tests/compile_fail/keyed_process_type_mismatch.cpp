// Proves: on a keyed stream too, a process function must take the stream's record type.
// Applying a keyed_process_function<..., std::string, ...> to a keyed stream of int64_t records
// is rejected at compile time by process()'s static_assert ("process function input type").

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace {
class keyed_string_length final
    : public sluice::keyed_process_function<std::int64_t, std::string, std::int64_t> {
public:
  void process_element(std::string&& s, context& ctx,
                       sluice::collector<std::int64_t>& out) override {
    out.collect(ctx.current_key() + static_cast<std::int64_t>(s.size()));
  }
};
} // namespace

int main() {
  sluice::environment env;
  env.from_source(sluice::sequence_source{0, 9})
      .key_by([](std::int64_t v) { return v % 3; })
      .process(keyed_string_length{})
      .sink_to(sluice::discarding_sink<std::int64_t>{});
  return env.execute().exit_code();
}
