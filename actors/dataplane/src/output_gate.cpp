#include "sluice/actors/output_gate.hpp"

#include "sluice/actors/buffer_pool.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice {

output_gate::output_gate(int channels, std::size_t batch_bytes, bool flush_every_record,
                         gate_transport& transport, subtask_counters& counters)
    : channels_(static_cast<std::size_t>(channels)),
      buffers_(std::make_unique<channel_buffer[]>(static_cast<std::size_t>(channels))),
      flush_every_record_(flush_every_record), transport_(transport), counters_(counters) {
  for (int ch = 0; ch < channels; ++ch) {
    channels_[static_cast<std::size_t>(ch)].batch_bytes = batch_bytes;
    open_buffer(ch);
  }
}

void output_gate::set_batch_bytes(int ch, std::size_t bytes) {
  if (buffers_[static_cast<std::size_t>(ch)].records != 0)
    throw std::logic_error("output_gate::set_batch_bytes on a channel holding records");
  channels_[static_cast<std::size_t>(ch)].batch_bytes = bytes;
  open_buffer(ch);
}

channel_gate& output_gate::edge_view(int first_channel, int channels,
                                     const timestamp_slot* stamp) {
  views_.push_back(
      std::make_unique<channel_gate>(buffers_.get(), first_channel, channels, *this, stamp));
  return *views_.back();
}

void output_gate::open_buffer(int ch) {
  const auto& c = channels_[static_cast<std::size_t>(ch)];
  auto& b = buffers_[static_cast<std::size_t>(ch)];
  b.flush_bytes = flush_every_record_ ? 0 : c.batch_bytes;
  b.bytes = buffer_pool::process().take(b.flush_bytes + c.slack);
  b.bytes.resize(b.flush_bytes + c.slack);
  b.writer.reset(b.bytes, 0);
  b.records = 0;
}

void output_gate::flush(int ch) {
  auto& b = buffers_[static_cast<std::size_t>(ch)];
  if (b.records == 0)
    return;
  auto& c = channels_[static_cast<std::size_t>(ch)];
  const auto size = b.writer.size();
  if (size > b.flush_bytes)
    c.slack = std::max(c.slack, std::min(size - b.flush_bytes, c.batch_bytes));
  item it;
  b.writer.finish();
  it.bytes = std::move(b.bytes);
  it.records = b.records;
  open_buffer(ch);
  counters_.records_out.add(it.records);
  enqueue(ch, std::move(it));
}

void output_gate::flush_all() {
  for (int ch = 0; ch < channel_count(); ++ch)
    flush(ch);
}

void output_gate::emit_event(int first_channel, int channels, event_kind kind,
                             std::int64_t value) {
  if (kind == event_kind::watermark)
    counters_.output_watermark.set(value);
  for (int ch = first_channel; ch < first_channel + channels; ++ch) {
    flush(ch);
    item it;
    it.is_event = true;
    it.kind = kind;
    it.value = value;
    enqueue(ch, std::move(it));
  }
}

void output_gate::emit_event_overtaking(
    event_kind kind, std::int64_t value,
    const std::function<void(int ch, const std::vector<char>& bytes, std::uint32_t records)>&
        overtaken) {
  for (int ch = 0; ch < channel_count(); ++ch) {
    flush(ch);
    for (const auto& it : channels_[static_cast<std::size_t>(ch)].queue)
      if (!it.is_event)
        overtaken(ch, it.bytes, it.records);
    transport_.send_event(ch, kind, value);
  }
}

void output_gate::enqueue_batch(int ch, std::vector<char> bytes, std::uint32_t records) {
  item it;
  it.bytes = std::move(bytes);
  it.records = records;
  enqueue(ch, std::move(it));
}

void output_gate::add_credit(int ch, int n) {
  channels_[static_cast<std::size_t>(ch)].credits += n;
  send_ready(ch);
}

void output_gate::enqueue(int ch, item it) {
  auto& c = channels_[static_cast<std::size_t>(ch)];
  bool was_congested = c.queued_batches >= congestion_limit;
  if (!it.is_event)
    ++c.queued_batches;
  c.queue.push_back(std::move(it));
  ++queued_items_;
  update_congestion(c, was_congested);
  send_ready(ch);
}

void output_gate::send_ready(int ch) {
  auto& c = channels_[static_cast<std::size_t>(ch)];
  bool was_congested = c.queued_batches >= congestion_limit;
  while (!c.queue.empty()) {
    auto& front = c.queue.front();
    if (front.is_event) {
      transport_.send_event(ch, front.kind, front.value);
    } else {
      if (c.credits == 0)
        break;
      --c.credits;
      --c.queued_batches;
      counters_.batches_out.add();
      counters_.bytes_out.add(front.bytes.size());
      transport_.send_batch(ch, std::move(front.bytes), front.records,
                            static_cast<std::int32_t>(c.queued_batches));
    }
    c.queue.pop_front();
    --queued_items_;
  }
  counters_.batches_waiting.set(queued_items_);
  update_congestion(c, was_congested);
}

void output_gate::update_congestion(channel& c, bool was_congested) {
  bool now = c.queued_batches >= congestion_limit;
  if (now == was_congested)
    return;
  auto t = std::chrono::steady_clock::now();
  if (now) {
    if (congested_++ == 0)
      blocked_since_ = t;
  } else if (--congested_ == 0) {
    counters_.backpressured_ns.add(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t - blocked_since_).count()));
  }
}

} // namespace sluice
