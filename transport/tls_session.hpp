// One TLS connection driven by bytes, without sockets (RFC 3261 §26.2, §18): the owner feeds the
// ciphertext it read from the network and takes plaintext out; it queues plaintext and takes the
// ciphertext to write. OpenSSL runs on two memory BIOs. Not thread-safe: one owner (a connection
// actor) drives it; the context may be shared by any number of sessions on any thread.
//
// After each receive_ciphertext(), send_plaintext(), start() or shutdown() the owner calls
// take_ciphertext() and writes what it got, even after a failure (it may hold an alert).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "transport/tls_context.hpp"

namespace sipactor::tls {

class session {
 public:
  // server_name (clients): sent as SNI and matched against the server's certificate (DNS SANs,
  // or IP SANs when it is an IPv4/IPv6 literal, brackets allowed; literals are not sent as SNI,
  // RFC 6066 §3). Empty: the chain is verified, the name is not. Ignored for servers.
  session(std::shared_ptr<const context> ctx, role r, std::string server_name = {});
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Clients: produce the ClientHello. Servers need not call it.
  void start();

  // Ciphertext from the peer. False on a fatal TLS error (handshake failure, bad record,
  // verification failure); error() says why. Further calls return false.
  bool receive_ciphertext(const char* data, std::size_t n);
  // Plaintext decrypted so far, appended to `out`.
  void take_plaintext(std::string& out);

  // Queues application data; held back until the handshake completes. False once failed or shut down.
  bool send_plaintext(const char* data, std::size_t n);
  // Ciphertext to write to the wire (handshake, application data, alerts), appended to `out`.
  void take_ciphertext(std::string& out);

  // Queues close_notify (after any plaintext still held back for the handshake).
  void shutdown();

  bool handshake_done() const noexcept { return handshake_done_; }
  bool failed() const noexcept { return !error_.empty(); }
  // The peer sent close_notify: no more plaintext will come.
  bool peer_closed() const noexcept { return peer_closed_; }
  const std::string& error() const noexcept { return error_; }
  // The peer certificate's subject (RFC 2253), empty without one. For logs.
  std::string peer_subject() const;
  // "TLSv1.3", "TLSv1.2"; empty before the handshake completes.
  std::string protocol_version() const;

 private:
  bool advance();                 // handshake, then flush held plaintext, then read records
  bool write_through(const char* data, std::size_t n);
  bool fail(const char* what, int ssl_result);
  void trim_idle_bios();

  std::shared_ptr<const context> ctx_;
  SSL* ssl_ = nullptr;
  BIO* network_in_ = nullptr;   // ciphertext from the peer, read by SSL (owned by ssl_)
  BIO* network_out_ = nullptr;  // ciphertext written by SSL, for the wire (owned by ssl_)
  std::string plaintext_in_;    // decrypted, not yet taken
  std::string held_plaintext_;  // queued before the handshake completed
  std::string error_;
  role role_;
  bool started_ = false;
  bool handshake_done_ = false;
  bool shutdown_requested_ = false;
  bool shutdown_sent_ = false;
  bool peer_closed_ = false;
};

}  // namespace sipactor::tls
