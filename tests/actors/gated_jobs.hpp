#pragma once
// Jobs whose source stops where a test says (savepoint_test.cpp, rescale_test.cpp): the numbers
// 0..records-1 from one source subtask, held at a gate the test moves or opens, into keyed
// running sums or keyed tumbling event-time windows; and their expected outputs, computed here
// from the numbers alone.

#include "sluice/sluice.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

constexpr std::int64_t records = 6000;
constexpr std::int64_t keys = 13;
constexpr std::int64_t window_ms = 500; // record i has timestamp i

inline std::int64_t key_of(std::int64_t i) { return (i * 7919) % keys; }
inline std::int64_t value_of(std::int64_t i) { return i % 101; }

/// Where the source waits: it emits the records before `at`, then nothing until the gate moves
/// on or opens. It also holds the next record the source emits, so that a source deployed again
/// (a rescale resumes where the job stopped) goes on against the same gate.
class gate {
public:
  explicit gate(std::int64_t at) : at_(at) {}
  /// How many records the source may emit after the `next` ones it did (all, once open).
  std::int64_t allowed() {
    std::lock_guard<std::mutex> guard(mutex_);
    if (open_)
      return records;
    if (next_ >= at_) {
      reached_ = true;
      changed_.notify_all();
    }
    return at_ - next_;
  }
  void emitted(std::int64_t i) {
    std::lock_guard<std::mutex> guard(mutex_);
    next_ = i + 1;
  }
  void wait_reached() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return reached_; });
  }
  /// Lets the source go on to `at`.
  void move_to(std::int64_t at) {
    std::lock_guard<std::mutex> guard(mutex_);
    at_ = at;
    reached_ = false;
  }
  void open() {
    std::lock_guard<std::mutex> guard(mutex_);
    open_ = true;
  }
  /// A source subtask opened against the gate (deployed, or deployed again).
  void source_opened() {
    std::lock_guard<std::mutex> guard(mutex_);
    ++source_opens_;
  }
  int source_opens() {
    std::lock_guard<std::mutex> guard(mutex_);
    return source_opens_;
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t at_;
  std::int64_t next_ = 0;
  bool reached_ = false;
  bool open_ = false;
  int source_opens_ = 0;
};

/// A gate that never closes (a restored job runs to its end).
inline std::shared_ptr<gate> open_gate() {
  auto g = std::make_shared<gate>(0);
  g->open();
  return g;
}

/// The numbers 0..records-1 (a replayable sequence_source) that stop at the gate.
class gated_numbers final : public copyable_source<gated_numbers, std::int64_t> {
public:
  explicit gated_numbers(std::shared_ptr<gate> g) : gate_(std::move(g)) {}

  void open(const runtime_context& ctx) override {
    gate_->source_opened();
    numbers_.open(ctx);
  }

  source_status poll(collector<std::int64_t>& out, std::size_t max_records) override {
    const auto allowed = gate_->allowed();
    if (allowed <= 0)
      return source_status::idle;
    max_records = std::min<std::size_t>(max_records, static_cast<std::size_t>(allowed));
    tracking_collector tracking{out, *gate_};
    return numbers_.poll(tracking, max_records);
  }

  bool replayable() const override { return true; }
  void snapshot_state(std::int64_t id) override { numbers_.snapshot_state(id); }

private:
  /// Passes records on and tells the gate.
  struct tracking_collector final : collector<std::int64_t> {
    tracking_collector(collector<std::int64_t>& o, gate& g) : out(o), at(g) {}
    void collect(std::int64_t&& v) override {
      at.emitted(v);
      out.collect(std::move(v));
    }
    void emit_watermark(std::int64_t wm) override { out.emit_watermark(wm); }
    using collector<std::int64_t>::collect;
    collector<std::int64_t>& out;
    gate& at;
  };

  std::shared_ptr<gate> gate_;
  sequence_source numbers_{0, records - 1};
};

