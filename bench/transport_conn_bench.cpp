// sipactor_conn_bench (issue 3): memory per idle TCP and TLS connection on the server side.
//
// For each transport the program forks a server process; the server forks its client process
// before CAF starts, so the clients' sockets and TLS state are never in the measured process.
// The server starts the transport (one TCP or TLS listener on 127.0.0.1, certificates made at
// run time), lets the client open and close a few warm-up connections, samples its own memory,
// has the client open N connections (TLS: full handshake, the server certificate verified),
// waits until the connection registry counts N, lets them sit idle, samples again, and divides.
// Each client connection proves it is up end to end with one RFC 5626 keep-alive ping
// ("\r\n\r\n", answered "\r\n" by the connection actor), so no SIP message is buffered anywhere.
//
// Memory: RSS from /proc/self/statm; heap from mallinfo2() (uordblks: bytes in allocated chunks,
// all arenas; hblkhd: large blocks malloc mmapped separately).
//
// Controls, to split the figure: --control-broker-read N measures a bare CAF 0.17 broker per
// connection instead (a doorman that forks one broker per connection with
// configure_read(at_most(N)), no sipactor code): what CAF itself costs per connection for a given
// read size. --control-tls-sessions measures N server-side tls::session objects after a handshake
// in memory (no CAF, no sockets): what OpenSSL and the session wrapper cost.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "bench/transport_bench_util.hpp"
#include "tests/support/test_certificates.hpp"
#include "transport/tls_context.hpp"
#include "transport/tls_session.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor::bench {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// The client process: opens, pings and closes connections on command.

enum class client_op : std::uint32_t { quit = 0, open = 1, close_all = 2 };

struct client_command {
  client_op op = client_op::quit;
  std::uint16_t port = 0;
  std::uint32_t count = 0;
  bool tls = false;
  bool ping = true;
};

struct client_reply {
  std::uint32_t opened = 0;
  std::uint32_t failed = 0;
  std::uint32_t open_now = 0;
  double seconds = 0;
  char error[240] = {};
};

struct client_connection {
  int fd = -1;
  SSL* ssl = nullptr;
};

