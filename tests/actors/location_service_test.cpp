// The location service on CAF's test_coordinator: REGISTER call flows through the §10.3 rules,
// the AOR's shard and the store (RFC 3665 §2.1 style), answered as the registrar will answer
// them; expiry on the virtual clock; a restart from the SQLite file; a failing store gives 500.
#include <chrono>
#include <set>

#include "actors/location_service.hpp"
#include "actors/proxy_targets.hpp"
#include "tests/actors/location_test_fixture.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

const std::string bob = "sip:bob@biloxi.example.com";

struct service_fixture : coordinator_fixture {
  registrar_config registrar = biloxi_registrar();
  location_config config{2, test_epoch};
  caf::actor_clock::time_point start = sched.clock().now();
  location_store_actor store;
  location_service service;

  explicit service_fixture(location_store_config store_config = memory_store()) { start_service(store_config); }
  ~service_fixture() { stop_service(); }

  void start_service(const location_store_config& store_config) {
    store = spawn_location_store(sys, store_config);
    config.wall_origin = now();
    service = spawn_location_service(sys, config, store);
    sched.run();
  }
  void stop_service() {
    stop_location_service(service);
    sched.run();
  }

  wall_seconds now() const {
    return test_epoch + std::chrono::duration_cast<std::chrono::seconds>(sched.clock().now() - start).count();
  }
  void advance(std::chrono::seconds d) {
    sched.advance_time(d);
    sched.run();
  }

  message_ptr built(const message_builder& b) {
    auto r = b.build();
    REQUIRE(r.ok());
    return r.message;
  }

  // What the registrar actor will do: §10.3 steps 1-5 here, 6-7 at the AOR's shard, 8 here.
  message_ptr send_register(const register_message& m) {
    message_ptr request = m.build();
    auto prepared = prepare_register(*request, registrar);
    if (!prepared) return built(register_rejected(*request, prepared.rejection(), "reg1"));
    const register_request& r = prepared.value();
    auto result = ask<location_register_result>(service.shard_for(r.aor), location_register{r});
    if (!result.ok()) return built(register_rejected(*request, *result.rejection, "reg1"));
    return built(register_ok(*request, result.bindings, result.now, "reg1"));
  }

  std::vector<location_binding> lookup(const std::string& aor) {
    return ask<location_bindings>(service.shard_for(aor), location_lookup{aor}).bindings;
  }
  std::uint64_t count() {
    std::uint64_t total = 0;
    for (const auto& shard : service.shards) total += ask<std::uint64_t>(shard, location_count_atom::value);
    return total;
  }
  location_store_stats store_stats() { return ask<location_store_stats>(store, location_stats_atom::value); }
};

// The Contact values of a 200 as (URI, expires).
std::vector<std::pair<std::string, std::uint32_t>> bound(const message_ptr& ok) {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  for (const auto& c : ok->contacts().contacts)
    out.emplace_back(std::string(c.address.address.text), c.expires.value_or(0));
  return out;
}

using bound_list = std::vector<std::pair<std::string, std::uint32_t>>;

register_message from_bob(std::uint32_t cseq) {
  register_message m;
  m.cseq = cseq;
  return m;
}

}  // namespace

TEST_CASE_METHOD(service_fixture, "Location service: register, fetch, refresh and remove a binding",
                 "[registrar][location]") {
  auto ok = send_register(from_bob(1).contact("<sip:bob@192.0.2.4>"));
  REQUIRE(ok->status() == 200);
  CHECK(bound(ok) == bound_list{{"sip:bob@192.0.2.4", 3600}});  // the default interval
  CHECK(ok->header_value("Date") == sip_date(test_epoch));
  CHECK(count() == 1);
  REQUIRE(lookup(bob).size() == 1);
  CHECK(lookup(bob)[0].expires_at == test_epoch + 3600);
  CHECK(store_stats().commits == 1);

  advance(100s);
  ok = send_register(from_bob(2));  // no Contact: a fetch (§10.2.3)
  CHECK(ok->status() == 200);
  CHECK(bound(ok) == bound_list{{"sip:bob@192.0.2.4", 3500}});
  CHECK(store_stats().commits == 1);  // nothing to store

  auto refresh = from_bob(3);
  refresh.expires = "1800";
  ok = send_register(refresh.contact("<sip:bob@192.0.2.4>"));
  CHECK(bound(ok) == bound_list{{"sip:bob@192.0.2.4", 1800}});
  CHECK(lookup(bob)[0].expires_at == test_epoch + 100 + 1800);
  CHECK(lookup(bob)[0].cseq == 3);

  ok = send_register(from_bob(4).contact("<sip:bob@192.0.2.4>;expires=0"));
  CHECK(ok->status() == 200);
  CHECK(bound(ok).empty());
  CHECK(lookup(bob).empty());
  CHECK(count() == 0);
  CHECK(store_stats().commits == 3);
}

