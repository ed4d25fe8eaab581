// Record batches of structs with SLUICE_FIELDS: flat, nested, inside containers, and the
// records of the shipped programs (window_aggregate's event, a Kafka source's malformed record),
// read as a subtask reads a received batch. The first byte picks the type (and timestamps).

#include "fuzz_util.hpp"

#include "fuzz_records.hpp"

namespace {

using namespace fuzz;

const fuzz::read_fn readers[] = {
    read_batch<point>,
    read_batch<csv_event>,
    read_batch<malformed_record>,
    read_batch<route>,
    read_batch<external>,
    read_batch<std::pair<point, std::vector<csv_event>>>,
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::read_picked(readers, data, size);
  return 0;
}
