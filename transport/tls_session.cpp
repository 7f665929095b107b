#include "transport/tls_session.hpp"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace sipactor::tls {

namespace {

// A memory BIO keeps the capacity of the largest chunk that went through it (a 64 KB socket read,
// a 100 KB response, 1.4 KB of handshake). Idle connections must not: an emptied BIO holding
// capacity is replaced by a fresh one. A few small mallocs per record, next to the 16 KB record
// buffers SSL_MODE_RELEASE_BUFFERS already allocates and frees per record.

BIO* new_network_bio() {
  BIO* bio = BIO_new(BIO_s_mem());
  // An empty BIO means "no bytes yet" (retry), not end of stream.
  if (bio != nullptr) BIO_set_mem_eof_return(bio, -1);
  return bio;
}

bool empty_with_capacity(BIO* bio) {
  if (BIO_ctrl_pending(bio) != 0) return false;
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  return mem != nullptr && mem->max > 0;
}

bool is_ip_literal(const std::string& name) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
  bool literal = ip != nullptr;
  ASN1_OCTET_STRING_free(ip);
  return literal;
}

}  // namespace

session::session(std::shared_ptr<const context> ctx, role r, std::string server_name)
    : ctx_(std::move(ctx)), role_(r) {
  ERR_clear_error();
  if (!ctx_) {
    error_ = "no TLS context";
    return;
  }
  if (ctx_->side() != r) {
    error_ = r == role::client ? "a server TLS context cannot make a client session"
                               : "a client TLS context cannot make a server session";
    return;
  }
  ssl_ = SSL_new(ctx_->native_handle());
  if (ssl_ == nullptr) {
    fail("cannot create SSL", SSL_ERROR_SSL);
    return;
  }
  network_in_ = new_network_bio();
  network_out_ = new_network_bio();
  if (network_in_ == nullptr || network_out_ == nullptr) {
    BIO_free(network_in_);
    BIO_free(network_out_);
    network_in_ = network_out_ = nullptr;
    fail("cannot create memory BIOs", SSL_ERROR_SSL);
    return;
  }
  SSL_set_bio(ssl_, network_in_, network_out_);

  if (r == role::server) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  // SIP URIs write IPv6 hosts in brackets (RFC 3261 §19.1.1, RFC 2732).
  if (server_name.size() > 2 && server_name.front() == '[' && server_name.back() == ']')
    server_name = server_name.substr(1, server_name.size() - 2);
  if (server_name.empty()) return;
  bool named = is_ip_literal(server_name)
                   ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str()) == 1
                   : SSL_set_tlsext_host_name(ssl_, server_name.c_str()) == 1 &&
                         SSL_set1_host(ssl_, server_name.c_str()) == 1;
  if (!named) {
    fail(("cannot use server name " + server_name).c_str(), SSL_ERROR_SSL);
    return;
  }
  SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
}

session::~session() { SSL_free(ssl_); }  // frees both BIOs

void session::start() {
  if (failed() || started_ || role_ != role::client) return;
  ERR_clear_error();
  started_ = true;
  advance();
}

bool session::receive_ciphertext(const char* data, std::size_t n) {
  if (failed()) return false;
  ERR_clear_error();
  started_ = true;
  std::size_t written = 0;
  if (n > 0 && (BIO_write_ex(network_in_, data, n, &written) != 1 || written != n))
    return fail("cannot buffer received ciphertext", SSL_ERROR_SSL);
  bool ok = advance();
  trim_idle_bios();
  return ok;
}

void session::take_plaintext(std::string& out) {
  if (out.empty()) {
    out.swap(plaintext_in_);
  } else {
    out.append(plaintext_in_);
  }
  plaintext_in_ = std::string();  // give the capacity back
}

bool session::send_plaintext(const char* data, std::size_t n) {
  if (failed() || shutdown_requested_) return false;
  if (n == 0) return true;
  ERR_clear_error();
  if (!handshake_done_ || !held_plaintext_.empty()) {
    held_plaintext_.append(data, n);
    if (role_ == role::client && !started_) start();
    return !failed();
  }
  return write_through(data, n);
}

