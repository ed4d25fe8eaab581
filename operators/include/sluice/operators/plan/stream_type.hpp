#pragma once
// Type-erased operations on the records of one stream type, made where the type is known
// (the typed job API) and used by the runtime, which is not templated on record types.

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/plan/batch_reader.hpp"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace sluice {

/// What the runtime can do with records of one (unknown to it) type.
class stream_type {
public:
  virtual ~stream_type() = default;
  /// A reader for the batches of one input of this type.
  virtual std::unique_ptr<batch_reader> make_batch_reader() const = 0;
  /// A collector that copies each record to all of `outs` (collectors of this type).
  virtual std::unique_ptr<output_base> make_fanout(const std::vector<output_base*>& outs) const = 0;
  /// A collector that drops records (an operator whose output nobody consumes), counting them.
  virtual std::unique_ptr<output_base> make_discard() const = 0;
};

template <class T>
class typed_stream_type final : public stream_type {
public:
  std::unique_ptr<batch_reader> make_batch_reader() const override {
    return std::make_unique<typed_batch_reader<T>>();
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
      void collect(T&&) override { this->count_taken(); }
      void collect(const T&) override { this->count_taken(); }
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
