// Proves: a sink must take the stream's record type. Writing a data_stream<int64_t> to a
// sink<std::string> is rejected at compile time by sink_to's static_assert ("sink input type").

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

int main() {
  sluice::environment env;
  env.from_source(sluice::sequence_source{0, 9}).sink_to(sluice::collecting_sink<std::string>{});
  return env.execute().exit_code();
}
