#include "tls_transport.hpp"

#include "caf_error_text.hpp"
#include "tls_handshake_log.hpp"

#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/core/logging.hpp"

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <set>

namespace sluice {

namespace {

/// OpenSSL's queued errors as text (and the queue emptied).
std::string openssl_errors() {
  std::string text;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text += (text.empty() ? "" : "; ") + std::string(buf);
  }
  return text.empty() ? "no reason given" : text;
}

/// Loads the files of `tls` as CAF's OpenSSL module will (which also checks that the key is the
/// certificate's), so a bad file fails at start with a clear error instead of in the middle of a
/// connection.
void check_tls_files(const tls_files& tls) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!ctx)
    throw config_error("TLS: cannot create an OpenSSL context: " + openssl_errors());
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert.c_str()) != 1)
    throw config_error("flag --tls-cert: cannot load the certificate '" + tls.cert +
                       "' (PEM): " + openssl_errors());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw config_error("flag --tls-key: cannot load the private key '" + tls.key +
                       "' (PEM, unencrypted, the key of --tls-cert): " + openssl_errors());
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1)
    throw config_error("flag --tls-ca: cannot load the CA certificate '" + tls.ca +
                       "' (PEM): " + openssl_errors());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(),
                                                                         X509_STORE_CTX_free);
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx.get(), &chain);
  if (!check || X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(ctx.get()),
                                    SSL_CTX_get0_certificate(ctx.get()), chain) != 1)
    throw config_error("TLS: cannot check the certificate: " + openssl_errors());
  if (X509_verify_cert(check.get()) != 1)
    throw config_error(
        "flag --tls-cert: the certificate '" + tls.cert + "' is not signed by the CA '" + tls.ca +
        "' (--tls-ca): " + X509_verify_cert_error_string(X509_STORE_CTX_get_error(check.get())) +
        "; every process of a cluster needs a certificate of the CA all of them trust");
}

} // namespace

void enable_tls(caf::actor_system_config& cfg, const tls_files& tls) {
  check_tls_files(tls);
  // With any of these set, CAF's OpenSSL module requires a peer certificate verified against
  // the CA on both sides (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) and offers only
  // the ciphers HIGH:!aNULL:!MD5.
  cfg.openssl_certificate = tls.cert;
  cfg.openssl_key = tls.key;
  cfg.openssl_cafile = tls.ca;
  cfg.load<caf::openssl::manager>();
  if (!tls_handshake_log_active())
    log()->warn("TLS: failed handshakes will not be logged (SSL_accept is not this program's)");
}

caf::io::middleman_actor transport(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

caf::expected<std::uint16_t> publish_actor(caf::actor_system& sys, const caf::actor& whom,
                                           const host_port& bind) {
  auto f = caf::make_function_view(transport(sys));
  return f(caf::publish_atom::value, bind.port, caf::actor_cast<caf::strong_actor_ptr>(whom),
           std::set<std::string>{}, bind.host, true);
}

caf::expected<std::uint16_t> open_port(caf::actor_system& sys, const std::string& host) {
  auto f = caf::make_function_view(transport(sys));
  return f(caf::open_atom::value, std::uint16_t{0}, host, true);
}

caf::expected<caf::actor> connect_actor(caf::actor_system& sys, const host_port& where) {
  auto f = caf::make_function_view(transport(sys));
  auto x = f(caf::connect_atom::value, where.host, where.port);
  if (!x)
    return std::move(x.error());
  auto& published = std::get<1>(*x);
  if (!published)
    return caf::make_error(caf::sec::no_actor_published_at_port);
  return caf::actor_cast<caf::actor>(std::move(published));
}

caf::expected<caf::node_id> connect_node(caf::actor_system& sys, const host_port& where) {
  auto f = caf::make_function_view(transport(sys));
  auto x = f(caf::connect_atom::value, where.host, where.port);
  if (!x)
    return std::move(x.error());
  return std::move(std::get<0>(*x));
}

std::string connect_error_text(const caf::error& error, const host_port& where) {
  auto text = error_text(error);
  if (auto tls = tls_failure_with(where.to_string()))
    text += " (TLS: " + *tls + ")";
  return text;
}

} // namespace sluice