void session::take_ciphertext(std::string& out) {
  if (network_out_ == nullptr) return;
  std::size_t pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) return;
  std::size_t old_size = out.size();
  out.resize(old_size + pending);
  std::size_t got = 0;
  if (BIO_read_ex(network_out_, out.data() + old_size, pending, &got) != 1) got = 0;
  out.resize(old_size + got);
  trim_idle_bios();
}

void session::shutdown() {
  if (failed() || shutdown_requested_) return;
  ERR_clear_error();
  shutdown_requested_ = true;
  if (handshake_done_) advance();
}

std::string session::peer_subject() const {
  if (ssl_ == nullptr) return {};
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return {};
  BIO* text = BIO_new(BIO_s_mem());
  if (text == nullptr) return {};
  std::string out;
  if (X509_NAME_print_ex(text, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) >= 0) {
    char* bytes = nullptr;
    long n = BIO_get_mem_data(text, &bytes);
    if (n > 0) out.assign(bytes, static_cast<std::size_t>(n));
  }
  BIO_free(text);
  ERR_clear_error();
  return out;
}

std::string session::protocol_version() const {
  if (!handshake_done_ || ssl_ == nullptr) return {};
  return SSL_get_version(ssl_);
}

// Drives OpenSSL as far as the bytes at hand allow: the handshake, then plaintext held back for
// it, then every record received (application data, TLS 1.3 tickets and key updates, alerts),
// then close_notify if asked for.
bool session::advance() {
  if (!handshake_done_) {
    int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      int e = SSL_get_error(ssl_, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
      return fail("TLS handshake failed", e);
    }
    handshake_done_ = true;
  }

  char record[16384];  // one TLS record's worth of plaintext at most
  for (;;) {
    // SSL_read on nothing would allocate the 16 KB record buffer that RELEASE_BUFFERS just freed.
    if (BIO_ctrl_pending(network_in_) == 0 && SSL_has_pending(ssl_) == 0) break;
    std::size_t n = 0;
    int rc = SSL_read_ex(ssl_, record, sizeof record, &n);
    if (rc == 1) {
      plaintext_in_.append(record, n);
      continue;
    }
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    if (e == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return fail("TLS receive failed", e);
  }

  if (!held_plaintext_.empty()) {
    std::string held = std::move(held_plaintext_);
    held_plaintext_ = std::string();
    if (!write_through(held.data(), held.size())) return false;
  }
  if (shutdown_requested_ && !shutdown_sent_ && held_plaintext_.empty()) {
    shutdown_sent_ = true;
    // 0: close_notify queued, the peer's not yet seen; 1: both sent. Either is fine here.
    if (SSL_shutdown(ssl_) < 0) ERR_clear_error();
  }
  return true;
}

bool session::write_through(const char* data, std::size_t n) {
  while (n > 0) {
    std::size_t written = 0;
    int rc = SSL_write_ex(ssl_, data, n, &written);
    if (rc == 1) {
      data += written;
      n -= written;
      continue;
    }
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      // The memory BIO never refuses a write; OpenSSL may still want the peer's bytes first.
      held_plaintext_.append(data, n);
      return true;
    }
    return fail("TLS send failed", e);
  }
  return true;
}

bool session::fail(const char* what, int ssl_error) {
  std::string reason = what;
  std::string queue = take_openssl_errors();
  if (!queue.empty()) {
    reason += ": ";
    reason += queue;
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    reason += ": unexpected end of stream";
  }
  if (ssl_ != nullptr) {
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      reason += " (certificate verification: ";
      reason += X509_verify_cert_error_string(verify);
      reason += ')';
    }
  }
  error_ = std::move(reason);
  held_plaintext_ = std::string();  // plaintext_in_ stays: it was authenticated before the failure
  return false;
}

void session::trim_idle_bios() {
  if (ssl_ == nullptr) return;
  if (empty_with_capacity(network_in_)) {
    if (BIO* fresh = new_network_bio()) {
      SSL_set0_rbio(ssl_, fresh);  // frees the old one
      network_in_ = fresh;
    }
  }
  if (empty_with_capacity(network_out_)) {
    if (BIO* fresh = new_network_bio()) {
      SSL_set0_wbio(ssl_, fresh);
      network_out_ = fresh;
    }
  }
}

}  // namespace sipactor::tls
