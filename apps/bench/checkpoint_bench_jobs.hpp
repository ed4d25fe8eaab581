#pragma once
// What the parts of bench_checkpoint share: scratch directories, the completed checkpoints on
// disk and the durations the runtime logs, the keyed-sum and state-writing jobs and the watcher
// that steps them, and the statistics of the figures.

#include "bench_util.hpp"

#include <sluice/checkpoint/metadata_file.hpp>
#include <sluice/sluice.hpp>

#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace checkpoint_bench {

namespace fs = std::filesystem;
using record = std::pair<std::int64_t, std::int64_t>;
using fields = std::vector<std::pair<std::string, double>>;

/// Every completed checkpoint stays on disk, so that they can be counted and read afterwards.
constexpr int retain_all = 1 << 20;
/// How long the state job may take before the benchmark gives up on it.
constexpr auto state_job_limit = std::chrono::minutes(10);

using bench::steady_ns;

/// Milliseconds since the epoch: the clock of the trigger timestamps in _metadata.
inline std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The i-th generated record, as in bench_keyed_sum: keys scattered over [0, keys), value i.
inline record generate(std::uint64_t i, std::uint64_t keys) {
  return {static_cast<std::int64_t>((i * 0x9E3779B97F4A7C15ULL >> 20) % keys),
          static_cast<std::int64_t>(i)};
}