inline std::vector<std::string> sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// The index a line starts with.
inline std::int64_t index_of(const std::string& line) {
  return std::stoll(line.substr(0, line.find(',')));
}

// -- keyed running sums -------------------------------------------------------------------------

struct summed {
  std::int64_t index = 0;
  std::int64_t key = 0;
  std::int64_t sum = 0;
  SLUICE_FIELDS(index, key, sum)
};

inline std::string line_of(std::int64_t index, std::int64_t key, std::int64_t sum) {
  return std::to_string(index) + "," + std::to_string(key) + "," + std::to_string(sum);
}

/// "index,key,running sum of the key up to the record" for every record from `from` on, sorted.
inline std::vector<std::string> expected_sums(std::int64_t from = 0) {
  std::map<std::int64_t, std::int64_t> sum;
  std::vector<std::string> lines;
  for (std::int64_t i = 0; i < records; ++i) {
    const auto s = sum[key_of(i)] += value_of(i);
    if (i >= from)
      lines.push_back(line_of(i, key_of(i), s));
  }
  return sorted(std::move(lines));
}

/// Builds source (parallelism 1, so each key's records keep their order) -> keyed running sum
/// (uid `uid`) -> "index,key,sum" lines into `env`.
inline data_stream<std::string> sums(environment& env, std::shared_ptr<gate> g,
                                     const std::string& uid = "running-sum") {
  return env.from_source(gated_numbers{std::move(g)}, "numbers")
      .set_parallelism(1)
      .map([](std::int64_t i) { return summed{i, key_of(i), value_of(i)}; }, "to summed")
      .set_parallelism(1)
      .key_by([](const summed& s) { return s.key; })
      .reduce([](summed a, const summed& b) { return summed{b.index, b.key, a.sum + b.sum}; },
              "running sum")
      .uid(uid)
      .map([](const summed& s) { return line_of(s.index, s.key, s.sum); }, "format");
}

// -- windows ------------------------------------------------------------------------------------

using keyed_value = std::pair<std::int64_t, std::int64_t>; // key, value

/// "key,window start,records,sum" per window.
class window_sum final : public process_window_function<std::int64_t, keyed_value, std::string> {
public:
  void process(const context& ctx, const std::vector<keyed_value>& elements,
               collector<std::string>& out) override {
    std::int64_t sum = 0;
    for (const auto& e : elements)
      sum += e.second;
    out.collect(std::to_string(ctx.key()) + "," + std::to_string(ctx.window().start) + "," +
                std::to_string(elements.size()) + "," + std::to_string(sum));
  }
};

/// The window lines of the records before `end`, sorted.
inline std::vector<std::string> expected_windows(std::int64_t end = records) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::int64_t>> windows;
  for (std::int64_t i = 0; i < end; ++i) {
    auto& [n, sum] = windows[{key_of(i), i / window_ms * window_ms}];
    ++n;
    sum += value_of(i);
  }
  std::vector<std::string> lines;
  for (const auto& [kw, agg] : windows)
    lines.push_back(std::to_string(kw.first) + "," + std::to_string(kw.second) + "," +
                    std::to_string(agg.first) + "," + std::to_string(agg.second));
  return sorted(std::move(lines));
}

/// source -> timestamps -> keyed tumbling event-time windows (uid "windows") at the job's
/// parallelism -> "key,window start,records,sum" lines.
inline data_stream<std::string> windows(environment& env, std::shared_ptr<gate> g) {
  return env.from_source(gated_numbers{std::move(g)}, "numbers")
      .set_parallelism(1)
      .assign_timestamps_and_watermarks(
          watermark_strategy<std::int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
              [](const std::int64_t& i, std::int64_t) { return i; }))
      .set_parallelism(1)
      .map([](std::int64_t i) { return keyed_value{key_of(i), value_of(i)}; })
      .set_parallelism(1)
      .key_by([](const keyed_value& v) { return v.first; })
      .window(tumbling_windows{window_ms})
      .process(window_sum{})
      .uid("windows");
}

} // namespace sluice::test
