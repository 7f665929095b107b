// Transaction layer benchmark (issue 4): request/response exchanges per second through two
// transaction layers joined by an in-process loopback transport, with 1 and with 2 scheduler
// threads; and memory per live transaction.
//
//   sipactor_transaction_bench --threads 2 --seconds 10 [--transport tcp|udp] [--drivers 4]
//                              [--window 64] [--shards 2] [--method OPTIONS|INVITE] [--idle 256]
//                              [--poll N] [--moderate N] [--external-loopback] [--scheduler stack|caf]
//   sipactor_transaction_bench --memory 20000 [--method INVITE|OPTIONS] [--side server|client]
//
// Throughput: driver actors (the UAC's TU) keep `window` requests each in flight; every request
// starts a client transaction in the client layer, crosses the loopback into the server layer
// (a server transaction), the server TU answers 200 (INVITE: 486, so that the ACK is the
// transaction's own, §17.1.1.3), and the response crosses back. One exchange = one client + one
// server transaction. The loopback hands over the parsed message (no serialization: the
// transport's cost is measured in issue 3); each request and each response is still built and
// parsed once, as a TU would.
//
// --scheduler stack (the default): the stack's scheduler, as `configure_scheduler` sets it up for
// the sipactor programs (socket-waiting workers, transport/socket_waiting_scheduler.hpp); caf:
// CAF's own work-stealing scheduler with its default polling (the benchmark's only one before
// 2026-12-05).
//
// --idle N: ended transaction actors each shard keeps per kind for reuse (0: an actor per
// transaction, as before actors/transaction_reuse.hpp).
//
// Memory: N server (or client) transactions started through the router and left waiting (the TU
// does not answer; client requests go nowhere); heap growth per transaction, requests excluded
// (they are allocated before the first sample).
#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "actors/sharded_entry.hpp"
#include "actors/stack.hpp"
#include "actors/transaction_key.hpp"
#include "actors/transaction_layer.hpp"
#include "bench/transport_bench_util.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "transport/socket_waiting_scheduler.hpp"

namespace sipactor::bench {
namespace {

using transport::socket_address;
using transport::transport_kind;

struct options {
  int threads = 2;
  double seconds = 10;
  double warmup = 2;
  transport_kind transport = transport_kind::tcp;
  int drivers = 4;
  int window = 64;
  std::size_t shards = 2;
  std::size_t idle = transaction_layer_config{}.idle_per_kind;
  bool home = true;  // --no-home: shards without a home worker
  bool local_drivers = false;  // --local-drivers (see the top of the file)
  std::string method = "OPTIONS";
  std::size_t memory = 0;  // > 0: memory mode with this many transactions
  bool client_side = false;
};

// Exchanges completed, a counter per driver on a cache line of its own: one counter written by
// every driver would move between the cores once per exchange and measure the benchmark itself.
struct alignas(64) exchange_counter {
  std::atomic<std::uint64_t> n{0};
};
constexpr int max_drivers = 64;
exchange_counter exchanges[max_drivers];

std::uint64_t exchanges_done() {
  std::uint64_t sum = 0;
  for (const auto& c : exchanges) sum += c.n.load(std::memory_order_relaxed);
  return sum;
}
// --external-loopback: the loopback and the answering TU send anonymously (through the
// scheduler's central queue), as this benchmark did before 2026-11-21 session 5.
bool external_loopback = false;

const socket_address client_address = *socket_address::from("127.0.0.1", 5070);
const socket_address server_address = *socket_address::from("127.0.0.1", 5060);

message_ptr make_request(const options& o, int driver, std::uint64_t n) {
  std::string branch = "z9hG4bK-" + std::to_string(driver) + "-" + std::to_string(n);
  std::string t = std::string(transport::to_string(o.transport));
  return parse_message(o.method + " sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                       "Via: SIP/2.0/" + t + " 127.0.0.1:5070;branch=" + branch + "\r\n"
                       "Max-Forwards: 70\r\n"
                       "From: <sip:bench@127.0.0.1:5070>;tag=" + branch + "\r\n"
                       "To: <sip:service@127.0.0.1:5060>\r\n"
                       "Call-ID: " + branch + "@127.0.0.1\r\n"
                       "CSeq: 1 " + o.method + "\r\n"
                       "Contact: <sip:bench@127.0.0.1:5070>\r\n"
                       "Content-Length: 0\r\n\r\n",
                       framing::stream)
      .message;
}

// The loopback: an actor without a mailbox whose enqueue runs on the sender's thread and turns
// what a transaction asks the transport to send into what the peer layer receives. It enqueues on
// the sender's execution unit, as a message between actors of one process: an anonymous send (no
// execution unit) would go through the scheduler's central queue, round robin over the workers
// with a lock and a wake-up each, which no in-process path of the stack takes. (It was a CAF actor
// pool until 2026-12-05; the pool's enqueue takes a shared spinlock, whose cache line the two
// workers then passed back and forth for every message, as with the layer's entry.)
class loopback_transport final : public caf::monitorable_actor {
public:
  loopback_transport(caf::actor_config& cfg, caf::actor peer_entry, transport_kind kind)
      : caf::monitorable_actor(cfg), peer_entry_(std::move(peer_entry)), kind_(kind) {}

