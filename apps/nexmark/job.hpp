#pragma once
// A Nexmark job: the events (from a JSON-lines file or the in-process generator, a parallel
// replayable source either way), a query, and a sink writing its CSV lines to one file or
// measuring their number and latency.

#include "generator.hpp"
#include "queries.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nexmark {

/// Where the events come from: `events` ids of the generator, or the events of a file.
struct event_input {
  generator_config generator;
  std::int64_t events = 0;
  std::shared_ptr<const std::vector<event>> file_events; ///< set: these instead
};

/// The events of `input` as a parallel source with timestamps and watermarks (date_time - 4 s).
sluice::data_stream<event> event_stream(sluice::environment& env, const event_input& input);

/// Steady-clock nanoseconds (the clock of event::emitted_ns).
std::int64_t now_ns();

/// Appends each row's line and '\n' to `path`; one subtask. The file is truncated when the job
/// starts and appended to when it is restored from a checkpoint: the lines after the
/// checkpoint come again (at-least-once), so a restored run's distinct lines, or the last line
/// of each key of an updating query, are those of a run without failure.
class row_file_sink final : public sluice::copyable_sink<row_file_sink, row> {
public:
  explicit row_file_sink(std::string path) : path_(std::move(path)) {}
  void open(const sluice::runtime_context&) override;
  void write(row&& r) override;
  /// Everything before the checkpoint reaches the file (the restored run starts after it).
  void snapshot_state(std::int64_t) override { write_out(); }
  void finish() override { write_out(); }
  void close() override { file_.reset(); }
  int max_sink_parallelism() const override { return 1; }

private:
  void write_out();
  std::string path_;
  std::shared_ptr<std::FILE> file_;
  std::string buffer_;
};

/// Counts rows and samples their latency (now - emitted_ns, every 16th row that has one); the
/// copies of one sink share what they measured.
class measuring_sink final : public sluice::copyable_sink<measuring_sink, row> {
public:
  struct measures {
    std::mutex mutex;
    std::int64_t rows = 0;
    std::vector<std::int64_t> latencies_ns;
  };
  measuring_sink() : shared_(std::make_shared<measures>()) {}
  void write(row&& r) override { write(static_cast<const row&>(r)); }
  void write(const row& r) override;
  void finish() override;
  const std::shared_ptr<measures>& shared() const { return shared_; }

private:
  std::shared_ptr<measures> shared_;
  std::int64_t rows_ = 0;
  std::vector<std::int64_t> latencies_ns_;
};

} // namespace nexmark
