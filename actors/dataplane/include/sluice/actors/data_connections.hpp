#pragma once
// Batches, in-band events and credits between subtasks of different task manager processes, on
// TCP connections of their own beside CAF's middleman (as Flink's data plane runs over Netty
// beside its RPC): a batch's bytes go from the sender's buffer to the kernel and from the
// kernel into the receiver's buffer, where CAF copies each into its write buffer and out of its
// read buffer. One connection per ordered pair of processes carries, in order, everything one
// process sends the other, so a channel's batches and events keep their order. Sending never
// blocks a subtask: each connection has a writer thread and a queue, bounded by the credits of
// the channels it carries. docs/data-plane.md, "Between processes".

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice {

/// One data-plane message between processes, addressed to a receiving actor by its id.
struct data_frame {
  enum class kind : std::uint8_t { batch = 1, event = 2, credit = 3 };
  std::uint64_t receiver = 0;
  kind type = kind::batch;
  std::uint8_t event = 0;      ///< event: its event_kind
  std::int32_t channel = 0;    ///< the receiver's channel (an input's; a credit: an output's)
  std::int32_t count = 0;      ///< batch: the sender's backlog; credit: the credits
  std::uint32_t records = 0;   ///< batch: its records
  std::int64_t value = 0;      ///< event: its value
  std::vector<char> bytes;     ///< batch: its records' bytes
};

class data_link;

/// A process's data connections: it listens for the connections of the processes that send it
/// data, and opens its own to the processes it sends to.
class data_connections {
public:
  /// A frame received (on a reader thread of this object).
  using deliver_fn = std::function<void(data_frame&&)>;
  /// The connection to or from the process at `peer` (its listening address) ended before this
  /// object closed; `why` says how. Frames to it are dropped from then on.
  using lost_fn = std::function<void(const std::string& peer, const std::string& why)>;

  /// Listens on `host`, port `port` (0: any free port). Throws std::runtime_error naming the
  /// address when it cannot.
  data_connections(const std::string& host, std::uint16_t port, deliver_fn deliver,
                   lost_fn lost);
  data_connections(const data_connections&) = delete;
  data_connections& operator=(const data_connections&) = delete;
  /// Closes every connection and joins their threads; frames still queued are dropped.
  ~data_connections();

  /// HOST:PORT where other processes connect to send this one data.
  const std::string& address() const { return address_; }

  /// The connection to the process listening at `peer` (HOST:PORT): the one open, or a new
  /// one (connected by its writer thread) if there is none or it ended.
  std::shared_ptr<data_link> open(const std::string& peer);

private:
  void accept_loop();
  void read_loop(int fd);
  void report_lost(const std::string& peer, const std::string& why);

  int listen_fd_ = -1;
  std::string address_;
  deliver_fn deliver_;
  lost_fn lost_;
  std::mutex mutex_;
  bool closing_ = false;
  std::map<std::string, std::shared_ptr<data_link>> links_;
  /// Ended links replaced by new ones: their writers are joined before this object goes.
  std::vector<std::shared_ptr<data_link>> retired_;
  std::vector<int> reader_fds_;
  std::vector<std::thread> readers_;
  std::thread acceptor_;
};

/// The connection to one process: frames queued by any thread, written in order by its own
/// thread. Shared by the subtasks that send to that process.
class data_link {
public:
  data_link(std::string peer, std::string self_address,
            std::function<void(const std::string&)> on_lost);
  data_link(const data_link&) = delete;
  data_link& operator=(const data_link&) = delete;
  ~data_link();

  /// Queues `frame` (dropped if the connection ended).
  void send(data_frame&& frame);
  bool ended() const;
  const std::string& peer() const { return peer_; }
  /// Ends the connection: queued frames are dropped and the writer thread returns.
  void close();
  /// close(), then waits for the writer thread (it calls no callback after this returns).
  void close_and_wait();

private:
  void write_loop();

  const std::string peer_;
  const std::string self_address_;
  std::function<void(const std::string&)> on_lost_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<data_frame> queue_;
  bool ended_ = false;
  int fd_ = -1;
  std::thread writer_;
};

} // namespace sluice