  void enqueue(caf::mailbox_element_ptr element, caf::execution_unit* host) override {
    const auto& content = element->content();
    if (content.match_elements<transport::outbound_request>()) {
      const auto& out = content.get_as<transport::outbound_request>(0);
      deliver(transport::inbound_message{out.message, kind_, server_address, client_address, {}}, host);
    } else if (content.match_elements<transport::outbound_response>()) {
      const auto& out = content.get_as<transport::outbound_response>(0);
      deliver(transport::inbound_message{out.message, kind_, client_address, server_address, {}}, host);
    }
  }

private:
  void deliver(transport::inbound_message in, caf::execution_unit* host) {
    if (external_loopback) return caf::anon_send(peer_entry_, std::move(in));
    peer_entry_->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::move(in)), host);
  }

  const caf::actor peer_entry_;
  const transport_kind kind_;
};

caf::actor loopback(caf::actor_system& sys, caf::actor peer_entry, transport_kind kind) {
  caf::actor_config cfg{sys.dummy_execution_unit()};
  return caf::make_actor<loopback_transport, caf::actor>(sys.next_actor_id(), sys.node(), &sys, cfg,
                                                         std::move(peer_entry), kind);
}

// The server's TU: answers every request at once (200; 486 for INVITE).
caf::behavior answering_tu(caf::event_based_actor* self, bool answer) {
  return {
    [self, answer](const tu_request& r) {
      if (!answer || !r.server_transaction) return;
      int status = r.inbound.message->method() == sip_method::invite ? 486 : 200;
      auto response = message_builder::response_to(*r.inbound.message, status, {}, "uas").build();
      if (!response.ok()) return;
      if (external_loopback)
        caf::anon_send(r.server_transaction, response.message);
      else
        self->send(r.server_transaction, response.message);
    },
    [](const transaction_terminated&) {},
    [](const transaction_timeout&) {},
    [](const transaction_transport_error&) {},
  };
}

using next_atom = caf::atom_constant<caf::atom("next")>;

// A UAC's TU keeping `window` client transactions in flight.
caf::behavior driver(caf::event_based_actor* self, const options* o, int id, caf::actor client_entry) {
  auto sequence = std::make_shared<std::uint64_t>(0);
  auto start_one = [=] {
    message_ptr request = make_request(*o, id, ++*sequence);
    // --local-drivers: a branch whose shard lives on this driver's worker.
    while (o->local_drivers && o->threads > 1 &&
           shard_of(*request, o->shards) % static_cast<std::size_t>(o->threads) !=
               static_cast<std::size_t>(id % o->threads))
      request = make_request(*o, id, ++*sequence);
    transport::outbound_request out{std::move(request), o->transport, server_address, {}};
    self->send(client_entry, client_request{std::move(out), caf::actor_cast<caf::actor>(self)});
  };
  for (int i = 0; i < o->window; ++i) start_one();
  return {
    [=](const tu_response& r) {
      if (r.response->status() < 200) return;
      exchanges[id].n.fetch_add(1, std::memory_order_relaxed);
      start_one();
    },
    [](const transaction_terminated&) {},
    [=](const transaction_timeout&) { start_one(); },
    [=](const transaction_transport_error&) { start_one(); },
  };
}

// --poll N sets work-stealing.aggressive-poll-attempts (CAF's default: 100); --moderate N
// work-stealing.moderate-poll-attempts (CAF's default: 500, configure_scheduler's: 0).
int poll_attempts = -1;
int moderate_attempts = -1;

