// Per key k in [0, 7): the rolling sum of i * i over the numbers i in [1, --count] with
// i % 7 == k, one line `k,sum` per number; a key's last line holds its total.
#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>
#include <utility>

using key_sum = std::pair<std::int64_t, std::int64_t>;

int main(int argc, char** argv) {
  sluice::environment env{argc, argv, {{"count", "numbers to sum", std::string("1000"), false}}};
  env.from_source(sluice::sequence_source(1, std::stoll(env.flag_or("count", "1000"))), "numbers")
      .map([](std::int64_t i) { return key_sum{i % 7, i * i}; })
      .key_by([](const key_sum& s) { return s.first; })
      .sum<1>()
      .sink_to(sluice::print_sink<key_sum>{});
  return env.execute("sum of squares").exit_code();
}
