// Proves: a process function must take the stream's record type. Applying a
// process_function<std::string, ...> to a data_stream<int64_t> is rejected at compile time by
// process()'s static_assert ("process function input type").

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace {
class string_length final : public sluice::process_function<std::string, std::int64_t> {
public:
  void process_element(std::string&& s, context&, sluice::collector<std::int64_t>& out) override {
    out.collect(static_cast<std::int64_t>(s.size()));
  }
};
} // namespace

int main() {
  sluice::environment env;
  env.from_source(sluice::sequence_source{0, 9})
      .process(string_length{})
      .sink_to(sluice::discarding_sink<std::int64_t>{});
  return env.execute().exit_code();
}
