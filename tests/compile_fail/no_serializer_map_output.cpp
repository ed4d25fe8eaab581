// Proves: a transformation cannot produce a record type without a serializer either: a map
// whose function returns such a struct is rejected at compile time by the static_assert in
// sluice/state/serializer.hpp ("no serializer for this record type").

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace {
struct no_serializer_struct {
  std::int64_t x = 0;
};
} // namespace

int main() {
  sluice::environment env;
  env.from_source(sluice::sequence_source{0, 9}).map([](std::int64_t v) {
    return no_serializer_struct{v};
  });
  return env.execute().exit_code();
}