bool write_all(const client_connection& c, const char* data, std::size_t n) {
  if (c.ssl != nullptr) return SSL_write(c.ssl, data, static_cast<int>(n)) == static_cast<int>(n);
  while (n > 0) {
    ssize_t w = ::send(c.fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads until `want` bytes arrived (the pong); false on EOF, error or the socket timeout.
bool read_exactly(const client_connection& c, char* out, std::size_t want) {
  std::size_t got = 0;
  while (got < want) {
    int n = c.ssl != nullptr ? SSL_read(c.ssl, out + got, static_cast<int>(want - got))
                             : static_cast<int>(::recv(c.fd, out + got, want - got, 0));
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

std::string open_one(const client_command& cmd, SSL_CTX* tls, client_connection& out) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  out.fd = fd;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(cmd.port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    return std::string("connect: ") + std::strerror(errno);
  if (cmd.tls) {
    out.ssl = SSL_new(tls);
    SSL_set_fd(out.ssl, fd);
    SSL_set_tlsext_host_name(out.ssl, "localhost");
    SSL_set1_host(out.ssl, "localhost");
    if (SSL_connect(out.ssl) != 1) {
      char buf[200];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      return std::string("TLS handshake: ") + buf;
    }
  }
  if (cmd.ping) {
    char pong[2];
    if (!write_all(out, "\r\n\r\n", 4)) return "ping: write failed";
    if (!read_exactly(out, pong, 2) || pong[0] != '\r' || pong[1] != '\n') return "ping: no pong";
  }
  return {};
}

void close_one(client_connection& c) {
  if (c.ssl != nullptr) SSL_free(c.ssl);
  if (c.fd >= 0) ::close(c.fd);
  c = client_connection{};
}

[[noreturn]] void client_process(int command_fd, int reply_fd, const std::string& ca_file) {
  SSL_CTX* tls = nullptr;
  if (!ca_file.empty()) {
    tls = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION);
    SSL_CTX_load_verify_locations(tls, ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(tls, SSL_VERIFY_PEER, nullptr);
  }
  std::vector<client_connection> open;
  client_command cmd;
  while (read_record(command_fd, cmd) && cmd.op != client_op::quit) {
    client_reply reply;
    auto t0 = steady::now();
    if (cmd.op == client_op::open) {
      std::string first_error;
      for (std::uint32_t i = 0; i < cmd.count; ++i) {
        client_connection c;
        std::string error = open_one(cmd, tls, c);
        if (error.empty()) {
          open.push_back(c);
          ++reply.opened;
        } else {
          close_one(c);
          ++reply.failed;
          if (first_error.empty()) first_error = error;
          if (reply.failed > 20) break;
        }
      }
      std::snprintf(reply.error, sizeof reply.error, "%s", first_error.c_str());
    } else if (cmd.op == client_op::close_all) {
      for (auto& c : open) close_one(c);
      open.clear();
    }
    reply.seconds = seconds_since(t0);
    reply.open_now = static_cast<std::uint32_t>(open.size());
    write_record(reply_fd, reply);
  }
  for (auto& c : open) close_one(c);
  ::_exit(0);
}

struct client_handle {
  pid_t pid = -1;
  int command_fd = -1;
  int reply_fd = -1;
  void quit() const {
    write_record(command_fd, client_command{});
    ::waitpid(pid, nullptr, 0);
  }
  client_reply call(const client_command& cmd) const {
    write_record(command_fd, cmd);
    client_reply r;
    if (!read_record(reply_fd, r)) throw std::runtime_error("client process died");
    return r;
  }
};

client_handle fork_client(const std::string& ca_file) {
  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) throw std::runtime_error("pipe");
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    client_process(to_child[0], from_child[1], ca_file);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  return {pid, to_child[1], from_child[0]};
}

// ---------------------------------------------------------------------------------------------
// The server process.

struct options {
  std::uint32_t connections = 5000;
  std::uint32_t warmup = 20;
  std::chrono::milliseconds settle{2000};
  bool ping = true;
  std::size_t control_read = 0;  // > 0: bare CAF broker control run
};

caf::actor_system_config& caf_config() {
  static caf::actor_system_config cfg;
  static bool made = false;
  if (!made) {
    cfg.load<caf::io::middleman>();
    cfg.set("scheduler.max-threads", 2);
    cfg.set("scheduler.max-throughput", 100);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    made = true;
  }
  return cfg;
}

caf::behavior counting_sink(caf::event_based_actor*, std::shared_ptr<std::atomic<std::uint64_t>> count) {
  return {[count](const transport::inbound_message&) { count->fetch_add(1); }};
}

// The control: a doorman that forks one bare broker per connection; the broker answers a
// CRLFCRLF ping with CRLF and otherwise only holds the connection.
caf::behavior bare_connection(caf::io::broker* self, caf::io::connection_handle hdl, std::size_t read_size) {
  self->configure_read(hdl, caf::io::receive_policy::at_most(read_size));
  return {
      [=](caf::io::new_data_msg& msg) {
        if (msg.buf.size() >= 4) {
          self->write(hdl, 2, "\r\n");
          self->flush(hdl);
        }
      },
      [=](const caf::io::connection_closed_msg&) { self->quit(); },
  };
}

caf::behavior bare_acceptor(caf::io::broker* self, std::size_t read_size, std::shared_ptr<std::atomic<std::uint64_t>> open,
                            std::shared_ptr<std::atomic<std::uint16_t>> port) {
  auto doorman = self->add_tcp_doorman(0, "127.0.0.1", true);
  if (!doorman) {
    self->quit(doorman.error());
    return {};
  }
  port->store(doorman->second);
  self->set_down_handler([open](const caf::down_msg&) { open->fetch_sub(1); });
  return {
      [=](const caf::io::new_connection_msg& msg) {
        auto child = self->fork(bare_connection, msg.handle, read_size);
        open->fetch_add(1);
        self->monitor(child);
      },
  };
}

void print_memory(const char* label, const memory_sample& m) {
  std::printf("  %-34s RSS %8.1f MiB   heap in use %8.1f MiB   mmapped %6.1f MiB   arenas %8.1f MiB\n", label,
              static_cast<double>(m.rss_bytes) / 1048576.0, static_cast<double>(m.heap_in_use) / 1048576.0,
              static_cast<double>(m.heap_mmapped) / 1048576.0, static_cast<double>(m.heap_arena) / 1048576.0);
}

double per_conn(std::uint64_t after, std::uint64_t before, std::uint32_t n) {
  return (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(n);
}

int run_server(transport::transport_kind kind, const test::test_certificates* certs, const options& opt) {
  const bool tls = kind == transport::transport_kind::tls;
  const bool control = opt.control_read > 0;
  const std::string label = control ? "bare CAF broker, at_most(" + std::to_string(opt.control_read) + ")"
                                    : std::string(transport::to_string(kind));
  client_handle client = fork_client(tls ? certs->ca_certificate : std::string{});
  memory_sample m_start = sample_memory();

  int exit_code = 0;
  {
    caf::actor_system sys{caf_config()};
    auto inbound = std::make_shared<std::atomic<std::uint64_t>>(0);
    caf::actor sink = sys.spawn(counting_sink, inbound);
    transport::transport_layer layer;
    caf::actor control_broker;
    auto control_open = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto control_port = std::make_shared<std::atomic<std::uint16_t>>(0);
    std::uint16_t port = 0;
    if (control) {
      control_broker = sys.middleman().spawn_broker(bare_acceptor, opt.control_read, control_open, control_port);
      for (int i = 0; i < 500 && control_port->load() == 0; ++i) std::this_thread::sleep_for(10ms);
      port = control_port->load();
    } else {
      transport::transport_config config;
      config.listen.push_back({kind, *transport::socket_address::from("127.0.0.1", 0)});
      config.limits.max_connections = 100000;
      config.limits.max_connections_per_peer = 100000;
      if (tls) {
        config.tls.certificate_file = certs->server_certificate;
        config.tls.private_key_file = certs->server_key;
        config.tls.ca_file = certs->ca_certificate;
      }
      layer = transport::start_transport(sys, config, sink);
      if (!layer.actor) {
        std::fprintf(stderr, "start_transport: %s\n", layer.error.c_str());
        client.quit();
        return 1;
      }
      port = layer.listening.front().address.port();
    }

    caf::scoped_actor self{sys};
    auto open_connections = [&]() -> std::uint64_t {
      if (control) return control_open->load();
      std::uint64_t open = 0;
      self->request(layer.actor, 5s, transport::stats_atom::value)
          .receive([&](const transport::transport_counters& c) { open = c.connections_open; },
                   [&](const caf::error&) { open = ~std::uint64_t{0}; });
      return open;
    };
    auto wait_for = [&](std::uint64_t wanted, std::chrono::seconds timeout) {
      auto deadline = steady::now() + timeout;
      std::uint64_t now = open_connections();
      while (now != wanted && steady::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        now = open_connections();
      }
      return now;
    };

    client_command open_cmd;
    open_cmd.op = client_op::open;
    open_cmd.port = port;
    open_cmd.tls = tls;
    open_cmd.ping = opt.ping;
    client_command close_cmd;
    close_cmd.op = client_op::close_all;

    // Warm-up: the first connections and handshakes allocate per-thread state (OpenSSL, CAF).
    open_cmd.count = opt.warmup;
    client_reply warm = client.call(open_cmd);
    wait_for(opt.warmup, 10s);
    client.call(close_cmd);
    wait_for(0, 10s);
    std::this_thread::sleep_for(opt.settle);

    memory_sample before = sample_memory();
    cpu_times cpu0 = process_cpu();
    open_cmd.count = opt.connections;
    client_reply opened = client.call(open_cmd);
    std::uint64_t registered = wait_for(opened.opened, 60s);
    cpu_times cpu_open = process_cpu() - cpu0;
    std::this_thread::sleep_for(opt.settle);  // idle
    memory_sample idle = sample_memory();
    std::this_thread::sleep_for(opt.settle);
    memory_sample idle2 = sample_memory();  // still the same: nothing grows while idle

    client.call(close_cmd);
    std::uint64_t left = wait_for(0, 60s);
    std::this_thread::sleep_for(opt.settle);
    memory_sample closed = sample_memory();

    const std::uint32_t n = opened.opened;
    std::printf("%s: %u connections from one client process (127.0.0.1), %s; warm-up %u (%u failed)\n", label.c_str(),
                n, opt.ping ? "each pinged once (CRLFCRLF -> CRLF)" : "no ping", warm.opened, warm.failed);
    std::printf("  client: opened %u, failed %u%s%s, in %.2f s (%.0f connections/s); server counted %" PRIu64
                " open; server CPU while opening %.2f s (%.1f us per connection)\n",
                opened.opened, opened.failed, opened.failed ? ", first error: " : "", opened.error, opened.seconds,
                opened.seconds > 0 ? opened.opened / opened.seconds : 0.0, registered, cpu_open.total(),
                n ? cpu_open.total() * 1e6 / n : 0.0);
    print_memory("process start (before CAF)", m_start);
    print_memory("before (after warm-up)", before);
    print_memory("idle, all open", idle);
    print_memory("idle, all open, 1 settle later", idle2);
    print_memory("all closed again", closed);
    if (n > 0) {
      double rss = per_conn(idle.rss_bytes, before.rss_bytes, n);
      double heap = per_conn(idle.heap_in_use, before.heap_in_use, n);
      double heap_mm = per_conn(idle.heap_in_use + idle.heap_mmapped, before.heap_in_use + before.heap_mmapped, n);
      std::printf("  per connection: RSS %.0f B (%.2f KiB), heap in use (uordblks) %.0f B (%.2f KiB), "
                  "uordblks+hblkhd %.0f B\n",
                  rss, rss / 1024, heap, heap / 1024, heap_mm);
      std::printf("  after closing all: RSS %+.0f B, heap in use %+.0f B per connection vs. before; %" PRIu64
                  " still registered; SIP messages delivered: %" PRIu64 "\n",
                  per_conn(closed.rss_bytes, before.rss_bytes, n), per_conn(closed.heap_in_use, before.heap_in_use, n),
                  left, inbound->load());
      std::printf("RESULT transport=%s connections=%u failed=%u rss_per_conn=%.0f heap_per_conn=%.0f open_seconds=%.2f\n",
                  control ? ("control" + std::to_string(opt.control_read)).c_str()
                          : std::string(transport::to_string(kind)).c_str(),
                  n, opened.failed, rss, heap, opened.seconds);
    }
    if (opened.failed > 0 || registered != n) exit_code = 1;
    std::fflush(stdout);

    client.quit();
    if (layer.actor) caf::anon_send_exit(layer.actor, caf::exit_reason::user_shutdown);
    if (control_broker) caf::anon_send_exit(control_broker, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  }
  return exit_code;
}

// The control for TLS: N server-side tls::session objects (the project's OpenSSL wrapper over
// memory BIOs, as a connection actor holds one) after a complete handshake with an in-memory
// client, and the same CRLFCRLF/CRLF exchange; no CAF, no sockets. The client sessions are freed
// as soon as their handshake is done, so only server sessions stay.
int run_tls_session_control(const test::test_certificates& certs, std::uint32_t n) {
  tls::tls_config server_config;
  server_config.certificate_file = certs.server_certificate;
  server_config.private_key_file = certs.server_key;
  server_config.ca_file = certs.ca_certificate;
  server_config.verify_peer = false;
  tls::tls_config client_config;
  client_config.ca_file = certs.ca_certificate;
  auto server_ctx = tls::context::create(tls::role::server, server_config);
  auto client_ctx = tls::context::create(tls::role::client, client_config);
  if (!server_ctx || !client_ctx) {
    std::fprintf(stderr, "TLS contexts: %s%s\n", server_ctx.error.c_str(), client_ctx.error.c_str());
    return 1;
  }
  auto pair_up = [&](std::unique_ptr<tls::session>& server) {
    tls::session client(client_ctx.value, tls::role::client, "localhost");
    server = std::make_unique<tls::session>(server_ctx.value, tls::role::server);
    client.start();
    std::string wire, plain;
    for (int round = 0; round < 10; ++round) {
      wire.clear();
      client.take_ciphertext(wire);
      if (!wire.empty() && !server->receive_ciphertext(wire.data(), wire.size())) return false;
      wire.clear();
      server->take_ciphertext(wire);
      if (!wire.empty() && !client.receive_ciphertext(wire.data(), wire.size())) return false;
      if (client.handshake_done() && server->handshake_done()) break;
    }
    // The keep-alive exchange the socket clients do.
    client.send_plaintext("\r\n\r\n", 4);
    wire.clear();
    client.take_ciphertext(wire);
    if (!server->receive_ciphertext(wire.data(), wire.size())) return false;
    server->take_plaintext(plain);
    server->send_plaintext("\r\n", 2);
    wire.clear();
    server->take_ciphertext(wire);
    return client.receive_ciphertext(wire.data(), wire.size()) && plain == "\r\n\r\n";
  };
  std::vector<std::unique_ptr<tls::session>> sessions(n);
  for (std::uint32_t i = 0; i < std::min<std::uint32_t>(n, 20); ++i) pair_up(sessions[i]);  // warm-up
  for (auto& p : sessions) p.reset();
  memory_sample before = sample_memory();
  std::uint32_t ok = 0;
  for (auto& p : sessions) ok += pair_up(p) ? 1 : 0;
  memory_sample after = sample_memory();
  std::printf("tls::session control (no CAF, no sockets): %u server sessions after handshake + ping, %u ok\n", n, ok);
  print_memory("before", before);
  print_memory("after", after);
  std::printf("  per server session: RSS %.0f B, heap in use (uordblks) %.0f B\n",
              per_conn(after.rss_bytes, before.rss_bytes, n), per_conn(after.heap_in_use, before.heap_in_use, n));
  std::printf("RESULT transport=tls_session_control connections=%u failed=%u rss_per_conn=%.0f heap_per_conn=%.0f\n", n,
              n - ok, per_conn(after.rss_bytes, before.rss_bytes, n), per_conn(after.heap_in_use, before.heap_in_use, n));
  return ok == n ? 0 : 1;
}

}  // namespace
}  // namespace sipactor::bench

int main(int argc, char** argv) {
  using namespace sipactor::bench;
  using sipactor::transport::transport_kind;
  if (flag(argc, argv, "help")) {
    std::puts(
        "sipactor_conn_bench [--transports tcp,tls] [--connections 5000] [--warmup 20] [--settle-ms 2000]\n"
        "                    [--no-ping] [--control-broker-read N] [--control-tls-sessions]\n"
        "Each transport runs in its own server process with its own client process.");
    return 0;
  }
  options opt;
  opt.connections = static_cast<std::uint32_t>(std::stoul(option(argc, argv, "connections", "5000")));
  opt.warmup = static_cast<std::uint32_t>(std::stoul(option(argc, argv, "warmup", "20")));
  opt.settle = std::chrono::milliseconds(std::stoul(option(argc, argv, "settle-ms", "2000")));
  opt.ping = !flag(argc, argv, "no-ping");
  opt.control_read = std::stoul(option(argc, argv, "control-broker-read", "0"));
  std::string transports = option(argc, argv, "transports", opt.control_read ? "tcp" : "tcp,tls");

  // Each process needs one descriptor per connection plus a few.
  rlim_t limit = raise_fd_limit(20000);
  if (limit < opt.connections + 100) {
    std::fprintf(stderr, "RLIMIT_NOFILE is %llu, too low for %u connections\n", static_cast<unsigned long long>(limit),
                 opt.connections);
    return 2;
  }
  std::printf("sipactor_conn_bench: %u connections per transport, RLIMIT_NOFILE %llu, CAF scheduler.max-threads=2 "
              "max-throughput=100, server and client in separate processes\n\n",
              opt.connections, static_cast<unsigned long long>(limit));

  std::unique_ptr<sipactor::test::test_certificates> certs;
  if (transports.find("tls") != std::string::npos) {
    certs = std::make_unique<sipactor::test::test_certificates>(sipactor::test::generate_test_certificates());
  }
  int status_all = 0;
  if (flag(argc, argv, "control-tls-sessions")) {
    auto control_certs = sipactor::test::generate_test_certificates();
    status_all = run_tls_session_control(control_certs, opt.connections);
    std::error_code ignored;
    std::filesystem::remove_all(control_certs.directory, ignored);
    return status_all;
  }
  for (const char* name : {"tcp", "tls"}) {
    if (transports.find(name) == std::string::npos) continue;
    transport_kind kind = std::string(name) == "tls" ? transport_kind::tls : transport_kind::tcp;
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid == 0) {
      int code = 1;
      try {
        code = run_server(kind, certs.get(), opt);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
      }
      std::fflush(stdout);
      ::_exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) status_all = 1;
    std::printf("\n");
  }
  if (certs) {
    std::error_code ignored;
    std::filesystem::remove_all(certs->directory, ignored);
  }
  return status_all;
}