/// A fresh directory under `parent`, removed with its contents at the end of the scope.
class scratch_dir {
public:
  scratch_dir(const fs::path& parent, const std::string& name) {
    static int counter = 0;
    path_ = parent / ("bench-checkpoint-" + std::to_string(::getpid()) + "-" + name + "-" +
                      std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

// -- completed checkpoints on disk ----------------------------------------------------------

struct completed_checkpoint {
  std::int64_t id = 0;
  std::int64_t trigger_ms = 0;  ///< the metadata's timestamp_ms
  std::int64_t written_ms = 0;  ///< the _metadata file's modification time
  std::uint64_t size_bytes = 0; ///< the metadata's state_size_bytes()
  std::uint64_t written_bytes = 0; ///< what the checkpoint wrote (its subtasks' written_bytes)
  sluice::checkpoint_metadata metadata;
};

/// Every `<root>/<job id>/chk-N/_metadata`, read with read_metadata_file, by id.
inline std::vector<completed_checkpoint> completed_checkpoints(const fs::path& root) {
  std::vector<completed_checkpoint> out;
  for (const auto& job : fs::directory_iterator(root)) {
    if (!job.is_directory())
      continue;
    for (const auto& chk : fs::directory_iterator(job.path())) {
      const auto file = chk.path() / sluice::metadata_file_name;
      if (chk.path().filename().string().rfind("chk-", 0) != 0 || !fs::exists(file))
        continue;
      const auto m = sluice::read_metadata_file(file);
      struct stat st {};
      if (::stat(file.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + file.string());
      std::uint64_t written = 0;
      for (const auto& [uid, op] : m.operators)
        for (const auto& [index, s] : op.subtasks)
          written += s.written_bytes();
      out.push_back({m.checkpoint_id, m.timestamp_ms,
                     std::int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000,
                     m.state_size_bytes(), written, m});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

/// Collects the durations of the runtime's "checkpoint N completed in D ms" log lines.
class checkpoint_log_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  std::map<std::int64_t, std::int64_t> durations() {
    std::lock_guard<std::mutex> guard(mutex_);
    return durations_;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text(msg.payload.data(), msg.payload.size());
    const auto at = text.find("] checkpoint ");
    long long id = 0;
    long long ms = 0;
    if (at != std::string::npos &&
        std::sscanf(text.c_str() + at, "] checkpoint %lld completed in %lld ms", &id, &ms) == 2)
      durations_[id] = ms;
  }
  void flush_() override {}

private:
  std::map<std::int64_t, std::int64_t> durations_;
};

/// While alive, info lines of the "sluice" logger also reach a checkpoint_log_sink; stderr
/// keeps the configured level.
class checkpoint_log_capture {
public:
  checkpoint_log_capture() : logger_(sluice::log()), level_(logger_->level()) {
    for (auto& s : logger_->sinks())
      s->set_level(level_);
    logger_->sinks().push_back(sink_);
    logger_->set_level(std::min(level_, spdlog::level::info));
  }
  ~checkpoint_log_capture() {
    logger_->set_level(level_);
    auto& sinks = logger_->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    for (auto& s : sinks)
      s->set_level(spdlog::level::trace);
  }
  checkpoint_log_capture(const checkpoint_log_capture&) = delete;
  checkpoint_log_capture& operator=(const checkpoint_log_capture&) = delete;
  std::map<std::int64_t, std::int64_t> durations() { return sink_->durations(); }

private:
  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum level_;
  std::shared_ptr<checkpoint_log_sink> sink_ = std::make_shared<checkpoint_log_sink>();
};

/// Runs the job built in `env` to its end; throws naming `what` if it fails.
inline void run_job(sluice::environment& env, const std::string& what) {
  auto result = env.execute("bench_checkpoint " + what);
  if (!result.ok())
    throw std::runtime_error(what + " job failed: " + result.error());
}

/// `config` for one job at parallelism 1, checkpointing every `interval_ms` into `dir` (0: off),
/// failures ending the job.
inline sluice::job_config job_config_for(sluice::job_config config, std::int64_t interval_ms,
                                  const fs::path& dir) {
  config.parallelism = 1;
  config.checkpointing.interval_ms = interval_ms;
  config.checkpointing.checkpoint_dir = interval_ms > 0 ? dir.string() : std::string();
  config.checkpointing.retained = retain_all;
  config.restart.kind = sluice::restart_strategy_kind::none;
  return config;
}

/// generator -> `map` -> key_by -> rolling sum -> discarding sink.
template <class Map>
void build_keyed_sum(sluice::environment& env, std::uint64_t records, std::uint64_t keys, Map map) {
  env.from_source(sluice::make_generator_source(
                      [keys](std::uint64_t i) { return generate(i, keys); }, records),
                  "generator")
      .map(std::move(map), "map")
      .key_by([](const record& r) { return r.first; })
      .template sum<1>()
      .sink_to(sluice::discarding_sink<record>{}, "discard");
}

/// `out` filled with pseudo-random bytes seeded by `key` (splitmix64): incompressible, so the
/// state's size on disk is what was written.
inline void fill_value(std::string& out, std::uint64_t key) {
  std::uint64_t x = key * 0x9E3779B97F4A7C15ULL;
  for (std::size_t i = 0; i < out.size(); i += 8) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    std::memcpy(&out[i], &z, std::min<std::size_t>(8, out.size() - i));
  }
}

/// Shared by the state job's operators and the benchmark's thread.
struct fill_progress {
  std::uint64_t keys = 0;
  std::atomic<std::uint64_t> written{0};
  std::atomic<std::int64_t> filled_ms{0}; ///< system_ms() when the last key was written
  std::atomic<bool> release{false};       ///< the source may finish once drained
  std::atomic<std::int64_t> released_ms{0};
  std::atomic<bool> stop{false};          ///< the source finishes at once (the benchmark gives up)
  std::atomic<std::uint64_t> rounds{0};   ///< rounds of updates released (rounds_source)
};

/// Emits what `Inner` emits, then nothing (idle) until released, then finishes; finishes at
/// once when stopped.
template <class Inner>
class held_open_source final
    : public sluice::copyable_source<held_open_source<Inner>, typename Inner::output_type> {
public:
  using T = typename Inner::output_type;
  held_open_source(Inner inner, std::shared_ptr<fill_progress> progress)
      : inner_(std::move(inner)), progress_(std::move(progress)) {}

  void open(const sluice::runtime_context& ctx) override { inner_.open(ctx); }
  sluice::source_status poll(sluice::collector<T>& out, std::size_t max_records) override {
    if (progress_->stop.load())
      return sluice::source_status::finished;
    if (!drained_) {
      const auto status = inner_.poll(out, max_records);
      if (status != sluice::source_status::finished)
        return status;
      drained_ = true;
    }
    return progress_->release.load() ? sluice::source_status::finished
                                     : sluice::source_status::idle;
  }
  bool replayable() const override { return true; }
  void snapshot_state(std::int64_t id) override { inner_.snapshot_state(id); }

private:
  Inner inner_;
  std::shared_ptr<fill_progress> progress_;
  bool drained_ = false;
};

/// Writes a value of `value_bytes` random bytes seeded by the record's second field into the
/// value state of its key (the first).
struct write_value {
  write_value(std::shared_ptr<fill_progress> p, std::size_t bytes)
      : progress(std::move(p)), value_bytes(bytes) {}

  std::shared_ptr<fill_progress> progress;
  std::size_t value_bytes;
  sluice::value_state<std::string>* value = nullptr;
  std::string buffer;

  void open(sluice::runtime_context& ctx) {
    value = &ctx.get_state(sluice::value_state_descriptor<std::string>("value"));
    buffer.resize(value_bytes);
  }
  std::int64_t operator()(const record& r) {
    fill_value(buffer, static_cast<std::uint64_t>(r.second));
    value->update(buffer);
    if (progress->written.fetch_add(1) + 1 == progress->keys)
      progress->filled_ms.store(system_ms());
    return r.first;
  }
};

/// Waits for the job `client` runs while a watcher thread, every `period` once every key was
/// written, calls `step` with the number of checkpoints completed in `dir` since (until the job
/// ended or `progress` was released); the job is stopped when the time is up. Throws naming
/// the `what` job when it failed or was stopped.
template <class Step>
void wait_watched(sluice::job_client& client, fill_progress& progress, const fs::path& dir,
                  std::chrono::milliseconds period, const std::string& what, Step step) {
  std::atomic<bool> ended{false};
  std::string watch_error;
  std::thread watcher([&] {
    const auto give_up = std::chrono::steady_clock::now() + state_job_limit;
    try {
      while (!ended.load() && !progress.release.load()) {
        std::this_thread::sleep_for(period);
        if (std::chrono::steady_clock::now() > give_up)
          throw std::runtime_error("not done after 10 minutes, stopped");
        const auto filled = progress.filled_ms.load();
        if (filled == 0)
          continue;
        std::size_t full = 0;
        for (const auto& c : completed_checkpoints(dir))
          full += c.trigger_ms >= filled ? 1 : 0;
        step(full);
      }
    } catch (const std::exception& e) {
      watch_error = e.what();
      progress.stop.store(true);
    }
  });
  auto result = client.wait();
  ended.store(true);
  watcher.join();
  if (!result.ok())
    throw std::runtime_error(what + " job failed: " + result.error());
  if (!watch_error.empty())
    throw std::runtime_error(what + " job: " + watch_error);
}

/// The median of `v` (not empty).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// The p-th percentile (nearest rank) of `v` (not empty).
inline double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

inline double mean(const std::vector<double>& v) {
  double sum = 0;
  for (auto x : v)
    sum += x;
  return sum / static_cast<double>(v.size());
}

} // namespace checkpoint_bench
