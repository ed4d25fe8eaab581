#include "progress_bar.hpp"

#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <utility>

#include <sys/ioctl.h>
#include <unistd.h>

namespace sluice {

namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(250);
/// Rates are measured over about this much of the latest samples.
constexpr auto rate_window = std::chrono::seconds(3);
constexpr std::size_t default_columns = 80;
constexpr std::size_t min_bar = 10;
constexpr std::size_t max_bar = 40;

std::string printf_string(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

/// "0:07", "12:34", "1:02:03".
std::string clock_text(std::chrono::milliseconds d) {
  const auto s = static_cast<long long>(std::max<std::int64_t>(d.count(), 0) / 1000);
  char text[32];
  if (s < 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  return default_columns;
}

} // namespace

std::optional<input_progress> measure_progress(const std::vector<subtask_metrics>& metrics,
                                               const std::set<int>& source_vertices) {
  input_progress by_bytes;
  input_progress by_records;
  by_records.bytes = false;
  bool bytes_known = true;
  bool records_known = true;
  bool any = false;
  // After a restart a subtask has the counters of every attempt, oldest first: the latest count.
  std::map<std::pair<int, int>, const subtask_metrics*> latest;
  for (const auto& m : metrics)
    if (source_vertices.count(m.vertex))
      latest[{m.vertex, m.subtask}] = &m;
  for (const auto& [where, entry] : latest) {
    const auto& m = *entry;
    any = true;
    by_bytes.records += m.records_in;
    by_records.records += m.records_in;
    if (m.input_bytes >= 0 && m.pending_bytes >= 0) {
      const auto total = static_cast<std::uint64_t>(m.input_bytes);
      by_bytes.total += total;
      by_bytes.done += total - std::min(total, static_cast<std::uint64_t>(m.pending_bytes));
    } else {
      bytes_known = false;
    }
    if (m.pending_records >= 0) {
      by_records.total += m.records_in + static_cast<std::uint64_t>(m.pending_records);
      by_records.done += m.records_in;
    } else {
      records_known = false;
    }
  }
  if (any && bytes_known)
    return by_bytes;
  if (any && records_known)
    return by_records;
  return std::nullopt;
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1024)
    return std::to_string(bytes) + " B";
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return printf_string("%.1f ", value) + units[unit];
}

std::string progress_line(const input_progress& p, double records_per_s, double units_per_s,
                          std::chrono::milliseconds elapsed, bool finished, std::size_t width) {
  const double fraction =
      p.total == 0 ? 1.0
                   : std::min(1.0, static_cast<double>(p.done) / static_cast<double>(p.total));
  const auto amount = [&](std::uint64_t n) {
    return p.bytes ? format_bytes(n) : std::to_string(n) + " records";
  };
  std::string eta = "ETA --:--";
  if (finished)
    eta = "done";
  else if (units_per_s > 0)
    eta = "ETA " + clock_text(std::chrono::milliseconds(static_cast<std::int64_t>(
                       1000.0 * static_cast<double>(p.total - std::min(p.total, p.done)) /
                       units_per_s)));
  const std::string text = printf_string(" %3.0f%%", std::floor(fraction * 100)) + "  " +
                           amount(p.done) + "/" + amount(p.total) + "  " +
                           std::to_string(p.records) + " records  " +
                           printf_string("%.0f rec/s", records_per_s) + "  " +
                           clock_text(elapsed) + "  " + eta;
  const std::size_t room = width > text.size() + 2 ? width - text.size() - 2 : 0;
  const std::size_t bar = std::min(max_bar, room);
  if (bar < min_bar)
    return text.substr(0, std::min(text.size(), width > 0 ? width - 1 : 0));
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar));
  return "[" + std::string(filled, '#') + std::string(bar - filled, '-') + "]" + text;
}

bool progress_wanted(const job_config& config) {
  return config.progress && config.cluster.role() != process_role::task_manager &&
         ::isatty(STDERR_FILENO) == 1;
}

progress_bar::progress_bar(const job_client& client, std::set<int> source_vertices)
    : client_(client), sources_(std::move(source_vertices)), thread_([this] { run(); }) {}

progress_bar::~progress_bar() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void progress_bar::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, redraw_interval, [&] { return stop_; }))
    draw(client_.metrics(), false);
}

void progress_bar::finish(const job_result& result) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  std::lock_guard<std::mutex> guard(mutex_);
  // A job manager's result holds no subtask's counters: what its task managers reported last.
  draw(measure_progress(result.metrics, sources_) ? result.metrics : client_.metrics(),
       result.ok());
  keep_status_line();
}

void progress_bar::draw(const std::vector<subtask_metrics>& metrics, bool finished) {
  auto p = measure_progress(metrics, sources_);
  if (!p)
    return;
  if (finished) // a bounded job that succeeded read all its input (a report may be older)
    p->done = p->total;
  const auto now = std::chrono::steady_clock::now();
  samples_.push_back({now, p->records, p->done});
  while (samples_.size() > 2 && now - samples_[1].at >= rate_window)
    samples_.pop_front();
  double records_per_s = 0;
  double units_per_s = 0;
  const auto& first = samples_.front();
  const double seconds = std::chrono::duration<double>(now - first.at).count();
  if (seconds > 0) {
    records_per_s = static_cast<double>(p->records - std::min(p->records, first.records)) / seconds;
    units_per_s = static_cast<double>(p->done - std::min(p->done, first.done)) / seconds;
  }
  show_status_line(progress_line(
      *p, records_per_s, units_per_s,
      std::chrono::duration_cast<std::chrono::milliseconds>(now - started_), finished,
      terminal_columns()));
}

} // namespace sluice
