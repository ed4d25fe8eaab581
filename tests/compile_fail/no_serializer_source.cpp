// Proves: a record type without a serializer cannot be the record type of a stream. Reading a
// collection of such records is rejected at compile time by the static_assert in
// sluice/state/serializer.hpp ("no serializer for this record type").

#include <sluice/sluice.hpp>

namespace {
struct no_serializer_struct {
  int x = 0;
};
} // namespace

int main() {
  sluice::environment env;
  env.from_source(sluice::collection_source<no_serializer_struct>{{{1}, {2}}})
      .sink_to(sluice::discarding_sink<no_serializer_struct>{});
  return env.execute().exit_code();
}
