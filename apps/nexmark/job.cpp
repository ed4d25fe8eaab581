#include "job.hpp"

#include <chrono>

namespace nexmark {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

sluice::data_stream<event> event_stream(sluice::environment& env, const event_input& input) {
  // Events are in date_time order: the subtasks take them interleaved, so that their event times
  // advance together and the watermark (their minimum) lets windows fire and join state expire
  // as the run goes, not only at the end of input.
  constexpr auto interleaved = sluice::index_sharing::interleaved;
  if (input.file_events) {
    auto events = input.file_events;
    return env.from_source(
        sluice::make_generator_source([events](std::uint64_t i) { return (*events)[i]; },
                                      events->size(), interleaved),
        "events of the input file", event_time_strategy());
  }
  const generator_config config = input.generator;
  // emitted_ns, for latency figures: the clock is read for every 16th event and its reading
  // reused for the 15 after it (a few microseconds earlier than their emission at most), so
  // that the clock does not cost as much as the filter of a per-bid query.
  return env.from_source(sluice::make_generator_source(
                             [config, emitted = std::uint64_t{0},
                              stamp = std::int64_t{0}](std::uint64_t id) mutable {
                               event e = generate_event(config, static_cast<std::int64_t>(id));
                               if (emitted++ % 16 == 0)
                                 stamp = now_ns();
                               e.emitted_ns = stamp;
                               return e;
                             },
                             static_cast<std::uint64_t>(input.events), interleaved),
                         "nexmark generator", event_time_strategy());
}

void row_file_sink::open(const sluice::runtime_context& ctx) {
  const char* mode = ctx.restored ? "a" : "w";
  file_ = std::shared_ptr<std::FILE>(std::fopen(path_.c_str(), mode), [](std::FILE* f) {
    if (f != nullptr)
      std::fclose(f);
  });
  if (!file_)
    throw sluice::sink_error("cannot open '" + path_ + "' for writing");
}

void row_file_sink::write(row&& r) {
  buffer_ += r.line;
  buffer_ += '\n';
  if (buffer_.size() >= (1 << 16))
    write_out();
}

void row_file_sink::write_out() {
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size() ||
      std::fflush(file_.get()) != 0)
    throw sluice::sink_error("cannot write to '" + path_ + "'");
  buffer_.clear();
}

void measuring_sink::write(const row& r) {
  if (r.emitted_ns != 0 && rows_ % 16 == 0)
    latencies_ns_.push_back(now_ns() - r.emitted_ns);
  ++rows_;
}

void measuring_sink::finish() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->rows += rows_;
  shared_->latencies_ns.insert(shared_->latencies_ns.end(), latencies_ns_.begin(),
                               latencies_ns_.end());
}

} // namespace nexmark
