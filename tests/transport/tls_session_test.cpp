// TLS sessions (RFC 3261 §26.2) driven in memory: a client session and a server session talk by
// handing each other their ciphertext, no sockets.
#include <malloc.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tests/support/test_certificates.hpp"
#include "transport/tls_context.hpp"
#include "transport/tls_session.hpp"

namespace sipactor::tls {
namespace {

const test::test_certificates& certs() { return test::shared_test_certificates(); }

std::shared_ptr<const context> make_context(role r, const tls_config& config) {
  expected_context made = context::create(r, config);
  INFO(made.error);
  REQUIRE(made);
  return made.value;
}

tls_config server_config() {
  tls_config c;
  c.certificate_file = certs().server_certificate;
  c.private_key_file = certs().server_key;
  c.ca_file = certs().ca_certificate;
  return c;
}

tls_config client_config() {
  tls_config c;
  c.ca_file = certs().ca_certificate;
  return c;
}

tls_config client_config_with_certificate() {
  tls_config c = client_config();
  c.certificate_file = certs().client_certificate;
  c.private_key_file = certs().client_key;
  return c;
}

// chunk == 0: everything in one call.
void deliver(session& to, const std::string& bytes, std::size_t chunk) {
  if (chunk == 0) chunk = bytes.size();
  for (std::size_t at = 0; at < bytes.size(); at += chunk)
    to.receive_ciphertext(bytes.data() + at, std::min(chunk, bytes.size() - at));
}

// Carries ciphertext both ways until neither side has anything more to say.
void pump(session& client, session& server, std::size_t chunk = 0) {
  for (int round = 0; round < 10000; ++round) {
    std::string to_server, to_client;
    client.take_ciphertext(to_server);
    server.take_ciphertext(to_client);
    if (to_server.empty() && to_client.empty()) return;
    deliver(server, to_server, chunk);
    deliver(client, to_client, chunk);
  }
  FAIL("the sessions kept talking");
}

std::string plaintext(session& s) {
  std::string out;
  s.take_plaintext(out);
  return out;
}

void send(session& s, const std::string& text) { REQUIRE(s.send_plaintext(text.data(), text.size())); }

struct connection {
  session client;
  session server;

  connection(std::shared_ptr<const context> client_ctx, std::shared_ptr<const context> server_ctx,
             std::string server_name = "localhost")
      : client(std::move(client_ctx), role::client, std::move(server_name)), server(std::move(server_ctx), role::server) {}

