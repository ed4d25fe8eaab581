#pragma once
// Failed TLS handshakes, logged with the peer's address. CAF's OpenSSL module (libcaf_openssl)
// closes a connection whose handshake fails without saying so (its log is compiled out in
// Debian's build), so this file defines SSL_accept, SSL_connect, SSL_read and SSL_write, which
// the executable exports and the dynamic linker binds libcaf_openssl's (and cpp-httplib's) calls
// to: each empties the thread's OpenSSL error queue (which CAF leaves full after a failure,
// failing the thread's next connection), calls OpenSSL's own function and, when it fails for
// good, logs a warning naming the peer and OpenSSL's reason ("TLS handshake with
// 127.0.0.1:40312 refused: ...").

#include <optional>
#include <string>

namespace sluice {

/// Why the last TLS connection this process opened to `peer` (HOST:PORT, numeric) failed, if
/// one did: OpenSSL's reason, e.g. "certificate verify failed (self-signed certificate)".
std::optional<std::string> tls_failure_with(const std::string& peer);

/// Whether SSL_accept and SSL_connect of this process are those of this file (the executable
/// exports them); false means failed handshakes go unlogged.
bool tls_handshake_log_active();

} // namespace sluice
