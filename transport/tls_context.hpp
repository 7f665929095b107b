// TLS for SIP (RFC 3261 §26.2, §18; RFC 5630 §3): the shared, immutable OpenSSL configuration
// one listener or one outbound connection pool uses for all its connections. TLS 1.2 and 1.3
// only, AEAD cipher suites with forward secrecy, no compression, no renegotiation.
//
// No CAF here: a connection actor owns one `session` per connection and shares the context.
#pragma once

#include <memory>
#include <string>

#include <openssl/types.h>

namespace sipactor::tls {

// Protocol versions as OpenSSL numbers them (TLS1_2_VERSION, TLS1_3_VERSION).
inline constexpr int tls1_2_version = 0x0303;
inline constexpr int tls1_3_version = 0x0304;

enum class role { client, server };

struct tls_config {
  std::string certificate_file;  // PEM, leaf first then intermediates; required for servers,
                                 // optional for clients (client authentication)
  std::string private_key_file;  // PEM; required when certificate_file is set
  std::string ca_file;           // PEM bundle of trusted CAs; empty: the system's default store
  bool verify_peer = true;       // servers: request and verify client certificates;
                                 // clients: verify the server's chain and name
  bool require_peer_certificate = false;  // servers: fail the handshake without a client cert
  int max_version = 0;  // 0: the newest OpenSSL supports; else tls1_2_version or tls1_3_version
};

class context;

// context::create's result: the context, or the reason it could not be made.
struct expected_context {
  std::shared_ptr<const context> value;
  std::string error;

  explicit operator bool() const noexcept { return value != nullptr; }
  const context& operator*() const noexcept { return *value; }
  const context* operator->() const noexcept { return value.get(); }
};

class context {
 public:
  // Reads the files now; errors name the file and carry OpenSSL's reason, e.g.
  // "cannot load certificate /x/y.pem: error:...:No such file or directory".
  static expected_context create(role r, const tls_config& config);

  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  role side() const noexcept { return role_; }
  // SSL_CTX is reference counted and safe to create SSL objects from on several threads.
  SSL_CTX* native_handle() const noexcept { return ctx_; }

 private:
  context(SSL_CTX* ctx, role r) noexcept : ctx_(ctx), role_(r) {}

  SSL_CTX* ctx_;
  role role_;
};

// Drains OpenSSL's thread-local error queue into one line, entries separated by "; ".
std::string take_openssl_errors();

}  // namespace sipactor::tls
