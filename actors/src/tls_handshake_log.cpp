#include "tls_handshake_log.hpp"

#include "sluice/operators/core/logging.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace sluice {

namespace {

std::mutex failures_mutex;
std::map<std::string, std::string> failures; // by peer, of connections this process opened

/// HOST:PORT of the socket's peer, numeric; "an unknown peer" if it has none.
std::string peer_of(const SSL* ssl) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int fd = SSL_get_fd(ssl);
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "an unknown peer";
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a.sin6_port));
  }
  const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
  ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a.sin_port));
}

/// OpenSSL's reason for the failure `error` (SSL_get_error) of `ssl`, without consuming its
/// error queue (the caller's caller reads it).
std::string reason_of(const SSL* ssl, int error) {
  if (error != SSL_ERROR_SSL)
    return errno != 0 ? std::string("the connection was closed (") + std::strerror(errno) + ")"
                      : "the connection was closed";
  const char* reason = ERR_reason_error_string(ERR_peek_last_error());
  std::string text = reason ? reason : "unknown TLS error";
  const auto verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK)
    text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return text;
}

/// What this file keeps of a connection (in the SSL object's ex_data).
struct connection_note {
  std::string peer;      ///< taken at the first handshake call: later the socket may be gone
  bool reported = false; ///< its failure was logged
};

void free_note(void*, void* note, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<connection_note*>(note);
}

int note_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_note);
  return index;
}

/// The connection's note, made with the peer's address at the first call.
connection_note& note_of(SSL* ssl) {
  auto* note = static_cast<connection_note*>(SSL_get_ex_data(ssl, note_index()));
  if (!note) {
    note = new connection_note{peer_of(ssl)};
    SSL_set_ex_data(ssl, note_index(), note);
  }
  return *note;
}

/// Logs and records a call's final failure, once per connection; WANT_READ/WANT_WRITE are no
/// failure.
void report(SSL* ssl, int ret, const char* what) {
  const int error = SSL_get_error(ssl, ret);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)
    return;
  const bool handshake = std::strcmp(what, "read") != 0;
  // A connection closed after its handshake is not a TLS matter (CAF closes its sockets
  // without a TLS close_notify, which OpenSSL 3 reports as an unexpected EOF).
  if (!handshake && (error != SSL_ERROR_SSL || ERR_GET_REASON(ERR_peek_last_error()) ==
                                                   SSL_R_UNEXPECTED_EOF_WHILE_READING))
    return;
  auto& note = note_of(ssl);
  if (note.reported)
    return;
  note.reported = true;
  const auto& peer = note.peer;
  const auto reason = reason_of(ssl, error);
  const bool server = SSL_is_server(ssl) == 1;
  if (handshake)
    log()->warn("TLS handshake with {} {}: {}", peer, server ? "refused" : "failed", reason);
  else
    log()->warn("TLS connection with {} failed: {}", peer, reason);
  if (server)
    return;
  std::lock_guard<std::mutex> guard(failures_mutex);
  if (failures.size() >= 256) // a bound: only recent failures matter
    failures.clear();
  failures[peer] = reason;
}

/// OpenSSL's definition of `name` (the next one after this executable's).
template <class F>
F openssl_function(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

} // namespace

std::optional<std::string> tls_failure_with(const std::string& peer) {
  std::lock_guard<std::mutex> guard(failures_mutex);
  auto it = failures.find(peer);
  if (it == failures.end())
    return std::nullopt;
  return it->second;
}

bool tls_handshake_log_active() {
  return ::dlsym(RTLD_DEFAULT, "SSL_accept") == reinterpret_cast<void*>(&::SSL_accept);
}

} // namespace sluice

// Each clears this thread's OpenSSL error queue first, as OpenSSL requires before an I/O call
// (SSL_get_error reads the queue). CAF does not: its session empties the queue only in log
// statements, which Debian's build compiles out, so one refused handshake left its error for the
// next connection served by the same thread, whose next read or write then failed too (a task
// manager's connection was closed when a client without a certificate was refused).
extern "C" {

int SSL_accept(SSL* ssl) {
  static const auto real = sluice::openssl_function<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  sluice::note_of(ssl);
  const int ret = real(ssl);
  if (ret <= 0)
    sluice::report(ssl, ret, "accept");
  return ret;
}

int SSL_connect(SSL* ssl) {
  static const auto real = sluice::openssl_function<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  sluice::note_of(ssl);
  const int ret = real(ssl);
  if (ret <= 0)
    sluice::report(ssl, ret, "connect");
  return ret;
}

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = sluice::openssl_function<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  const int ret = real(ssl, buf, num);
  if (ret <= 0)
    sluice::report(ssl, ret, "read");
  return ret;
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real =
      sluice::openssl_function<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

} // extern "C"
