#pragma once
// Partitioners: which channel of an edge a record goes to, and the serializing writers that
// put records on those channels.

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/plan/channel_gate.hpp"
#include "sluice/state/key_group.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/serialization.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

enum class partition_kind { forward, rebalance, rescale, hash, broadcast, custom };

const char* to_string(partition_kind k);

/// Forward and rescale connect subtasks pointwise; the others connect all to all.
inline bool is_pointwise(partition_kind k) {
  return k == partition_kind::forward || k == partition_kind::rescale;
}

/// Where a writer sits: its subtask and the number of channels of its edge.
struct partition_context {
  int subtask_index = 0;
  int channels = 1;
  int max_parallelism = 128;
};

/// Round robin over the channels, starting at the subtask's own index (rebalance, rescale).
class round_robin_selector {
public:
  explicit round_robin_selector(const partition_context& ctx)
      : next_(ctx.subtask_index % ctx.channels), channels_(ctx.channels) {}
  template <class T>
  int operator()(const T&) {
    int ch = next_;
    if (++next_ == channels_)
      next_ = 0;
    return ch;
  }

private:
  int next_;
  int channels_;
};

/// Key groups: channel = key_group * channels / max_parallelism, looked up in a table.
template <class KeySelector>
class key_group_selector {
public:
  key_group_selector(KeySelector key, const partition_context& ctx)
      : key_(std::move(key)), max_parallelism_(static_cast<std::uint64_t>(ctx.max_parallelism)),
        mask_(max_parallelism_ & (max_parallelism_ - 1) ? 0 : max_parallelism_ - 1) {
    for (int kg = 0; kg < ctx.max_parallelism; ++kg)
      channel_of_.push_back(subtask_for_key_group(kg, ctx.channels, ctx.max_parallelism));
  }
  template <class T>
  int operator()(const T& value) {
    auto h = key_hash(key_(value));
    // key_hash % max_parallelism, as key_group_of(), without a division for powers of two.
    auto kg = mask_ != 0 ? h & mask_ : h % max_parallelism_;
    return channel_of_[static_cast<std::size_t>(kg)];
  }

private:
  KeySelector key_;
  std::uint64_t max_parallelism_;
  std::uint64_t mask_;
  std::vector<int> channel_of_;
};

/// A user partitioner: partition(key, channels) -> channel, checked to be in range.
template <class Partitioner, class KeySelector>
class custom_selector {
public:
  custom_selector(Partitioner p, KeySelector key, const partition_context& ctx)
      : partitioner_(std::move(p)), key_(std::move(key)), channels_(ctx.channels) {}
  template <class T>
  int operator()(const T& value) {
    int ch = static_cast<int>(partitioner_(key_(value), channels_));
    if (ch < 0 || ch >= channels_)
      throw std::out_of_range("custom partitioner returned " + std::to_string(ch) +
                              " for " + std::to_string(channels_) + " channels");
    return ch;
  }

private:
  Partitioner partitioner_;
  KeySelector key_;
  int channels_;
};

/// Serializes each record into the channel its selector picks.
template <class T, class Selector>
class record_writer final : public collector<T> {
public:
  record_writer(channel_gate& gate, Selector select) : gate_(gate), select_(std::move(select)) {}

  void collect(T&& value) override { collect(static_cast<const T&>(value)); }
  void collect(const T& value) override {
    this->count_taken();
    int ch = select_(value);
    auto& w = gate_.writer(ch);
    if (auto* stamp = gate_.stamp())
      serialize(w, stamp->value);
    serialize(w, value);
    gate_.record_written(ch);
  }
  void emit_watermark(std::int64_t wm) override { gate_.emit_watermark(wm); }
  void emit_watermark_status(bool idle) override { gate_.emit_watermark_status(idle); }

private:
  channel_gate& gate_;
  Selector select_;
};

/// Serializes each record once and copies its bytes to every channel.
template <class T>
class broadcast_writer final : public collector<T> {
public:
  explicit broadcast_writer(channel_gate& gate) : gate_(gate) {}

  void collect(T&& value) override { collect(static_cast<const T&>(value)); }
  void collect(const T& value) override {
    this->count_taken();
    scratch_.clear();
    {
      byte_writer w(scratch_);
      if (auto* stamp = gate_.stamp())
        serialize(w, stamp->value);
      serialize(w, value);
    }
    for (int ch = 0; ch < gate_.channel_count(); ++ch) {
      gate_.writer(ch).write_bytes(scratch_.data(), scratch_.size());
      gate_.record_written(ch);
    }
  }
  void emit_watermark(std::int64_t wm) override { gate_.emit_watermark(wm); }
  void emit_watermark_status(bool idle) override { gate_.emit_watermark_status(idle); }

private:
  channel_gate& gate_;
  std::vector<char> scratch_;
};

/// Makes the writer of one edge for one subtask, given the edge's resolved partition kind.
using writer_factory = std::function<std::unique_ptr<output_base>(
    channel_gate&, partition_kind, const partition_context&)>;

/// Writers for the partitioners that need no key: forward, rebalance, rescale, broadcast.
template <class T>
std::unique_ptr<output_base> make_keyless_writer(channel_gate& gate, partition_kind kind,
                                                 const partition_context& ctx) {
  if (kind == partition_kind::broadcast)
    return std::make_unique<broadcast_writer<T>>(gate);
  return std::make_unique<record_writer<T, round_robin_selector>>(gate, round_robin_selector{ctx});
}

template <class T>
writer_factory keyless_writer_factory() {
  return &make_keyless_writer<T>;
}

template <class T, class KeySelector>
writer_factory hash_writer_factory(KeySelector key) {
  return [key](channel_gate& gate, partition_kind, const partition_context& ctx) {
    using selector = key_group_selector<KeySelector>;
    return std::unique_ptr<output_base>(
        std::make_unique<record_writer<T, selector>>(gate, selector{key, ctx}));
  };
}

template <class T, class Partitioner, class KeySelector>
writer_factory custom_writer_factory(Partitioner p, KeySelector key) {
  return [p, key](channel_gate& gate, partition_kind, const partition_context& ctx) {
    using selector = custom_selector<Partitioner, KeySelector>;
    return std::unique_ptr<output_base>(
        std::make_unique<record_writer<T, selector>>(gate, selector{p, key, ctx}));
  };
}

} // namespace sluice