  void handshake(std::size_t chunk = 0) {
    client.start();
    pump(client, server, chunk);
  }
};

void require_established(const connection& c) {
  INFO("client: " << c.client.error() << "\nserver: " << c.server.error());
  REQUIRE_FALSE(c.client.failed());
  REQUIRE_FALSE(c.server.failed());
  REQUIRE(c.client.handshake_done());
  REQUIRE(c.server.handshake_done());
}

const std::string invite =
    "INVITE sip:bob@localhost SIP/2.0\r\n"
    "Via: SIP/2.0/TLS client.sipactor.test;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\nTo: <sip:bob@localhost>\r\nFrom: <sip:alice@sipactor.test>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n";
const std::string trying =
    "SIP/2.0 100 Trying\r\nVia: SIP/2.0/TLS client.sipactor.test;branch=z9hG4bK776asdhds\r\n"
    "To: <sip:bob@localhost>\r\nFrom: <sip:alice@sipactor.test>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n";

std::string payload(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(salt)) & 0xff);
  return s;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace

TEST_CASE("handshake, then a request and a response cross (TLS 1.3 by default)", "[tls]") {
  connection c(make_context(role::client, client_config()), make_context(role::server, server_config()));
  CHECK(c.client.protocol_version().empty());
  c.handshake();
  require_established(c);
  CHECK(c.client.protocol_version() == "TLSv1.3");
  CHECK(c.server.protocol_version() == "TLSv1.3");
  CHECK(c.client.peer_subject() == "CN=localhost,O=sipactor tests");
  CHECK(c.server.peer_subject().empty());  // no client certificate

  send(c.client, invite);
  pump(c.client, c.server);
  CHECK(plaintext(c.server) == invite);
  send(c.server, trying);
  pump(c.client, c.server);
  CHECK(plaintext(c.client) == trying);
  CHECK(plaintext(c.client).empty());
}

TEST_CASE("TLS 1.2 when either side's max_version says so", "[tls]") {
  tls_config client = client_config(), server = server_config();
  SECTION("client") { client.max_version = tls1_2_version; }
  SECTION("server") { server.max_version = tls1_2_version; }
  connection c(make_context(role::client, client), make_context(role::server, server));
  c.handshake();
  require_established(c);
  CHECK(c.client.protocol_version() == "TLSv1.2");
  CHECK(c.server.protocol_version() == "TLSv1.2");
  send(c.client, invite);
  send(c.server, trying);
  pump(c.client, c.server);
  CHECK(plaintext(c.server) == invite);
  CHECK(plaintext(c.client) == trying);
}

TEST_CASE("100 KB each way in one send", "[tls]") {
  tls_config client = client_config();
  SECTION("TLS 1.3") {}
  SECTION("TLS 1.2") { client.max_version = tls1_2_version; }
  connection c(make_context(role::client, client), make_context(role::server, server_config()));
  c.handshake();
  require_established(c);
  const std::string up = payload(100 * 1024, 'u'), down = payload(100 * 1024, 'd');
  send(c.client, up);
  send(c.server, down);
  pump(c.client, c.server);
  CHECK(plaintext(c.server) == up);
  CHECK(plaintext(c.client) == down);
}

TEST_CASE("handshake and data fed one byte at a time", "[tls]") {
  tls_config client = client_config_with_certificate();
  SECTION("TLS 1.3") {}
  SECTION("TLS 1.2") { client.max_version = tls1_2_version; }
  connection c(make_context(role::client, client), make_context(role::server, server_config()));
  c.handshake(1);
  require_established(c);
  send(c.client, invite);
  send(c.server, trying);
  std::string to_server, to_client, got_server, got_client;
  c.client.take_ciphertext(to_server);
  c.server.take_ciphertext(to_client);
  for (char byte : to_server) {
    REQUIRE(c.server.receive_ciphertext(&byte, 1));
    c.server.take_plaintext(got_server);
  }
  for (char byte : to_client) {
    REQUIRE(c.client.receive_ciphertext(&byte, 1));
    c.client.take_plaintext(got_client);
  }
  CHECK(got_server == invite);
  CHECK(got_client == trying);
}

TEST_CASE("plaintext queued before the handshake goes out after it, in order", "[tls]") {
  connection c(make_context(role::client, client_config()), make_context(role::server, server_config()));
  send(c.client, "first ");  // also starts the client
  send(c.client, invite);
  std::string hello;
  c.client.take_ciphertext(hello);
  CHECK_FALSE(hello.empty());
  CHECK(hello.find("INVITE") == std::string::npos);
  send(c.server, trying);
  deliver(c.server, hello, 0);
  pump(c.client, c.server);
  require_established(c);
  CHECK(plaintext(c.server) == "first " + invite);
  CHECK(plaintext(c.client) == trying);
}

TEST_CASE("a client rejects a server whose certificate comes from another CA, and the server carries on", "[tls]") {
  tls_config wrong_server = server_config();
  wrong_server.certificate_file = certs().wrong_server_certificate;
  wrong_server.private_key_file = certs().wrong_server_key;
  auto server_ctx = make_context(role::server, wrong_server);
  tls_config trusts_wrong_ca = client_config();
  trusts_wrong_ca.ca_file = certs().wrong_ca_certificate;

  // A session of the same server context, established before and used after the failure.
  connection other(make_context(role::client, trusts_wrong_ca), server_ctx);
  other.handshake();
  require_established(other);

  connection c(make_context(role::client, client_config()), server_ctx);
  c.handshake();
  CHECK(c.client.failed());
  CHECK_FALSE(c.client.handshake_done());
  CHECK_THAT(c.client.error(), Catch::Contains("certificate verify failed"));
  CHECK_THAT(c.client.error(), Catch::Contains("verification"));
  CHECK(c.server.failed());  // the client's alert
  CHECK_THAT(c.server.error(), Catch::Contains("unknown ca"));
  CHECK_FALSE(c.client.send_plaintext("x", 1));
  CHECK_FALSE(c.client.receive_ciphertext("x", 1));

  send(other.client, invite);
  pump(other.client, other.server);
  CHECK(plaintext(other.server) == invite);

  connection later(make_context(role::client, trusts_wrong_ca), server_ctx);
  later.handshake();
  require_established(later);
}

TEST_CASE("the server certificate must match the name the client asked for", "[tls]") {
  auto client_ctx = make_context(role::client, client_config());
  auto server_ctx = make_context(role::server, server_config());
  for (const char* good : {"localhost", "127.0.0.1", "::1", "[::1]"}) {
    INFO(good);
    connection c(client_ctx, server_ctx, good);
    c.handshake();
    require_established(c);
  }
  for (const char* bad : {"wrong.example.com", "127.0.0.2", "::2", "localhost.example.com"}) {
    INFO(bad);
    connection c(client_ctx, server_ctx, bad);
    c.handshake();
    CHECK(c.client.failed());
    CHECK_THAT(c.client.error(), Catch::Contains("certificate verify failed") && Catch::Contains("hostname mismatch") ||
                                     Catch::Contains("IP address mismatch"));
    CHECK(c.server.failed());
  }
}

TEST_CASE("a client sends SNI for names, not for IP literals (RFC 6066 §3)", "[tls]") {
  auto client_ctx = make_context(role::client, client_config());
  auto server_ctx = make_context(role::server, server_config());
  for (auto [name, expected_sni] : {std::pair<const char*, bool>{"localhost", true}, {"127.0.0.1", false}}) {
    INFO(name);
    session client(client_ctx, role::client, name);
    client.start();
    std::string hello;
    client.take_ciphertext(hello);
    CHECK((hello.find(name) != std::string::npos) == expected_sni);
  }
}

TEST_CASE("a server that requires a client certificate", "[tls]") {
  tls_config required = server_config();
  required.require_peer_certificate = true;
  auto server_ctx = make_context(role::server, required);
  tls_config client = client_config();
  SECTION("TLS 1.3") {}
  SECTION("TLS 1.2") { client.max_version = tls1_2_version; }

  SECTION("refuses a client without one") {
    connection c(make_context(role::client, client), server_ctx);
    c.handshake();
    CHECK(c.server.failed());
    CHECK_FALSE(c.server.handshake_done());
    CHECK_THAT(c.server.error(), Catch::Contains("peer did not return a certificate"));
    CHECK(c.client.failed());  // TLS 1.3: after its own Finished, from the server's alert
  }
  SECTION("accepts a client with one from its CA") {
    tls_config with_cert = client;
    with_cert.certificate_file = certs().client_certificate;
    with_cert.private_key_file = certs().client_key;
    connection c(make_context(role::client, with_cert), server_ctx);
    c.handshake();
    require_established(c);
    send(c.client, invite);
    pump(c.client, c.server);
    CHECK(plaintext(c.server) == invite);
    CHECK(c.server.peer_subject() == "CN=client.sipactor.test,O=sipactor tests");
  }
  SECTION("refuses a client certificate from another CA") {
    tls_config wrong_cert = client;
    wrong_cert.certificate_file = certs().wrong_server_certificate;
    wrong_cert.private_key_file = certs().wrong_server_key;
    connection c(make_context(role::client, wrong_cert), server_ctx);
    c.handshake();
    CHECK(c.server.failed());
    CHECK_THAT(c.server.error(), Catch::Contains("certificate verify failed"));
    CHECK(c.client.failed());
  }
}

TEST_CASE("a server that only asks for a client certificate accepts a client without one", "[tls]") {
  connection c(make_context(role::client, client_config()), make_context(role::server, server_config()));
  c.handshake();
  require_established(c);
  CHECK(c.server.peer_subject().empty());
}

TEST_CASE("TLS 1.0 and 1.1 are refused (RFC 8996)", "[tls]") {
  SECTION("our contexts cannot be made for them") {
    tls_config old = client_config();
    old.max_version = TLS1_1_VERSION;
    expected_context made = context::create(role::client, old);
    CHECK_FALSE(made);
    CHECK_THAT(made.error, Catch::Contains("RFC 8996"));
  }
  SECTION("our server refuses a TLS 1.1 client") {
    // A legacy client made with OpenSSL directly; security level 0 lets it speak TLS 1.1 at all.
    SSL_CTX* legacy_ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(legacy_ctx != nullptr);
    SSL_CTX_set_security_level(legacy_ctx, 0);
    REQUIRE(SSL_CTX_set_min_proto_version(legacy_ctx, TLS1_VERSION) == 1);
    REQUIRE(SSL_CTX_set_max_proto_version(legacy_ctx, TLS1_1_VERSION) == 1);
    REQUIRE(SSL_CTX_set_cipher_list(legacy_ctx, "DEFAULT:@SECLEVEL=0") == 1);
    SSL* legacy = SSL_new(legacy_ctx);
    REQUIRE(legacy != nullptr);
    BIO* from_server = BIO_new(BIO_s_mem());
    BIO* to_server = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(from_server, -1);
    SSL_set_bio(legacy, from_server, to_server);
    SSL_set_connect_state(legacy);
    SSL_do_handshake(legacy);

    char* bytes = nullptr;
    long n = BIO_get_mem_data(to_server, &bytes);
    if (n <= 0) {
      // This OpenSSL cannot even produce a TLS 1.1 ClientHello: nothing to refuse.
      WARN("OpenSSL refused to make a TLS 1.1 client: " << take_openssl_errors());
    } else {
      session server(make_context(role::server, server_config()), role::server);
      CHECK_FALSE(server.receive_ciphertext(bytes, static_cast<std::size_t>(n)));
      CHECK(server.failed());
      CHECK_THAT(server.error(), Catch::Contains("unsupported protocol"));
      std::string alert;
      server.take_ciphertext(alert);
      CHECK_FALSE(alert.empty());
      BIO_write(from_server, alert.data(), static_cast<int>(alert.size()));
      CHECK(SSL_do_handshake(legacy) != 1);
    }
    ERR_clear_error();
    SSL_free(legacy);
    SSL_CTX_free(legacy_ctx);
  }
}

TEST_CASE("garbage instead of TLS fails the session cleanly", "[tls]") {
  auto server_ctx = make_context(role::server, server_config());
  SECTION("a plain SIP request sent to the TLS port") {
    session server(server_ctx, role::server);
    CHECK_FALSE(server.receive_ciphertext(invite.data(), invite.size()));
    CHECK(server.failed());
    CHECK_FALSE(server.error().empty());
    CHECK_FALSE(server.handshake_done());
    std::string alert;
    server.take_ciphertext(alert);  // may hold an alert; must not crash
    CHECK_FALSE(server.receive_ciphertext("more", 4));
    CHECK_FALSE(server.send_plaintext("x", 1));
    server.shutdown();
  }
  SECTION("random bytes, fed in pieces") {
    session server(server_ctx, role::server);
    std::string noise = payload(4096, 'n');
    bool ok = true;
    for (std::size_t at = 0; at < noise.size() && ok; at += 100)
      ok = server.receive_ciphertext(noise.data() + at, std::min<std::size_t>(100, noise.size() - at));
    CHECK_FALSE(ok);
    CHECK(server.failed());
    CHECK_FALSE(server.error().empty());
  }
  SECTION("a tampered application data record after the handshake") {
    connection c(make_context(role::client, client_config()), server_ctx);
    c.handshake();
    require_established(c);
    send(c.client, invite);
    std::string record;
    c.client.take_ciphertext(record);
    record[record.size() / 2] ^= 0x01;
    CHECK_FALSE(c.server.receive_ciphertext(record.data(), record.size()));
    CHECK_THAT(c.server.error(), Catch::Contains("bad record mac") || Catch::Contains("decryption failed"));
    CHECK(plaintext(c.server).empty());
  }
  SECTION("an empty delivery is no error") {
    session server(server_ctx, role::server);
    CHECK(server.receive_ciphertext("", 0));
    CHECK_FALSE(server.failed());
  }
}

TEST_CASE("close_notify", "[tls]") {
  connection c(make_context(role::client, client_config()), make_context(role::server, server_config()));
  c.handshake();
  require_established(c);
  send(c.client, invite);
  c.client.shutdown();
  CHECK_FALSE(c.client.send_plaintext("x", 1));
  pump(c.client, c.server);
  CHECK(plaintext(c.server) == invite);
  CHECK(c.server.peer_closed());
  CHECK_FALSE(c.server.failed());
  c.server.shutdown();
  pump(c.client, c.server);
  CHECK(c.client.peer_closed());
  CHECK_FALSE(c.client.failed());
}

TEST_CASE("shutdown before the handshake completes waits for it and for queued plaintext", "[tls]") {
  connection c(make_context(role::client, client_config()), make_context(role::server, server_config()));
  send(c.client, invite);
  c.client.shutdown();
  pump(c.client, c.server);
  require_established(c);
  CHECK(plaintext(c.server) == invite);
  CHECK(c.server.peer_closed());
}

TEST_CASE("a session on a context of the other role fails cleanly", "[tls]") {
  auto server_ctx = make_context(role::server, server_config());
  session s(server_ctx, role::client, "localhost");
  CHECK(s.failed());
  CHECK_THAT(s.error(), Catch::Contains("server TLS context"));
  s.start();
  std::string out;
  s.take_ciphertext(out);
  CHECK(out.empty());
  CHECK_FALSE(s.receive_ciphertext("x", 1));
  CHECK(s.peer_subject().empty());
}

TEST_CASE("context::create names the file it could not use", "[tls][config]") {
  const std::string dir = certs().directory;
  const std::string missing = dir + "/missing.pem";
  const std::string corrupt = dir + "/corrupt.pem";
  write_file(corrupt, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  const std::string corrupt_key = dir + "/corrupt.key";
  write_file(corrupt_key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

  tls_config c = server_config();
  std::string expect;
  SECTION("missing certificate") {
    c.certificate_file = missing;
    expect = "cannot load certificate " + missing + ": ";
  }
  SECTION("corrupt certificate") {
    c.certificate_file = corrupt;
    expect = "cannot load certificate " + corrupt + ": ";
  }
  SECTION("missing key") {
    c.private_key_file = missing;
    expect = "cannot load private key " + missing + ": ";
  }
  SECTION("corrupt key") {
    c.private_key_file = corrupt_key;
    expect = "cannot load private key " + corrupt_key + ": ";
  }
  SECTION("key of another certificate") {
    c.private_key_file = certs().client_key;
    expect = "private key " + certs().client_key + " does not match certificate " + certs().server_certificate;
  }
  SECTION("missing CA file") {
    c.ca_file = missing;
    expect = "cannot load CA file " + missing + ": ";
  }
  SECTION("corrupt CA file") {
    c.ca_file = corrupt;
    expect = "cannot load CA file " + corrupt + ": ";
  }
  SECTION("a server without a certificate") {
    c.certificate_file.clear();
    c.private_key_file.clear();
    expect = "a TLS server needs certificate_file and private_key_file";
  }
  expected_context made = context::create(role::server, c);
  CHECK_FALSE(made);
  CHECK(made.value == nullptr);
  CHECK_THAT(made.error, Catch::StartsWith(expect));
  CHECK(ERR_peek_error() == 0);  // nothing left behind in the thread's error queue
}

TEST_CASE("context::create for a client checks its files and versions too", "[tls][config]") {
  const std::string missing = certs().directory + "/missing.pem";
  tls_config c = client_config();
  std::string expect;
  SECTION("missing CA file") {
    c.ca_file = missing;
    expect = "cannot load CA file " + missing + ": ";
  }
  SECTION("a certificate without its key") {
    c.certificate_file = certs().client_certificate;
    expect = "certificate_file and private_key_file go together";
  }
  SECTION("an unknown max_version") {
    c.max_version = 0x0305;
    expect = "max_version 773 is not TLS 1.2";
  }
  expected_context made = context::create(role::client, c);
  CHECK_FALSE(made);
  CHECK_THAT(made.error, Catch::StartsWith(expect));
}

// Not run by default (hidden tag): heap growth per idle established session, for the transport
// memory budget. Run: sipactor_tls_tests "[memory]" -s
TEST_CASE("heap bytes per idle established session", "[.][memory]") {
  for (int version : {0, tls1_2_version}) {
    for (bool client_auth : {false, true}) {
      tls_config client = client_auth ? client_config_with_certificate() : client_config();
      client.max_version = version;
      auto client_ctx = make_context(role::client, client);
      auto server_ctx = make_context(role::server, server_config());
      {
        connection warm_up(client_ctx, server_ctx);  // lazy OpenSSL initialisation is not per session
        warm_up.handshake();
        require_established(warm_up);
      }
      constexpr std::size_t count = 1000;
      std::vector<std::unique_ptr<session>> clients, servers;
      clients.reserve(count);
      servers.reserve(count);
      auto heap = [] {
        struct mallinfo2 m = mallinfo2();
        return static_cast<long long>(m.uordblks + m.hblkhd);
      };
      const long long before = heap();
      for (std::size_t i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<session>(client_ctx, role::client, "localhost"));
        servers.push_back(std::make_unique<session>(server_ctx, role::server));
        session& cl = *clients.back();
        session& sv = *servers.back();
        cl.start();
        pump(cl, sv);
        // One request and response each way, as a registered SIP flow would have exchanged.
        cl.send_plaintext(invite.data(), invite.size());
        pump(cl, sv);
        sv.send_plaintext(trying.data(), trying.size());
        pump(cl, sv);
        REQUIRE(plaintext(sv) == invite);
        REQUIRE(plaintext(cl) == trying);
      }
      const long long with_both = heap();
      clients.clear();
      const long long servers_only = heap();
      servers.clear();
      const long long after = heap();
      WARN((version == 0 ? "TLS 1.3" : "TLS 1.2") << (client_auth ? ", client certificate" : "")
                                                  << ": per idle established session: server "
                                                  << (servers_only - before) / static_cast<long long>(count)
                                                  << " B, client "
                                                  << (with_both - servers_only) / static_cast<long long>(count)
                                                  << " B; left after freeing all: "
                                                  << (after - before) / static_cast<long long>(count) << " B/pair");
    }
  }
}

}  // namespace sipactor::tls
