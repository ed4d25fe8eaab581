#include "sluice/actors/in_flight_data.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace sluice {

namespace {

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T get(const std::string& in, std::size_t& at) {
  if (in.size() - at < sizeof(T))
    throw std::runtime_error("in-flight data of a checkpoint is truncated");
  T value;
  std::memcpy(&value, in.data() + at, sizeof value);
  at += sizeof value;
  return value;
}

} // namespace

void append_in_flight(std::string& blob, int channel, std::uint32_t records, const char* data,
                      std::size_t size) {
  put(blob, static_cast<std::int32_t>(channel));
  put(blob, records);
  put(blob, static_cast<std::uint64_t>(size));
  blob.append(data, size);
}

std::vector<in_flight_batch> read_in_flight(const std::string& blob, int channels,
                                            const char* side) {
  std::vector<in_flight_batch> out;
  std::size_t at = 0;
  while (at < blob.size()) {
    in_flight_batch b;
    b.channel = get<std::int32_t>(blob, at);
    if (b.channel < 0 || b.channel >= channels)
      throw std::runtime_error("in-flight data of a checkpoint holds a batch of " +
                               std::string(side) + " channel " + std::to_string(b.channel) +
                               ", but the subtask has " + std::to_string(channels) + " " + side +
                               " channels");
    b.records = get<std::uint32_t>(blob, at);
    const auto size = get<std::uint64_t>(blob, at);
    if (blob.size() - at < size)
      throw std::runtime_error("in-flight data of a checkpoint is truncated");
    b.bytes.assign(blob.data() + at, blob.data() + at + size);
    at += size;
    out.push_back(std::move(b));
  }
  return out;
}

} // namespace sluice
