#include "tests/support/test_certificates.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "transport/tls_context.hpp"

namespace sipactor::test {

namespace {

struct openssl_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using cert_ptr = std::unique_ptr<X509, openssl_free>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("test certificates: " + what + ": " + tls::take_openssl_errors());
}

enum class purpose { ca, server, client };

key_ptr new_key() {
  key_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EC P-256 key generation failed");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, openssl_free> ext(X509V3_EXT_nconf_nid(nullptr, &v3, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string("cannot add extension ") + value);
}

// issuer == nullptr: self-signed.
cert_ptr make_certificate(purpose p, const char* common_name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  cert_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509* x = cert.get();
  std::uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) fail("RAND_bytes");
  serial >>= 1;  // positive, at most 63 bits

  X509_NAME* name = X509_get_subject_name(x);
  if (X509_set_version(x, X509_VERSION_3) != 1 || ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sipactor tests"),
                                 -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), 7 * 24 * 3600) == nullptr || X509_set_pubkey(x, key) != 1)
    fail(std::string("cannot fill certificate ") + common_name);

  X509* signer = issuer != nullptr ? issuer : x;
  add_extension(x, signer, NID_subject_key_identifier, "hash");
  add_extension(x, signer, NID_authority_key_identifier, "keyid:always");
  switch (p) {
    case purpose::ca:
      add_extension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
      add_extension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
    case purpose::server:
      add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
      add_extension(x, signer, NID_key_usage, "critical,digitalSignature");
      add_extension(x, signer, NID_ext_key_usage, "serverAuth");
      add_extension(x, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
      break;
    case purpose::client:
      add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
      add_extension(x, signer, NID_key_usage, "critical,digitalSignature");
      add_extension(x, signer, NID_ext_key_usage, "clientAuth");
      break;
  }
  if (X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0)
    fail(std::string("cannot sign certificate ") + common_name);
  return cert;
}

std::string write_certificate(const std::string& dir, const char* file, X509* cert) {
  std::string path = dir + "/" + file;
  std::unique_ptr<BIO, openssl_free> out(BIO_new_file(path.c_str(), "w"));
  if (!out || PEM_write_bio_X509(out.get(), cert) != 1) fail("cannot write " + path);
  return path;
}

std::string write_key(const std::string& dir, const char* file, EVP_PKEY* key) {
  std::string path = dir + "/" + file;
  std::unique_ptr<BIO, openssl_free> out(BIO_new_file(path.c_str(), "w"));
  if (!out || PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write " + path);
  out.reset();
  ::chmod(path.c_str(), 0600);
  return path;
}

// Removes the shared set's directory when the test process exits.
struct owned_certificates {
  test_certificates files = generate_test_certificates();
  ~owned_certificates() {
    std::error_code ignored;
    std::filesystem::remove_all(files.directory, ignored);
  }
};

}  // namespace

test_certificates generate_test_certificates() {
  const char* tmp = ::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/sipactor-tls-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("test certificates: mkdtemp " + pattern + " failed");

  test_certificates out;
  out.directory = buffer.data();
  const std::string& dir = out.directory;

  key_ptr ca_key = new_key();
  cert_ptr ca = make_certificate(purpose::ca, "sipactor test CA", ca_key.get(), nullptr, nullptr);
  key_ptr server_key = new_key();
  cert_ptr server = make_certificate(purpose::server, "localhost", server_key.get(), ca.get(), ca_key.get());
  key_ptr client_key = new_key();
  cert_ptr client =
      make_certificate(purpose::client, "client.sipactor.test", client_key.get(), ca.get(), ca_key.get());

  key_ptr wrong_ca_key = new_key();
  cert_ptr wrong_ca = make_certificate(purpose::ca, "sipactor wrong CA", wrong_ca_key.get(), nullptr, nullptr);
  key_ptr wrong_server_key = new_key();
  cert_ptr wrong_server =
      make_certificate(purpose::server, "localhost", wrong_server_key.get(), wrong_ca.get(), wrong_ca_key.get());

  out.ca_certificate = write_certificate(dir, "ca.pem", ca.get());
  out.server_certificate = write_certificate(dir, "server.pem", server.get());
  out.server_key = write_key(dir, "server.key", server_key.get());
  out.client_certificate = write_certificate(dir, "client.pem", client.get());
  out.client_key = write_key(dir, "client.key", client_key.get());
  out.wrong_ca_certificate = write_certificate(dir, "wrong-ca.pem", wrong_ca.get());
  out.wrong_server_certificate = write_certificate(dir, "wrong-server.pem", wrong_server.get());
  out.wrong_server_key = write_key(dir, "wrong-server.key", wrong_server_key.get());
  return out;
}

const test_certificates& shared_test_certificates() {
  static const owned_certificates certificates;
  return certificates.files;
}

}  // namespace sipactor::test
