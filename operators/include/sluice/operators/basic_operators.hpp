#pragma once
// The stateless one-input operators: map, filter, flat_map, process. Each is a thin
// one_input_operator around the user's function, copied per subtask.

#include "sluice/operators/output_tag.hpp"
#include "sluice/operators/stream_operator.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace sluice {

template <class In, class Out, class F>
class map_operator final : public one_input_operator<In, Out> {
public:
  explicit map_operator(F fn) : fn_(std::move(fn)) {}
  void collect(In&& value) override {
    this->guard([&] { this->out_->collect(Out(fn_(std::move(value)))); });
  }
  using one_input_operator<In, Out>::collect;

private:
  F fn_;
};

template <class T, class F>
class filter_operator final : public one_input_operator<T, T> {
public:
  explicit filter_operator(F fn) : fn_(std::move(fn)) {}
  void collect(T&& value) override {
    this->guard([&] {
      if (fn_(static_cast<const T&>(value)))
        this->out_->collect(std::move(value));
    });
  }
  using one_input_operator<T, T>::collect;

private:
  F fn_;
};

template <class In, class Out, class F>
class flat_map_operator final : public one_input_operator<In, Out> {
public:
  explicit flat_map_operator(F fn) : fn_(std::move(fn)) {}
  void collect(In&& value) override {
    this->guard([&] { fn_(std::move(value), *this->out_); });
  }
  using one_input_operator<In, Out>::collect;

private:
  F fn_;
};

/// What a process function sees of the element being processed (Flink's
/// ProcessFunction.Context; timers need a keyed stream).
class process_context {
public:
  explicit process_context(const stream_operator& op) : op_(op) {}
  /// The element's timestamp, if the stream has timestamps.
  std::optional<std::int64_t> timestamp() const {
    auto ts = op_.context().current_timestamp();
    return ts == no_timestamp ? std::nullopt : std::optional<std::int64_t>(ts);
  }
  std::int64_t current_watermark() const { return watermark_; }
  std::int64_t current_processing_time() const {
    auto* service = op_.context().processing_time;
    return service ? service->now_ms()
                   : std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  }
  /// Emits `value` to side output `tag` (dropped if nothing consumes it).
  template <class U>
  void output(const output_tag<U>& tag, typename output_tag<U>::value_type value) {
    if (auto* out = op_.side_output(tag.id))
      static_cast<collector<U>*>(out)->collect(std::move(value));
  }

private:
  template <class>
  friend class process_operator;
  const stream_operator& op_;
  std::int64_t watermark_ = std::numeric_limits<std::int64_t>::min();
};

/// A process function: full control over emission, with open/close and end of input.
template <class In, class Out>
class process_function {
public:
  using input_type = In;
  using output_type = Out;
  using context = process_context;
  virtual ~process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, context& ctx, collector<Out>& out) = 0;
  /// All input has arrived; emit what is still pending.
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

template <class P>
class process_operator final
    : public one_input_operator<typename P::input_type, typename P::output_type> {
  using In = typename P::input_type;
  using base = one_input_operator<In, typename P::output_type>;

public:
  explicit process_operator(P fn) : fn_(std::move(fn)) {}
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    fn_.open(ctx);
  }
  void collect(In&& value) override {
    this->guard([&] { fn_.process_element(std::move(value), ctx_, *this->out_); });
  }
  void process_watermark(std::int64_t wm) override {
    ctx_.watermark_ = wm;
    this->out_->emit_watermark(wm);
  }
  void end_input() override { fn_.on_end_of_input(*this->out_); }
  void close() override { fn_.close(); }
  using base::collect;

private:
  P fn_;
  process_context ctx_{*this};
};

} // namespace sluice