TEST_CASE_METHOD(service_fixture, "Location service: an out-of-order REGISTER gets 500 and changes nothing",
                 "[registrar][location]") {
  REQUIRE(send_register(from_bob(5).contact("<sip:bob@192.0.2.4>;expires=600"))->status() == 200);
  for (std::uint32_t cseq : {5u, 4u}) {
    auto r = send_register(from_bob(cseq).contact("<sip:bob@192.0.2.4>;expires=0"));
    CHECK(r->status() == 500);
  }
  REQUIRE(lookup(bob).size() == 1);
  CHECK(lookup(bob)[0].cseq == 5);
  // Another UA (another Call-ID) may change it with any CSeq.
  auto other = from_bob(1);
  other.call_id = "second-ua@biloxi.example.com";
  CHECK(send_register(other.contact("<sip:bob@192.0.2.4>;expires=0"))->status() == 200);
  CHECK(lookup(bob).empty());
}

TEST_CASE_METHOD(service_fixture, "Location service: Contact * with Expires: 0 removes every binding of the AOR",
                 "[registrar][location]") {
  auto desk = from_bob(1);
  desk.call_id = "desk@biloxi.example.com";
  REQUIRE(send_register(desk.contact("<sip:bob@192.0.2.4>"))->status() == 200);
  REQUIRE(send_register(from_bob(1).contact("<sip:bob@198.51.100.7>"))->status() == 200);
  CHECK(lookup(bob).size() == 2);
  auto all = from_bob(2);
  all.expires = "0";
  auto ok = send_register(all.contact("*"));
  CHECK(ok->status() == 200);
  CHECK(bound(ok).empty());
  CHECK(lookup(bob).empty());
  CHECK(count() == 0);
  // The store agrees.
  CHECK(ask<location_load_result>(store, location_load{0, 1, now()}).bindings.empty());
}

TEST_CASE_METHOD(service_fixture, "Location service: lookup gives the bindings most preferred first",
                 "[registrar][location]") {
  auto m = from_bob(1);
  m.contact("<sip:low@192.0.2.1>;q=0.1").contact("<sip:high@192.0.2.2>;q=0.9").contact("<sip:mid@192.0.2.3>;q=0.5");
  auto ok = send_register(m);
  REQUIRE(ok->status() == 200);
  std::vector<std::string> order;
  for (const auto& b : lookup(bob)) order.push_back(b.contact_uri);
  CHECK(order == std::vector<std::string>{"sip:high@192.0.2.2", "sip:mid@192.0.2.3", "sip:low@192.0.2.1"});
  CHECK(bound(ok)[0].first == "sip:high@192.0.2.2");
  CHECK(lookup("sip:nobody@biloxi.example.com").empty());
}

TEST_CASE_METHOD(service_fixture, "Location service: REGISTERs for one AOR are applied in the order they arrive",
                 "[registrar][location]") {
  caf::scoped_actor self{sys};
  auto first = prepare_register(*from_bob(7).contact("<sip:bob@192.0.2.4>").build(), registrar);
  auto second = prepare_register(*from_bob(8).contact("<sip:bob@198.51.100.7>").build(), registrar);
  // The ordering check is per binding (§10.3 step 7): the stale one names the first contact.
  auto stale = prepare_register(*from_bob(6).contact("<sip:bob@192.0.2.4>;expires=0").build(), registrar);
  REQUIRE((first.ok() && second.ok() && stale.ok()));
  const auto& shard = service.shard_for(bob);
  // All three wait in the shard's mailbox; the second and third find the first at the store.
  auto a = self->request(shard, caf::infinite, location_register{first.value()});
  auto b = self->request(shard, caf::infinite, location_register{second.value()});
  auto c = self->request(shard, caf::infinite, location_register{stale.value()});
  sched.run();
  std::vector<location_register_result> results;
  for (auto* h : {&a, &b, &c})
    std::move(*h).receive([&](location_register_result& r) { results.push_back(std::move(r)); }, [](caf::error&) {});
  REQUIRE(results.size() == 3);
  CHECK(results[0].ok());
  CHECK(results[0].bindings.size() == 1);
  CHECK(results[1].ok());
  CHECK(results[1].bindings.size() == 2);  // it saw the first one's binding
  REQUIRE_FALSE(results[2].ok());
  CHECK(results[2].rejection->status == 500);  // CSeq 6 after 8 with the same Call-ID
  CHECK(count() == 2);
}

