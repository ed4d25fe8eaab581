#pragma once
// environment: where a job program starts. It holds the configuration (from flags), builds the
// job graph through data_stream<T>, and runs it with execute().

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/api/job_runner.hpp"
#include "sluice/operators/sources/source.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

class environment {
public:
  /// Parses the common flags and the job's own. On a bad flag it prints the error to stderr
  /// and exits with status 2; on --help it prints the usage and exits with status 0.
  environment(int argc, char** argv, std::vector<flag_spec> job_flags = {});
  /// An environment with a given configuration (tests, embedding).
  explicit environment(job_config config = {});

  job_config& config() { return config_; }
  const job_config& config() const { return config_; }
  environment& set_parallelism(int p);
  environment& set_max_parallelism(int p);
  environment& set_buffer_timeout(std::chrono::milliseconds timeout);
  environment& disable_operator_chaining();

  /// The value of a job flag (declared in the constructor), if given or defaulted.
  std::optional<std::string> flag(const std::string& name) const;
  std::string flag_or(const std::string& name, const std::string& fallback) const;

  /// S derives from source<T>.
  template <class S>
  data_stream<typename S::output_type> from_source(S src, std::string name = "source") {
    using T = typename S::output_type;
    auto proto = std::make_shared<S>(std::move(src));
    stream_node n;
    n.name = "Source: " + name;
    n.is_source = true;
    n.parallelism_limit = proto->max_source_parallelism();
    n.output_type = &stream_type_of<T>();
    n.factory = [proto] { return std::make_unique<source_operator<T>>(proto->clone()); };
    int id = graph_->add_node(std::move(n)).id;
    return data_stream<T>(graph_, {stream_head{id, ""}});
  }

  /// A source whose records get timestamps and watermarks from `strategy` right away.
  template <class S>
  data_stream<typename S::output_type> from_source(
      S src, std::string name, watermark_strategy<typename S::output_type> strategy) {
    return from_source(std::move(src), name)
        .assign_timestamps_and_watermarks(std::move(strategy), "timestamps of " + name);
  }

  /// Plans the job and runs it to the end (bounded input) or failure.
  job_result execute(const std::string& job_name = "sluice job");
  /// Plans the job and starts it; the client waits, cancels and reads counters.
  std::unique_ptr<job_client> execute_async(const std::string& job_name = "sluice job");
  /// The plan execute() would run (chains, parallelism, edges); a new plan per call, so keep
  /// the pointer while reading it.
  std::shared_ptr<const execution_plan> plan() const;

  const std::shared_ptr<job_graph>& graph() const { return graph_; }

private:
  job_config config_;
  std::shared_ptr<job_graph> graph_ = std::make_shared<job_graph>();
};

} // namespace sluice