bool stack_scheduler = true;
int max_throughput = 100;  // --throughput N: scheduler.max-throughput (messages per actor per run)

caf::actor_system_config& configure(caf::actor_system_config& cfg, int threads) {
  if (stack_scheduler) {
    configure_scheduler(cfg, static_cast<std::size_t>(threads));
  } else {
    cfg.set("scheduler.max-threads", threads);
    cfg.set("scheduler.max-throughput", 100);
  }
  cfg.set("scheduler.max-throughput", max_throughput);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  if (poll_attempts >= 0) cfg.set("work-stealing.aggressive-poll-attempts", poll_attempts);
  if (moderate_attempts >= 0) cfg.set("work-stealing.moderate-poll-attempts", moderate_attempts);
  return cfg;
}

transaction_layer_counters counters(caf::actor_system& sys, const transaction_layer& layer) {
  caf::scoped_actor self{sys};
  return layer_counters(self, layer);
}

int run_throughput(const options& o) {
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg, o.threads)};
  transaction_layer_config lc;
  lc.shards = o.shards;
  lc.idle_per_kind = o.idle;
  lc.shards_on_home_workers = o.home;
  // One answering actor per thread behind a sharded entry keyed by the server transaction (a
  // round-robin pool would write one shared position for every request).
  std::vector<caf::actor> answerers;
  for (int i = 0; i < o.threads; ++i) answerers.push_back(sys.spawn(answering_tu, true));
  caf::actor server_tu = make_sharded_entry(sys, answerers, [&o](const caf::type_erased_tuple& content) {
    if (!content.match_elements<tu_request>()) return std::optional<std::size_t>{0};
    const tu_request& r = content.get_as<tu_request>(0);
    // --local-drivers: the answerer on the worker of the request's shard.
    if (o.local_drivers) return std::optional<std::size_t>{shard_of(*r.inbound.message, o.shards)};
    return std::optional<std::size_t>{r.server_transaction.id()};
  });
  transaction_layer client = spawn_transaction_layer(sys, lc, caf::actor{}, caf::actor{});
  transaction_layer server = spawn_transaction_layer(sys, lc, caf::actor{}, server_tu);
  set_transport(client, loopback(sys, server.entry, o.transport));
  set_transport(server, loopback(sys, client.entry, o.transport));
  std::vector<caf::actor> drivers;
  for (int i = 0; i < o.drivers; ++i) drivers.push_back(sys.spawn(driver, &o, i, client.entry));
  if (o.local_drivers) {
    for (int i = 0; i < o.drivers; ++i) transport::set_home_worker(sys, drivers[static_cast<std::size_t>(i)], i);
    for (int i = 0; i < o.threads; ++i) transport::set_home_worker(sys, answerers[static_cast<std::size_t>(i)], i);
  }

  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  std::uint64_t n0 = exchanges_done();
  cpu_times c0 = process_cpu();
  auto t0 = steady::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  std::uint64_t n1 = exchanges_done();
  cpu_times c1 = process_cpu();
  double wall = seconds_since(t0);
  memory_sample mem = sample_memory();
  for (auto& d : drivers) caf::anon_send_exit(d, caf::exit_reason::user_shutdown);

  double rate = static_cast<double>(n1 - n0) / wall;
  double cpu = (c1 - c0).total();
  std::printf("threads=%d shards=%zu transport=%s method=%s drivers=%d window=%d idle=%zu\n", o.threads, o.shards,
              std::string(transport::to_string(o.transport)).c_str(), o.method.c_str(), o.drivers, o.window, o.idle);
  std::printf("  exchanges/s: %.0f (each = 1 client + 1 server transaction; %.0f transactions/s)\n", rate, 2 * rate);
  std::printf("  CPU: %.2f s in %.2f s wall (%.2f cores), %.2f us CPU per exchange\n", cpu, wall, cpu / wall,
              1e6 * cpu / static_cast<double>(n1 - n0));
  std::printf("  memory at the end: RSS %.1f MiB, heap in use %.1f MiB\n", mem.rss_bytes / 1048576.0,
              mem.heap_in_use / 1048576.0);
  // The live count must return to zero once the drivers stop (reliable: at once; UDP: Timer J/K).
  auto deadline = steady::now() + std::chrono::seconds(o.transport == transport_kind::udp ? 40 : 10);
  transaction_layer_counters cc, sc;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cc = counters(sys, client);
    sc = counters(sys, server);
  } while (cc.live + sc.live > 0 && steady::now() < deadline);
  std::printf("  after the run: live client %llu, server %llu; started client %llu, server %llu; "
              "run by a reused actor %.1f%%\n",
              static_cast<unsigned long long>(cc.live), static_cast<unsigned long long>(sc.live),
              static_cast<unsigned long long>(cc.client_created), static_cast<unsigned long long>(sc.server_created),
              100.0 * static_cast<double>(cc.reused + sc.reused) /
                  static_cast<double>(std::max<std::uint64_t>(1, cc.client_created + sc.server_created)));
  std::fflush(stdout);
  // Pending guard steps would hold the actor system's shutdown for up to 2 s; nothing is left to
  // flush.
  std::_Exit(cc.live + sc.live == 0 ? 0 : 1);
}

