#pragma once
// socket_text_source: the lines read from a TCP connection (Flink's socketTextStream).

#include "sluice/operators/sources/source.hpp"
#include "sluice/operators/sources/source_error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice {

/// Connects to host:port in open() and emits the text it receives, cut at `delimiter` (which is
/// not part of the record; with '\n', a trailing '\r' is dropped too). Non-parallel.
///
/// The socket is non-blocking: poll() never waits. It returns `idle` when no data is available
/// right now, and `finished` once the peer closed the connection and everything received was
/// emitted (a last line without delimiter included).
class socket_text_source final : public copyable_source<socket_text_source, std::string> {
public:
  static constexpr std::chrono::milliseconds default_connect_timeout{5000};

  socket_text_source(std::string host, std::uint16_t port, char delimiter = '\n',
                     std::chrono::milliseconds connect_timeout = default_connect_timeout);
  /// A copy has the same address and is not connected.
  socket_text_source(const socket_text_source& other);
  socket_text_source(socket_text_source&& other) noexcept;
  socket_text_source& operator=(const socket_text_source&) = delete;
  socket_text_source& operator=(socket_text_source&&) = delete;
  ~socket_text_source() override;

  /// Connects; throws source_error "cannot connect to HOST:PORT: <reason>" if the address does
  /// not resolve, the connection is refused, or it is not established within the timeout.
  void open(const runtime_context& ctx) override;
  /// Throws source_error if reading fails (a reset connection).
  source_status poll(collector<std::string>& out, std::size_t max_records) override;
  void close() override;
  int max_source_parallelism() const override { return 1; }

private:
  /// Emits the record ending at the next delimiter in buffer_, if there is one.
  bool emit_buffered(collector<std::string>& out);
  /// Reads what the socket holds now into buffer_: its byte count, 0 at the peer's close, or -1
  /// if nothing is available.
  long receive();
  void emit(collector<std::string>& out, std::size_t begin, std::size_t end);
  std::string address() const;

  std::string host_;
  std::uint16_t port_;
  char delimiter_;
  std::chrono::milliseconds connect_timeout_;
  int fd_ = -1;
  bool peer_closed_ = false;
  std::string buffer_;       ///< received bytes; those not yet emitted start at consumed_
  std::size_t consumed_ = 0; ///< bytes of buffer_ already emitted
  std::size_t scanned_ = 0;  ///< buffer_[consumed_, scanned_) holds no delimiter
};

} // namespace sluice
