#include "sluice/actors/output_gate.hpp"

namespace sluice {

namespace {

class edge_gate final : public channel_gate {
public:
  edge_gate(output_gate& gate, int first, int n) : gate_(gate), first_(first), n_(n) {}
  std::vector<char>& buffer(int ch) override { return gate_.buffer(first_ + ch); }
  void record_written(int ch) override { gate_.record_written(first_ + ch); }
  void emit_watermark(std::int64_t wm) override {
    gate_.emit_event(first_, n_, event_kind::watermark, wm);
  }
  int channel_count() const override { return n_; }

private:
  output_gate& gate_;
  int first_;
  int n_;
};

} // namespace

output_gate::output_gate(int channels, std::size_t batch_bytes, bool flush_every_record,
                         gate_transport& transport, subtask_counters& counters)
    : channels_(static_cast<std::size_t>(channels)), batch_bytes_(batch_bytes),
      flush_every_record_(flush_every_record), transport_(transport), counters_(counters) {
  for (auto& c : channels_)
    c.buffer.reserve(batch_bytes_ + 64);
}

channel_gate& output_gate::edge_view(int first_channel, int channels) {
  views_.push_back(std::make_unique<edge_gate>(*this, first_channel, channels));
  return *views_.back();
}

void output_gate::flush(int ch) {
  auto& c = channels_[static_cast<std::size_t>(ch)];
  if (c.records == 0)
    return;
  item it;
  it.bytes = std::move(c.buffer);
  it.records = c.records;
  c.buffer = {};
  c.buffer.reserve(batch_bytes_ + 64);
  c.records = 0;
  counters_.records_out.add(it.records);
  enqueue(ch, std::move(it));
}

void output_gate::flush_all() {
  for (int ch = 0; ch < channel_count(); ++ch)
    flush(ch);
}

void output_gate::emit_event(int first_channel, int channels, event_kind kind,
                             std::int64_t value) {
  for (int ch = first_channel; ch < first_channel + channels; ++ch) {
    flush(ch);
    item it;
    it.is_event = true;
    it.kind = kind;
    it.value = value;
    enqueue(ch, std::move(it));
  }
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
      transport_.send_batch(ch, std::move(front.bytes), front.records,
                            static_cast<std::int32_t>(c.queued_batches));
    }
    c.queue.pop_front();
    --queued_items_;
  }
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
