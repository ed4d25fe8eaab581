// Record batches of structs with SLUICE_FIELDS: flat, nested, inside containers, and the
// records of the shipped programs (window_aggregate's event, a Kafka source's malformed record),
// read as a subtask reads a received batch. The first byte picks the type (and timestamps).

#include "fuzz_util.hpp"

#include "fuzz_records.hpp"

namespace {

using namespace fuzz;

using read_fn = void (*)(const char*, std::size_t, bool);

const read_fn readers[] = {
    read_batch<point>,
    read_batch<csv_event>,
    read_batch<malformed_record>,
    read_batch<route>,
    read_batch<external>,
    read_batch<std::pair<point, std::vector<csv_event>>>,
};
constexpr std::size_t reader_count = sizeof readers / sizeof readers[0];

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto pick = data[0];
  readers[(pick >> 1) % reader_count](reinterpret_cast<const char*>(data + 1), size - 1,
                                      (pick & 1) != 0);
  return 0;
}
