#pragma once
// Outputs of operators: where a record goes next (a chained operator, a fan-out, or the
// serializing writer of a network edge).

#include "sluice/operators/time/timestamps.hpp"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace sluice {

/// The untyped side of every output: in-band events that are not records.
class output_base {
public:
  virtual ~output_base() = default;
  /// Forwards a watermark (all records with timestamp <= wm precede it).
  virtual void emit_watermark(std::int64_t wm) = 0;
  /// Forwards a change of watermark status: an idle stream does not hold watermarks back.
  /// Collectors that pass records on override it; end points may ignore it.
  virtual void emit_watermark_status(bool) {}

  /// The records this output has taken. Every output the runtime wires (an operator's input, a
  /// network writer, a fan-out, a discard) counts them as it takes them, in a call that happens
  /// anyway: a plain counter of the subtask's thread, from which the subtask reads each
  /// operator's records in and out (no wrapper, no second call per record).
  std::uint64_t records_taken() const { return records_taken_; }

protected:
  void count_taken(std::uint64_t n = 1) { records_taken_ += n; }

private:
  std::uint64_t records_taken_ = 0;
};

/// Receives the records of type T an operator emits.
template <class T>
class collector : public output_base {
public:
  virtual void collect(T&& value) = 0;

  /// Takes a run of records at once; operators override it to work batch-at-a-time (e.g. to
  /// prefetch the state of the next keys).
  virtual void collect_all(T* first, T* last) {
    for (; first != last; ++first)
      collect(std::move(*first));
  }

  /// Takes a run of records with their timestamps: each record's timestamp goes into `slot`
  /// before it is collected (the chain's element time). Operators that read the timestamp
  /// override it to work batch-at-a-time.
  virtual void collect_all_stamped(T* first, T* last, const std::int64_t* stamps,
                                   timestamp_slot& slot) {
    for (; first != last; ++first, ++stamps) {
      slot.value = *stamps;
      collect(std::move(*first));
    }
  }

  /// Takes a record the caller keeps (a fan-out's copy, a rolling reduce's running value).
  /// The default copies it for collect(T&&); outputs that only read records (network writers,
  /// sinks that take them by reference, fan-outs) override it and copy nothing.
  virtual void collect(const T& value) {
    T copy(value);
    collect(std::move(copy));
  }
};

/// Sends each record to several outputs: all but the last get it by reference (each copies it
/// only if it needs its own), the last gets it moved.
template <class T>
class fanout_collector final : public collector<T> {
public:
  explicit fanout_collector(std::vector<collector<T>*> outs) : outs_(std::move(outs)) {}

  void collect(T&& value) override {
    this->count_taken();
    for (std::size_t i = 0; i + 1 < outs_.size(); ++i)
      outs_[i]->collect(static_cast<const T&>(value));
    outs_.back()->collect(std::move(value));
  }
  void collect(const T& value) override {
    this->count_taken();
    for (auto* out : outs_)
      out->collect(value);
  }

  void emit_watermark(std::int64_t wm) override {
    for (auto* out : outs_)
      out->emit_watermark(wm);
  }
  void emit_watermark_status(bool idle) override {
    for (auto* out : outs_)
      out->emit_watermark_status(idle);
  }

private:
  std::vector<collector<T>*> outs_;
};

} // namespace sluice