TEST_CASE_METHOD(service_fixture, "Location service: bindings expire on time", "[registrar][location]") {
  auto m = from_bob(1);
  REQUIRE(send_register(m.contact("<sip:short@192.0.2.1>;expires=120").contact("<sip:long@192.0.2.2>;expires=3600"))
              ->status() == 200);
  advance(30s);
  CHECK(bound(send_register(from_bob(2))) == bound_list{{"sip:long@192.0.2.2", 3570}, {"sip:short@192.0.2.1", 90}});
  advance(89s);
  CHECK(lookup(bob).size() == 2);
  CHECK(count() == 2);
  advance(1s);  // 120 s after the REGISTER
  REQUIRE(lookup(bob).size() == 1);
  CHECK(lookup(bob)[0].contact_uri == "sip:long@192.0.2.2");
  CHECK(count() == 1);
  auto stored = ask<location_load_result>(store, location_load{0, 1, now()});
  CHECK(stored.bindings.size() == 1);  // removed from the store as well
  CHECK(stored.dropped_expired == 0);  // by the shard, not by the load
  advance(3480s);
  CHECK(lookup(bob).empty());
  CHECK(count() == 0);
  CHECK(ask<location_load_result>(store, location_load{0, 1, now()}).bindings.empty());
}

TEST_CASE_METHOD(service_fixture, "Location service: a refresh moves the expiry", "[registrar][location]") {
  REQUIRE(send_register(from_bob(1).contact("<sip:bob@192.0.2.4>;expires=120"))->status() == 200);
  advance(100s);
  REQUIRE(send_register(from_bob(2).contact("<sip:bob@192.0.2.4>;expires=120"))->status() == 200);
  advance(30s);  // past the first expiry: the timer set for it finds a refreshed binding
  CHECK(lookup(bob).size() == 1);
  advance(90s);
  CHECK(lookup(bob).empty());
}

TEST_CASE_METHOD(service_fixture, "Location service: AORs spread over the shards, REGISTERs share commits",
                 "[registrar][location]") {
  caf::scoped_actor self{sys};
  std::vector<decltype(self->request(service.shards[0], caf::infinite, location_register{}))> answers;
  for (int i = 0; i < 20; ++i) {
    register_message m = from_bob(1);
    m.to = "<sip:user" + std::to_string(i) + "@biloxi.example.com>";
    m.contact("<sip:ua" + std::to_string(i) + "@192.0.2.1>");
    auto prepared = prepare_register(*m.build(), registrar);
    REQUIRE(prepared.ok());
    answers.push_back(self->request(service.shard_for(prepared->aor), caf::infinite, location_register{prepared.value()}));
  }
  sched.run();
  int ok = 0;
  for (auto& a : answers) std::move(a).receive([&](location_register_result& r) { ok += r.ok(); }, [](caf::error&) {});
  CHECK(ok == 20);
  CHECK(count() == 20);
  for (const auto& shard : service.shards) CHECK(ask<std::uint64_t>(shard, location_count_atom::value) > 0);
  CHECK(store_stats().commits < 20);
}

TEST_CASE_METHOD(service_fixture, "Location service: a rejected REGISTER never reaches a shard", "[registrar][location]") {
  CHECK(send_register(from_bob(1).contact("<sip:bob@192.0.2.4>;expires=10"))->status() == 423);
  auto foreign = from_bob(1);
  foreign.to = "<sip:bob@atlanta.example.com>";
  CHECK(send_register(foreign.contact("<sip:bob@192.0.2.4>"))->status() == 404);
  CHECK(store_stats().writes == 0);
  CHECK(count() == 0);
}

namespace {
struct file_service_fixture : service_fixture {
  temp_dir dir;
  file_service_fixture() : service_fixture(memory_store()) {}
};
struct broken_store_fixture : service_fixture {
  broken_store_fixture() : service_fixture(file_store("/nonexistent-sipactor-dir/sub/location.db")) {}
};
}  // namespace