int run_memory(const options& o) {
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg, o.threads)};
  transaction_layer_config lc;
  lc.shards = o.shards;
  caf::actor silent_tu = sys.spawn(answering_tu, false);
  // A pool without workers drops what it gets (CAF 0.17): client requests go nowhere.
  caf::actor nowhere = caf::actor_pool::make(sys.dummy_execution_unit(), caf::actor_pool::broadcast());
  transaction_layer layer = spawn_transaction_layer(sys, lc, nowhere, silent_tu);
  std::vector<message_ptr> requests;
  for (std::size_t i = 0; i < o.memory; ++i) requests.push_back(make_request(o, 0, i));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  memory_sample before = sample_memory();
  for (const auto& r : requests) {
    if (o.client_side)
      caf::anon_send(layer.entry, client_request{{r, o.transport, server_address, {}}, caf::actor{}});
    else
      caf::anon_send(layer.entry, transport::inbound_message{r, o.transport, server_address, client_address, {}});
  }
  auto deadline = steady::now() + std::chrono::seconds(60);
  transaction_layer_counters c;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c = counters(sys, layer);
  } while (c.live < o.memory && steady::now() < deadline);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  memory_sample after = sample_memory();
  double per = static_cast<double>(after.heap_in_use + after.heap_mmapped - before.heap_in_use - before.heap_mmapped) /
               static_cast<double>(o.memory);
  std::printf("%zu live %s %s transactions (%s) through the router (%zu shards)\n", o.memory,
              o.method.c_str(), o.client_side ? "client" : "server",
              std::string(transport::to_string(o.transport)).c_str(), o.shards);
  std::printf("  heap per live transaction: %.0f bytes (actor, state, behavior, router map entry; the request,\n"
              "  %zu bytes, is shared with the TU and not counted)\n",
              per, requests[0]->heap_bytes());
  std::printf("  RSS per live transaction: %.0f bytes\n",
              static_cast<double>(after.rss_bytes - before.rss_bytes) / static_cast<double>(o.memory));
  std::fflush(stdout);
  std::_Exit(c.live == o.memory ? 0 : 1);
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads") o.threads = std::stoi(value());
    else if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--warmup") o.warmup = std::stod(value());
    else if (a == "--transport") o.transport = value() == "udp" ? transport_kind::udp : transport_kind::tcp;
    else if (a == "--drivers") o.drivers = std::clamp(std::stoi(value()), 1, max_drivers);
    else if (a == "--window") o.window = std::stoi(value());
    else if (a == "--shards") o.shards = std::stoul(value());
    else if (a == "--method") o.method = value();
    else if (a == "--memory") o.memory = std::stoul(value());
    else if (a == "--side") o.client_side = value() == "client";
    else if (a == "--poll") poll_attempts = std::stoi(value());
    else if (a == "--moderate") moderate_attempts = std::stoi(value());
    else if (a == "--external-loopback") external_loopback = true;
    else if (a == "--idle") o.idle = std::stoul(value());
    else if (a == "--scheduler") stack_scheduler = value() != "caf";
    else if (a == "--throughput") max_throughput = std::stoi(value());
    else if (a == "--no-home") o.home = false;
    else if (a == "--local-drivers") o.local_drivers = true;
    else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of bench/transaction_bench.cpp)\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

}  // namespace
}  // namespace sipactor::bench

int main(int argc, char** argv) {
  auto o = sipactor::bench::parse_options(argc, argv);
  return o.memory > 0 ? sipactor::bench::run_memory(o) : sipactor::bench::run_throughput(o);
}
