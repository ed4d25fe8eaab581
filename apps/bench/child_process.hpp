#pragma once
// Child processes of a benchmark: started with their output in files, waited for, killed.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace bench {

class child_process {
public:
  /// Starts `argv` (argv[0]: the program's path) with stdout and stderr in `out_file` and
  /// `err_file`; throws std::runtime_error if it cannot.
  child_process(const std::vector<std::string>& argv, const std::string& out_file,
                const std::string& err_file);
  ~child_process(); ///< kills the child if it still runs

  /// Waits for the child's end; returns its exit status (128 + signal if killed).
  int wait();
  /// kill -9.
  void kill();
  bool running();
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

/// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);

/// Polls `done()` until it is true; throws std::runtime_error saying `what` if `child` ended or
/// `timeout` passed first.
void wait_until(const std::function<bool()>& done, child_process& child,
                std::chrono::milliseconds timeout, const std::string& what);

/// Waits (as wait_until) for a line of `path` that contains `marker`; returns the whole line.
std::string wait_for_line(const std::string& path, const std::string& marker, child_process& child,
                          std::chrono::milliseconds timeout);

/// The text after `marker` in `line`.
std::string after(const std::string& line, const std::string& marker);

} // namespace bench
