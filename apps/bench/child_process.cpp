#include "child_process.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

child_process::child_process(const std::vector<std::string>& argv, const std::string& out_file,
                             const std::string& err_file) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Opened (and emptied) here, before the child exists: nothing of an earlier file is read.
  int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0 || err < 0)
    throw std::runtime_error("cannot create " + out_file + " and " + err_file);
  pid_ = ::fork();
  if (pid_ == 0) {
    if (::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
      ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
}

child_process::~child_process() {
  if (running())
    kill();
  wait();
}

int child_process::wait() {
  if (!reaped_) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return status_;
}

void child_process::kill() { ::kill(pid_, SIGKILL); }

bool child_process::running() {
  if (reaped_)
    return false;
  int status = 0;
  auto r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0)
    return true;
  reaped_ = true;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void wait_until(const std::function<bool()>& done, child_process& child,
                std::chrono::milliseconds timeout, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (!child.running())
      throw std::runtime_error("process " + std::to_string(child.pid()) +
                               " exited while waiting for " + what);
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("gave up waiting for " + what);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string wait_for_line(const std::string& path, const std::string& marker, child_process& child,
                          std::chrono::milliseconds timeout) {
  std::string found;
  auto has_line = [&] {
    std::istringstream lines(read_file(path));
    for (std::string line; std::getline(lines, line);)
      if (line.find(marker) != std::string::npos) {
        found = line;
        return true;
      }
    return false;
  };
  wait_until(has_line, child, timeout, "'" + marker + "' in " + path + ":\n" + read_file(path));
  return found;
}

std::string after(const std::string& line, const std::string& marker) {
  return line.substr(line.find(marker) + marker.size());
}

} // namespace bench
