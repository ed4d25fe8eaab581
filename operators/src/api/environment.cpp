#include "sluice/operators/api/environment.hpp"

#include "progress_bar.hpp"
#include "stop_signals.hpp"

#include "sluice/operators/core/logging.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>

namespace sluice {

namespace {

/// The log's level, and its file and format if the flags ask for other than stderr and text
/// (so that a process's later environments with the defaults keep the output it set).
void configure_log(const job_config& config) {
  set_log_level(config.log_level);
  if (config.log_file.empty() && config.log_format == "text")
    return;
  try {
    log_output out;
    out.file = config.log_file;
    out.format = config.log_format;
    set_log_output(out);
  } catch (const std::invalid_argument& e) {
    throw config_error(std::string(config.log_file.empty() ? "flag --log-format: "
                                                           : "flag --log-file: ") +
                       e.what());
  }
}

/// The ids of the plan's source vertices (what the progress bar measures).
std::set<int> source_vertices(const execution_plan& plan) {
  std::set<int> out;
  for (const auto& v : plan.vertices())
    if (v.is_source)
      out.insert(v.id);
  return out;
}

} // namespace

environment::environment(int argc, char** argv, std::vector<flag_spec> job_flags) {
  std::string program = argc > 0 ? argv[0] : "job";
  try {
    auto parsed = parse_args(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc),
                             job_flags);
    if (parsed.help) {
      std::cout << usage(program, job_flags);
      std::exit(0);
    }
    config_ = std::move(parsed.config);
    configure_log(config_);
  } catch (const config_error& e) {
    std::cerr << program << ": error: " << e.what() << '\n';
    std::exit(2);
  }
}

environment::environment(job_config config) : config_(std::move(config)) {
  config_.validate();
  configure_log(config_);
}

environment& environment::set_parallelism(int p) {
  if (p < 1)
    throw config_error("parallelism must be at least 1, got " + std::to_string(p));
  config_.parallelism = p;
  return *this;
}

environment& environment::set_max_parallelism(int p) {
  if (p < 1 || p > 32768)
    throw config_error("max parallelism must be in [1, 32768], got " + std::to_string(p));
  config_.max_parallelism = p;
  return *this;
}

environment& environment::set_buffer_timeout(std::chrono::milliseconds timeout) {
  config_.buffer_timeout_ms = timeout.count();
  return *this;
}

environment& environment::disable_operator_chaining() {
  config_.chaining = false;
  return *this;
}

std::optional<std::string> environment::flag(const std::string& name) const {
  auto it = config_.job_flags.find(name);
  if (it == config_.job_flags.end())
    return std::nullopt;
  return it->second;
}

std::string environment::flag_or(const std::string& name, const std::string& fallback) const {
  return flag(name).value_or(fallback);
}

std::shared_ptr<const execution_plan> environment::plan() const {
  return execution_plan::build(graph_, config_);
}

std::unique_ptr<job_client> environment::execute_async(const std::string& job_name) {
  auto runner = get_job_runner();
  if (!runner)
    throw std::logic_error("no runtime installed: include <sluice/sluice.hpp> and link sluice");
  return runner->start(plan(), config_, job_name);
}

job_result environment::execute(const std::string& job_name) {
  job_result result;
  try {
    stop_signals signals; // before the job's threads start: they inherit its mask
    auto client = execute_async(job_name);
    // A task manager's part of the job has no savepoint of its own: it leaves (cancels).
    const bool savepoint = config_.cluster.role() != process_role::task_manager;
    signals.watch(graceful_stop(
        *client, job_name, savepoint ? config_.checkpointing.savepoint_on_stop : std::string()));
    std::optional<progress_bar> bar;
    if (progress_wanted(config_))
      bar.emplace(*client, source_vertices(*plan()));
    result = client->wait();
    if (bar)
      bar->finish(result);
    if (const int signo = signals.received(); signo != 0 && !result.ok())
      result = job_result::cancelled_by_signal(signo, result.error());
  } catch (const std::exception& e) {
    result = job_result::failure(e.what());
  }
  if (!result.ok())
    log()->error("job '{}' failed: {}", job_name, result.error());
  return result;
}

} // namespace sluice
