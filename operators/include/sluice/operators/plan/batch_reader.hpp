#pragma once
// Reading the batches of one input: deserializing their records, in runs, for the runtime,
// which is not templated on record types.

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/state/serialization.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

/// Deserializes the batches of one input into records and hands them on in runs. It keeps the
/// records of its run from batch to batch, so that records the operators only read (a rolling
/// reduce, a network writer) lend their strings and containers to the next batch's records
/// instead of each being allocated and freed; what they keep is bounded (see retain_limit).
class batch_reader {
public:
  virtual ~batch_reader() = default;
  /// Deserializes every record of a batch into `into` (a collector of the reader's type);
  /// returns the number of records. With `stamp`, each record is preceded by its timestamp,
  /// which is put in the slot before the record is handed on; without, the slot holds
  /// no_timestamp. Throws serialization_error on a corrupt batch.
  virtual std::size_t read(const char* data, std::size_t size, output_base& into,
                           timestamp_slot* stamp) = 0;
};

template <class T>
class typed_batch_reader final : public batch_reader {
public:
  /// Records deserialized before they are handed on together.
  static constexpr std::size_t run_length = 256;
  /// The serialized bytes of the largest record read into each slot, summed over the run, past
  /// which the run's records are replaced by empty ones (their capacity is about that much).
  static constexpr std::size_t retain_limit = std::size_t{1} << 20;

  std::size_t read(const char* data, std::size_t size, output_base& into,
                   timestamp_slot* stamp) override {
    auto& out = static_cast<collector<T>&>(into);
    byte_reader reader(data, size);
    std::size_t n = 0;
    if (stamp != nullptr)
      stamps_.resize(run_length);
    while (!reader.at_end()) {
      std::size_t k = 0;
      for (; k < run_length && !reader.at_end(); ++k) {
        if (stamp != nullptr)
          deserialize(reader, stamps_[k]);
        const auto before = reader.remaining();
        deserialize(reader, run_[k]);
        note_size(k, before - reader.remaining());
      }
      if (stamp != nullptr)
        out.collect_all_stamped(run_.data(), run_.data() + k, stamps_.data(), *stamp);
      else
        out.collect_all(run_.data(), run_.data() + k);
      n += k;
      if (retained_ > retain_limit)
        release();
    }
    return n;
  }

private:
  void note_size(std::size_t k, std::size_t bytes) {
    if (bytes > largest_[k]) {
      retained_ += bytes - largest_[k];
      largest_[k] = bytes;
    }
  }
  void release() {
    run_ = std::vector<T>(run_length);
    largest_.fill(0);
    retained_ = 0;
  }

  std::vector<T> run_ = std::vector<T>(run_length);
  std::vector<std::int64_t> stamps_;
  std::array<std::size_t, run_length> largest_{};
  std::size_t retained_ = 0;
};

} // namespace sluice
