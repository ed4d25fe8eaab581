#pragma once
// The connections of a cluster process: CAF's middleman, or with --tls-cert/--tls-key/--tls-ca
// CAF's OpenSSL module, which makes every connection mutual TLS (each side shows a certificate
// signed by the CA, or the handshake fails: docs/security.md). Every publish, listen and connect
// of the cluster's processes and of the `sluice` tool goes through here.

#include "sluice/operators/api/cluster_config.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman_actor.hpp>

#include <cstdint>
#include <string>

namespace sluice {

/// Checks the files of `tls` (PEM, the key is the certificate's, the certificate is signed by
/// the CA), then sets CAF's openssl options in `cfg` and loads CAF's OpenSSL module. Throws
/// config_error naming the flag and the file.
void enable_tls(caf::actor_system_config& cfg, const tls_files& tls);

/// Listens on `bind` for peers of `whom` (reusing the address); returns the port.
caf::expected<std::uint16_t> publish_actor(caf::actor_system& sys, const caf::actor& whom,
                                           const host_port& bind);

/// Listens on `host` (port 0: a free one) for peer processes; returns the port.
caf::expected<std::uint16_t> open_port(caf::actor_system& sys, const std::string& host);

/// Connects to the process at `where` (blocking); returns the actor it published.
caf::expected<caf::actor> connect_actor(caf::actor_system& sys, const host_port& where);

/// Connects to the process at `where` (blocking), whatever it published.
caf::expected<caf::node_id> connect_node(caf::actor_system& sys, const host_port& where);

/// The middleman actor that makes the connections: the OpenSSL module's with TLS on.
caf::io::middleman_actor transport(caf::actor_system& sys);

/// `error`'s text, with the TLS failure behind it when a connection to `where` failed in its
/// TLS handshake ("... (TLS: certificate verify failed (self-signed certificate))").
std::string connect_error_text(const caf::error& error, const host_port& where);

} // namespace sluice
