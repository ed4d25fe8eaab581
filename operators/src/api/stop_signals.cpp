#include "stop_signals.hpp"

#include "sluice/operators/core/logging.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace sluice {

namespace {
const char* signal_name(int signo) { return signo == SIGINT ? "SIGINT" : "SIGTERM"; }
} // namespace

stop_signals::stop_signals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, &old_mask_);
  signal_fd_ = signalfd(-1, &signals_, SFD_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
}

stop_signals::~stop_signals() {
  if (watcher_.joinable()) {
    const std::uint64_t one = 1;
    while (::write(wake_fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    watcher_.join();
  }
  if (stopper_.joinable())
    stopper_.join();
  for (int fd : {signal_fd_, wake_fd_})
    if (fd >= 0)
      ::close(fd);
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void stop_signals::watch(std::function<void(int)> stop) {
  if (signal_fd_ < 0 || wake_fd_ < 0) {
    log()->warn("cannot watch SIGTERM/SIGINT (signalfd/eventfd failed): no graceful stop");
    return;
  }
  watcher_ = std::thread([this, stop = std::move(stop)] {
    for (;;) {
      pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR)
          continue;
        return;
      }
      if (fds[1].revents != 0)
        return; // the job ended
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) != sizeof info)
        continue;
      const int signo = static_cast<int>(info.ssi_signo);
      if (received_.exchange(signo) != 0) {
        log()->error("received {} again: exiting at once", signal_name(signo));
        std::_Exit(128 + signo);
      }
      log()->warn("received {}: stopping the job (a second signal exits at once)",
                  signal_name(signo));
      stopper_ = std::thread(stop, signo);
    }
  });
}

std::function<void(int)> graceful_stop(job_client& client, const std::string& job_name,
                                       const std::string& savepoint_dir) {
  return [&client, job_name, savepoint_dir](int) {
    if (savepoint_dir.empty()) {
      client.cancel();
      return;
    }
    try {
      const auto dir = client.stop_with_savepoint(savepoint_dir, false);
      log()->warn("job '{}' stopped with a savepoint: {}", job_name, dir);
    } catch (const std::exception& e) {
      log()->error("job '{}': the savepoint on stop failed ({}); cancelling", job_name, e.what());
      client.cancel();
    }
  };
}

} // namespace sluice
