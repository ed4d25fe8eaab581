// Record batches of every built-in serializer (arithmetic types, bool, std::string and the
// standard containers of serializer_std.hpp), read as a subtask reads a received batch.
// The first byte picks the record type (and whether records carry timestamps); the rest is
// the batch.

#include "fuzz_util.hpp"

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace {

const fuzz::read_fn readers[] = {
    fuzz::read_batch<std::int8_t>,
    fuzz::read_batch<std::uint16_t>,
    fuzz::read_batch<std::int32_t>,
    fuzz::read_batch<std::int64_t>,
    fuzz::read_batch<std::uint64_t>,
    fuzz::read_batch<float>,
    fuzz::read_batch<double>,
    fuzz::read_batch<std::pair<bool, std::int8_t>>,
    fuzz::read_batch<char>,
    fuzz::read_batch<std::string>,
    fuzz::read_batch<std::pair<std::string, std::int64_t>>,
    fuzz::read_batch<std::tuple<std::int32_t, std::string, double>>,
    fuzz::read_batch<std::optional<std::string>>,
    fuzz::read_batch<std::array<std::int16_t, 3>>,
    fuzz::read_batch<std::vector<std::string>>,
    fuzz::read_batch<std::vector<std::vector<std::int64_t>>>,
    fuzz::read_batch<std::vector<bool>>,
    fuzz::read_batch<std::set<std::string>>,
    fuzz::read_batch<std::unordered_set<std::int64_t>, true>,
    fuzz::read_batch<std::map<std::string, std::int64_t>>,
    fuzz::read_batch<std::unordered_map<std::int32_t, std::vector<std::string>>, true>,
    fuzz::read_batch<std::chrono::milliseconds>,
    fuzz::read_batch<std::map<std::int64_t, std::optional<std::pair<std::string, bool>>>>,
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::read_picked(readers, data, size);
  return 0;
}