TEST_CASE_METHOD(file_service_fixture, "Location service: bindings survive a restart, expired ones do not",
                 "[registrar][location]") {
  stop_service();
  start_service(file_store(dir.file("registrar.db")));
  auto m = from_bob(1);
  REQUIRE(send_register(m.contact("<sip:bob@192.0.2.4>;q=0.4;expires=3600").contact("<sip:bob@198.51.100.7>;expires=120"))
              ->status() == 200);
  stop_service();
  advance(200s);  // down for 200 s: the 120 s binding expired meanwhile
  start_service(file_store(dir.file("registrar.db")));
  auto found = lookup(bob);
  REQUIRE(found.size() == 1);
  CHECK(found[0].contact_uri == "sip:bob@192.0.2.4");
  CHECK(found[0].expires_at == test_epoch + 3600);
  CHECK(found[0].q_milli == 400);
  CHECK(count() == 1);
  auto ok = send_register(from_bob(2));
  CHECK(bound(ok) == bound_list{{"sip:bob@192.0.2.4", 3400}});
  // Ordering state came back too: the same Call-ID with an old CSeq is still refused.
  CHECK(send_register(from_bob(1).contact("<sip:bob@192.0.2.4>;expires=0"))->status() == 500);
  advance(3400s);
  CHECK(lookup(bob).empty());
}

TEST_CASE_METHOD(broken_store_fixture, "Location service: a store that cannot write makes REGISTER fail with 500",
                 "[registrar][location]") {
  auto r = send_register(from_bob(1).contact("<sip:bob@192.0.2.4>"));
  CHECK(r->status() == 500);
  CHECK(r->reason_phrase() == "Location Store Failure");
  CHECK(lookup(bob).empty());
  CHECK(count() == 0);
  // A fetch stores nothing and still works.
  CHECK(send_register(from_bob(2))->status() == 200);
}

// Regression (found by the proxy's end-to-end tests, issue 7): the proxy's lookup evaluated
// `location_lookup{std::move(aor)}` before `shard_for(aor)` and so asked the shard of "" for every
// AOR; users whose AOR lives in another shard got 404.
TEST_CASE("Location service: the proxy's lookup finds AORs of every shard", "[registrar][location][proxy]") {
  service_fixture f;
  caf::actor source = spawn_location_target_source(f.sys, f.service);
  std::set<std::size_t> shards_seen;
  for (int i = 0; i < 8; ++i) {
    std::string user = "user" + std::to_string(i);
    register_message m = from_bob(1);
    m.to = "<sip:" + user + "@biloxi.example.com>";
    m.contact("<sip:" + user + "@192.0.2.4>");
    REQUIRE(f.send_register(m)->status() == 200);
    std::string aor = "sip:" + user + "@biloxi.example.com";
    shards_seen.insert(location_shard_of(aor, f.service.shards.size()));
    auto found = f.ask<target_answer>(source, target_query{aor, nullptr});
    INFO(aor);
    REQUIRE(found.targets.size() == 1);
    CHECK(found.targets[0].uri == "sip:" + user + "@192.0.2.4");
  }
  CHECK(shards_seen.size() == f.service.shards.size());
  caf::anon_send_exit(source, caf::exit_reason::kill);
  f.sched.run();
}

TEST_CASE("Location service: on a real scheduler with a detached SQLite store", "[registrar][location]") {
  temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{threaded_config(cfg)};
  auto store = spawn_location_store(sys, {dir.file("registrar.db"), false, 0, true});
  auto service = spawn_location_service(sys, location_config{3, 0}, store);
  caf::scoped_actor self{sys};
  for (int i = 0; i < 10; ++i) {
    register_message m = from_bob(1);
    m.to = "<sip:user" + std::to_string(i) + "@biloxi.example.com>";
    m.contact("<sip:ua@192.0.2." + std::to_string(i) + ">");
    auto prepared = prepare_register(*m.build(), biloxi_registrar());
    REQUIRE(prepared.ok());
    self->request(service.shard_for(prepared->aor), caf::infinite, location_register{prepared.value()})
        .receive([](location_register_result& r) { CHECK(r.ok()); }, [](caf::error&) { FAIL("no answer"); });
  }
  CHECK(location_binding_count(self, service) == 10);
  const std::string aor = "sip:user3@biloxi.example.com";
  self->request(service.shard_for(aor), caf::infinite, location_lookup{aor})
      .receive([](location_bindings& found) {
        REQUIRE(found.bindings.size() == 1);
        CHECK(found.bindings[0].contact_uri == "sip:ua@192.0.2.3");
      }, [](caf::error&) { FAIL("no answer"); });
  stop_location_service(service);
  for (const auto& shard : service.shards) self->wait_for(shard);
  self->wait_for(store);
}

}  // namespace sipactor::test
