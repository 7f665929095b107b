// Certificates for TLS tests, made at test time (EC P-256, SHA-256) so no private key is ever
// committed. Two independent CAs: "ca" signs the server and client certificates; "wrong_ca"
// signs a server certificate no one trusts by default.
#pragma once

#include <string>

namespace sipactor::test {

struct test_certificates {
  std::string directory;  // fresh mkdtemp directory holding the PEM files below

  std::string ca_certificate;
  std::string server_certificate;  // CN=localhost; SAN DNS:localhost, IP:127.0.0.1, IP:::1
  std::string server_key;
  std::string client_certificate;  // CN=client.sipactor.test, extendedKeyUsage clientAuth
  std::string client_key;

  std::string wrong_ca_certificate;
  std::string wrong_server_certificate;  // same names as server_certificate, signed by wrong_ca
  std::string wrong_server_key;
};

// Generates a new set in a new temporary directory; throws std::runtime_error on failure.
test_certificates generate_test_certificates();

// One set per test process, made on first use; its directory is removed at exit.
const test_certificates& shared_test_certificates();

}  // namespace sipactor::test
