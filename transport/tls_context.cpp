#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sipactor::tls {

static_assert(tls1_2_version == TLS1_2_VERSION && tls1_3_version == TLS1_3_VERSION);

namespace {

// TLS 1.2 suites: ECDHE/DHE key exchange and AEAD only (the Mozilla "intermediate" set). RFC 3261's
// mandatory TLS_RSA_WITH_AES_128_CBC_SHA is left out on purpose: no forward secrecy, CBC-SHA1.
// TLS 1.3 suites stay at OpenSSL's defaults (all AEAD).
constexpr const char* tls12_cipher_list =
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!PSK:!SRP";

// Session resumption with client certificates fails without an id context on the server.
constexpr unsigned char session_id_context[] = "sipactor-sip-tls";

// An encrypted key file would otherwise make OpenSSL prompt on the terminal from inside an actor.
int refuse_passphrase(char*, int, int, void*) { return 0; }

expected_context fail(std::string what) {
  std::string reasons = take_openssl_errors();
  if (!reasons.empty()) what += ": " + reasons;
  return expected_context{nullptr, std::move(what)};
}

struct ssl_ctx_deleter {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};

}  // namespace

std::string take_openssl_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ')';
    }
  }
  return out;
}

context::~context() { SSL_CTX_free(ctx_); }

expected_context context::create(role r, const tls_config& config) {
  ERR_clear_error();
  const bool server = r == role::server;

  // RFC 8996: TLS 1.0 and 1.1 are not to be negotiated.
  if (config.max_version != 0 && config.max_version != tls1_2_version && config.max_version != tls1_3_version)
    return fail("max_version " + std::to_string(config.max_version) +
                " is not TLS 1.2 (0x0303) or TLS 1.3 (0x0304); older versions are refused (RFC 8996)");
  if (server && (config.certificate_file.empty() || config.private_key_file.empty()))
    return fail("a TLS server needs certificate_file and private_key_file");
  if (config.certificate_file.empty() != config.private_key_file.empty())
    return fail("certificate_file and private_key_file go together");

  std::unique_ptr<SSL_CTX, ssl_ctx_deleter> ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) return fail("cannot create SSL_CTX");
  SSL_CTX* c = ctx.get();

  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(c, config.max_version) != 1)
    return fail("cannot restrict protocol versions");
  if (SSL_CTX_set_cipher_list(c, tls12_cipher_list) != 1) return fail("cannot set TLS 1.2 cipher list");
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections give their 16 KB record buffers back; a proxy holds thousands of them.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_default_passwd_cb(c, refuse_passphrase);

  if (!config.certificate_file.empty()) {
    const char* cert = config.certificate_file.c_str();
    const char* key = config.private_key_file.c_str();
    if (SSL_CTX_use_certificate_chain_file(c, cert) != 1) return fail("cannot load certificate " + config.certificate_file);
    const std::string mismatch =
        "private key " + config.private_key_file + " does not match certificate " + config.certificate_file;
    if (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1) {
      bool mismatched = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
      return fail(mismatched ? mismatch : "cannot load private key " + config.private_key_file);
    }
    if (SSL_CTX_check_private_key(c) != 1) return fail(mismatch);
  }

  if (config.verify_peer) {
    if (!config.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(c, config.ca_file.c_str(), nullptr) != 1)
        return fail("cannot load CA file " + config.ca_file);
    } else if (SSL_CTX_set_default_verify_paths(c) != 1) {
      return fail("cannot load the default CA store");
    }
    int mode = SSL_VERIFY_PEER;
    if (server) {
      if (config.require_peer_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      // Tell clients which CAs we accept (CertificateRequest certificate_authorities).
      if (!config.ca_file.empty()) {
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.ca_file.c_str());
        if (names == nullptr) return fail("cannot read CA names from " + config.ca_file);
        SSL_CTX_set_client_CA_list(c, names);
      }
    }
    SSL_CTX_set_verify(c, mode, nullptr);
  } else {
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
  }

  if (server) {
    SSL_CTX_set_dh_auto(c, 1);
    if (SSL_CTX_set_session_id_context(c, session_id_context, sizeof session_id_context - 1) != 1)
      return fail("cannot set session id context");
  }

  ERR_clear_error();
  return expected_context{std::shared_ptr<const context>(new context(ctx.release(), r)), {}};
}

}  // namespace sipactor::tls
