// Proves: only streams of the same record type can be united. union_with of a
// data_stream<int64_t> and a data_stream<std::string> is rejected at compile time by
// union_with's static_assert ("union_with needs streams of the same type").

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

int main() {
  sluice::environment env;
  auto numbers = env.from_source(sluice::sequence_source{0, 9});
  auto words = env.from_source(sluice::collection_source<std::string>{{"a", "b"}});
  numbers.union_with(words).sink_to(sluice::discarding_sink<std::int64_t>{});
  return env.execute().exit_code();
}
