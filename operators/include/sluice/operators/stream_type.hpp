#pragma once
// Type-erased operations on the records of one stream type, made where the type is known
// (the typed job API) and used by the runtime, which is not templated on record types.

#include "sluice/operators/collector.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/state/serialization.hpp"

#include <cstddef>
#include <memory>
#include <typeinfo>
#include <vector>

namespace sluice {

/// What the runtime can do with records of one (unknown to it) type.
class stream_type {
public:
  virtual ~stream_type() = default;
  /// Deserializes every record of a batch into `into` (a collector of this type); returns the
  /// number of records. With `stamp`, each record is preceded by its timestamp, which is put
  /// in the slot before the record is handed on; without, the slot holds no_timestamp.
  /// Throws serialization_error on a corrupt batch.
  virtual std::size_t read_batch(const char* data, std::size_t size, output_base& into,
                                 timestamp_slot* stamp) const = 0;
  /// A collector that copies each record to all of `outs` (collectors of this type).
  virtual std::unique_ptr<output_base> make_fanout(const std::vector<output_base*>& outs) const = 0;
  /// A collector that drops records (an operator whose output nobody consumes).
  virtual std::unique_ptr<output_base> make_discard() const = 0;
};

template <class T>
class typed_stream_type final : public stream_type {
  /// Records deserialized before they are handed on together.
  static constexpr std::size_t run_length = 256;

public:
  std::size_t read_batch(const char* data, std::size_t size, output_base& into,
                         timestamp_slot* stamp) const override {
    auto& out = static_cast<collector<T>&>(into);
    byte_reader reader(data, size);
    std::size_t n = 0;
    std::vector<T> run(run_length);
    std::vector<std::int64_t> stamps(stamp != nullptr ? run_length : 0);
    while (!reader.at_end()) {
      std::size_t k = 0;
      for (; k < run_length && !reader.at_end(); ++k) {
        if (stamp != nullptr)
          deserialize(reader, stamps[k]);
        deserialize(reader, run[k]);
      }
      if (stamp != nullptr)
        out.collect_all_stamped(run.data(), run.data() + k, stamps.data(), *stamp);
      else
        out.collect_all(run.data(), run.data() + k);
      n += k;
    }
    return n;
  }

  std::unique_ptr<output_base> make_fanout(const std::vector<output_base*>& outs) const override {
    std::vector<collector<T>*> typed;
    typed.reserve(outs.size());
    for (auto* o : outs)
      typed.push_back(&static_cast<collector<T>&>(*o));
    return std::make_unique<fanout_collector<T>>(std::move(typed));
  }

  std::unique_ptr<output_base> make_discard() const override {
    struct discard final : collector<T> {
      void collect(T&&) override {}
      void emit_watermark(std::int64_t) override {}
      void emit_watermark_status(bool) override {}
    };
    return std::make_unique<discard>();
  }
};

/// The single stream_type instance of T; instantiating it requires a serializer for T.
template <class T>
const stream_type& stream_type_of() {
  static const typed_stream_type<T> instance;
  return instance;
}

} // namespace sluice
