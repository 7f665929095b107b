// RFC 3261 §10.3 REGISTER processing, step by step, without actors: each step of
// actors/registrar_rules.hpp on parsed requests and hand-made bindings.
#include "actors/registrar_rules.hpp"
#include "tests/actors/register_test_messages.hpp"

namespace sipactor::test {
namespace {

const char* const bob = "sip:bob@biloxi.example.com";

std::optional<std::string> header_of(const registrar_rejection& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return std::nullopt;
}

// prepare_register() with the default registrar: the rejection's status, or 0.
int prepare_status(const register_message& m, const registrar_config& config = biloxi_registrar()) {
  auto r = prepare_register(*m.build(), config);
  return r ? 0 : r.rejection().status;
}

register_request prepared(const register_message& m, const registrar_config& config = biloxi_registrar()) {
  auto r = prepare_register(*m.build(), config);
  INFO((r ? std::string() : r.rejection().reason));
  REQUIRE(r.ok());
  return r.value();
}

register_changes applied(const register_message& m, const std::vector<location_binding>& current,
                         wall_seconds now = test_epoch) {
  auto r = apply_register(prepared(m), current, now);
  INFO((r ? std::string() : r.rejection().reason));
  REQUIRE(r.ok());
  return r.value();
}

std::vector<std::string> contact_uris(const std::vector<location_binding>& bindings) {
  std::vector<std::string> out;
  for (const auto& b : bindings) out.push_back(b.contact_uri);
  return out;
}

}  // namespace

TEST_CASE("Registrar rules: only REGISTER is accepted (405 with Allow)", "[registrar][rules]") {
  register_message m;
  m.method = "OPTIONS";
  auto r = prepare_register(*m.build(), biloxi_registrar());
  REQUIRE_FALSE(r.ok());
  CHECK(r.rejection().status == 405);
  CHECK(header_of(r.rejection(), "Allow") == "REGISTER");
}

TEST_CASE("Registrar rules: step 1, the Request-URI's domain must be served here", "[registrar][rules]") {
  register_message m;
  CHECK(prepare_status(m) == 0);
  m.request_uri = "sip:BILOXI.Example.COM";  // hosts compare case-insensitively (§19.1.4)
  m.to = "<sip:bob@biloxi.example.com>";
  CHECK(prepare_status(m) == 0);
  m.request_uri = "sip:atlanta.example.com";
  m.to = "<sip:bob@atlanta.example.com>";
  CHECK(prepare_status(m) == 404);  // §8.2.2.1: not an address this UAS accepts requests for
  m.request_uri = "tel:+15551234567";
  CHECK(prepare_status(m) == 416);  // §8.2.2.1: Unsupported URI Scheme
}

TEST_CASE("Registrar rules: step 2, Require with an unsupported extension gets 420 with Unsupported",
          "[registrar][rules]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  m.extra = {"Require: path, gruu"};
  auto r = prepare_register(*m.build(), biloxi_registrar());
  REQUIRE_FALSE(r.ok());
  CHECK(r.rejection().status == 420);
  CHECK(header_of(r.rejection(), "Unsupported") == "path, gruu");

  registrar_config with_path = biloxi_registrar();
  with_path.supported = {"PATH"};  // option tags compare case-insensitively
  r = prepare_register(*m.build(), with_path);
  REQUIRE_FALSE(r.ok());
  CHECK(header_of(r.rejection(), "Unsupported") == "gruu");
  with_path.supported.push_back("gruu");
  CHECK(prepare_status(m, with_path) == 0);
}

TEST_CASE("Registrar rules: step 3, the authentication hook can stop the request", "[registrar][rules]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  int calls = 0;
  registrar_authenticator challenge = [&](const message& request) -> registrar_step {
    ++calls;
    if (request.header_value("Authorization")) return std::nullopt;
    registrar_rejection r;
    r.status = 401;
    r.reason = "Unauthorized";
    r.headers.emplace_back("WWW-Authenticate", "Digest realm=\"biloxi.example.com\", nonce=\"x\"");
    return r;
  };
  auto r = prepare_register(*m.build(), biloxi_registrar(), challenge);
  REQUIRE_FALSE(r.ok());
  CHECK(r.rejection().status == 401);
  CHECK(calls == 1);
  m.extra = {"Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"x\", uri=\"sip:biloxi.example.com\", response=\"0\""};
  CHECK(prepare_register(*m.build(), biloxi_registrar(), challenge).ok());
  // Steps 1 and 2 come first: a foreign domain is not challenged.
  m.request_uri = "sip:atlanta.example.com";
  CHECK(prepare_register(*m.build(), biloxi_registrar(), challenge).rejection().status == 404);
  CHECK(calls == 2);
}

TEST_CASE("Registrar rules: step 5, the AOR from To in canonical form", "[registrar][rules]") {
  register_message m;
  m.to = "\"Bob\" <sip:%62ob@BILOXI.example.com:5070;user=phone;transport=tcp>;foo=bar";
  CHECK(prepared(m).aor == bob);  // parameters and port dropped, escapes resolved, host lower-cased
  m.to = "<sip:Bob@biloxi.example.com>";
  CHECK(prepared(m).aor == "sip:Bob@biloxi.example.com");  // userinfo is case-sensitive (§19.1.4)
  m.to = "<sip:bob@atlanta.example.com>";
  CHECK(prepare_status(m) == 404);  // not valid for the domain in the Request-URI
  m.to = "<tel:+15551234567>";
  CHECK(prepare_status(m) == 404);  // not a SIP URI: no AOR of this domain

  m.request_uri = "sips:biloxi.example.com";
  m.to = "<sips:bob@biloxi.example.com>";
  CHECK(prepared(m).aor == "sips:bob@biloxi.example.com");  // SIP and SIPS are never equivalent

  registrar_config v6;
  v6.domains = {"2001:db8::1"};
  m.request_uri = "sip:[2001:DB8::1]";
  m.to = "<sip:bob@[2001:DB8::1]>";
  CHECK(prepared(m, v6).aor == "sip:bob@[2001:db8::1]");
}

TEST_CASE("Registrar rules: canonical_aor", "[registrar][rules]") {
  auto aor = [](const char* text) {
    auto u = parse_uri(text);
    REQUIRE(u.ok());
    auto a = canonical_aor(*u);
    return a ? *a : std::string("error");
  };
  CHECK(aor("sip:alice@atlanta.example.com") == "sip:alice@atlanta.example.com");
  CHECK(aor("sip:al%69ce:secret@ATLANTA.example.com:5060;lr?subject=x") == "sip:alice@atlanta.example.com");
  CHECK(aor("sip:atlanta.example.com") == "sip:atlanta.example.com");
  CHECK(aor("tel:+1-555") == "error");
  CHECK(aor("mailto:bob@example.com") == "error");
}

TEST_CASE("Registrar rules: step 6, Contact * needs Expires: 0 and no other Contact (400)", "[registrar][rules]") {
  register_message m;
  m.contact("*");
  CHECK(prepare_status(m) == 400);  // no Expires
  m.expires = "3600";
  CHECK(prepare_status(m) == 400);  // an expiration time other than zero
  m.expires = "0";
  register_request r = prepared(m);
  CHECK(r.remove_all);
  CHECK(r.contacts.empty());
  m.contact("<sip:bob@192.0.2.4>");
  CHECK(prepare_status(m) == 400);  // additional Contact fields
  m.contacts = {"*", "*"};
  CHECK(prepare_status(m) == 400);
}

TEST_CASE("Registrar rules: step 7, the expiration interval of each contact", "[registrar][rules]") {
  register_message m;
  m.contact("<sip:a@192.0.2.1>;expires=120").contact("<sip:b@192.0.2.2>");
  SECTION("the contact's expires parameter, else the Expires header") {
    m.expires = "1800";
    register_request r = prepared(m);
    REQUIRE(r.contacts.size() == 2);
    CHECK(r.contacts[0].expires == 120);
    CHECK(r.contacts[1].expires == 1800);
  }
  SECTION("neither: the configured default") {
    registrar_config c = biloxi_registrar();
    c.default_expires = 900;
    register_request r = prepared(m, c);
    CHECK(r.contacts[1].expires == 900);
  }
  SECTION("too brief: 423 with Min-Expires") {
    m.contacts = {"<sip:a@192.0.2.1>;expires=30"};
    auto r = prepare_register(*m.build(), biloxi_registrar());
    REQUIRE_FALSE(r.ok());
    CHECK(r.rejection().status == 423);
    CHECK(header_of(r.rejection(), "Min-Expires") == "60");
    m.contacts = {"<sip:a@192.0.2.1>"};
    m.expires = "59";
    CHECK(prepare_status(m) == 423);
    m.expires = "60";
    CHECK(prepare_status(m) == 0);
  }
  SECTION("zero is a removal, never too brief") {
    m.contacts = {"<sip:a@192.0.2.1>;expires=0"};
    CHECK(prepared(m).contacts[0].expires == 0);
  }
  SECTION("423 only below one hour, even with a larger minimum") {
    registrar_config c = biloxi_registrar();
    c.min_expires = 7200;
    m.contacts = {"<sip:a@192.0.2.1>;expires=3600"};
    CHECK(prepared(m, c).contacts[0].expires == 3600);
    m.contacts = {"<sip:a@192.0.2.1>;expires=3599"};
    CHECK(prepare_status(m, c) == 423);
  }
  SECTION("longer than the maximum: shortened") {
    m.contacts = {"<sip:a@192.0.2.1>;expires=4294967295"};
    CHECK(prepared(m).contacts[0].expires == 86400);
  }
  SECTION("the value echoed keeps the parameters but expires, and q in thousandths") {
    m.contacts = {"\"Bob\" <sip:a@192.0.2.1;transport=tcp>;Expires=600;q=0.7;+sip.instance=\"<urn:uuid:1>\""};
    register_request r = prepared(m);
    CHECK(r.contacts[0].uri == "sip:a@192.0.2.1;transport=tcp");
    CHECK(r.contacts[0].value == "\"Bob\" <sip:a@192.0.2.1;transport=tcp>;q=0.7;+sip.instance=\"<urn:uuid:1>\"");
    CHECK(r.contacts[0].q_milli == 700);
    CHECK(r.contacts[0].expires == 600);
  }
}

TEST_CASE("Registrar rules: adding, refreshing and removing bindings", "[registrar][rules]") {
  register_message m;
  m.cseq = 10;
  m.contact("<sip:bob@192.0.2.4>;expires=3600");
  register_changes added = applied(m, {});
  REQUIRE(added.bindings.size() == 1);
  const location_binding& b = added.bindings[0];
  CHECK(b.aor == bob);
  CHECK(b.contact_uri == "sip:bob@192.0.2.4");
  CHECK(b.expires_at == test_epoch + 3600);
  CHECK(b.call_id == m.call_id);
  CHECK(b.cseq == 10);
  REQUIRE(added.changes.size() == 1);
  CHECK(added.changes[0].kind == location_change_kind::upsert);

  SECTION("a refresh with a higher CSeq updates the expiry") {
    m.cseq = 11;
    m.contacts = {"<sip:bob@192.0.2.4>;expires=1800"};
    register_changes r = applied(m, added.bindings, test_epoch + 100);
    REQUIRE(r.bindings.size() == 1);
    CHECK(r.bindings[0].expires_at == test_epoch + 100 + 1800);
    CHECK(r.bindings[0].cseq == 11);
    REQUIRE(r.changes.size() == 1);
    CHECK(r.changes[0].kind == location_change_kind::upsert);
  }
  SECTION("the same Call-ID with a CSeq not higher aborts the request with 500") {
    for (std::uint32_t cseq : {10u, 9u}) {
      m.cseq = cseq;
      auto r = apply_register(prepared(m), added.bindings, test_epoch + 1);
      REQUIRE_FALSE(r.ok());
      CHECK(r.rejection().status == 500);
    }
  }
  SECTION("another Call-ID updates whatever its CSeq") {
    m.call_id = "other-boot@biloxi.example.com";
    m.cseq = 1;
    register_changes r = applied(m, added.bindings, test_epoch + 5);
    REQUIRE(r.bindings.size() == 1);
    CHECK(r.bindings[0].call_id == m.call_id);
    CHECK(r.bindings[0].cseq == 1);
  }
  SECTION("expires=0 removes it; removing what is not bound changes nothing") {
    m.cseq = 11;
    m.contacts = {"<sip:bob@192.0.2.4>;expires=0"};
    register_changes r = applied(m, added.bindings);
    CHECK(r.bindings.empty());
    REQUIRE(r.changes.size() == 1);
    CHECK(r.changes[0].kind == location_change_kind::remove);
    CHECK(r.changes[0].binding.contact_uri == "sip:bob@192.0.2.4");
    m.contacts = {"<sip:nobody@192.0.2.9>;expires=0"};
    r = applied(m, added.bindings);
    CHECK(r.changes.empty());
    CHECK(r.bindings.size() == 1);
  }
  SECTION("Contact * removes all, but not out of order") {
    m.contacts = {"*"};
    m.expires = "0";
    m.cseq = 10;
    CHECK(apply_register(prepared(m), added.bindings, test_epoch).rejection().status == 500);
    m.cseq = 11;
    register_changes r = applied(m, added.bindings);
    CHECK(r.bindings.empty());
    REQUIRE(r.changes.size() == 1);
    CHECK(r.changes[0].kind == location_change_kind::remove_aor);
    CHECK(r.changes[0].binding.aor == bob);
  }
  SECTION("no Contact: a fetch, nothing changes") {
    m.contacts.clear();
    m.cseq = 1;  // a fetch changes no binding: no ordering applies
    register_changes r = applied(m, added.bindings);
    CHECK(r.changes.empty());
    CHECK(r.bindings == added.bindings);
  }
  SECTION("an equivalent URI (§19.1.4) is the same binding, stored under its new text") {
    m.cseq = 11;
    m.contacts = {"<sip:bob@192.0.2.4:5060>"};
    CHECK(applied(m, added.bindings).bindings.size() == 2);  // a port is not equivalent to none
    m.contacts = {"<sip:%62ob@192.0.2.4>"};
    register_changes r = applied(m, added.bindings);
    REQUIRE(r.bindings.size() == 1);
    CHECK(r.bindings[0].contact_uri == "sip:%62ob@192.0.2.4");
    REQUIRE(r.changes.size() == 2);
    CHECK(r.changes[0].kind == location_change_kind::remove);
    CHECK(r.changes[0].binding.contact_uri == "sip:bob@192.0.2.4");
    CHECK(r.changes[1].kind == location_change_kind::upsert);
  }
  SECTION("an expired binding is absent and removed with the request's changes") {
    m.cseq = 1;  // lower CSeq, but the binding it would conflict with has expired
    m.contacts = {"<sip:bob@192.0.2.5>"};
    register_changes r = applied(m, added.bindings, test_epoch + 3600);
    CHECK(contact_uris(r.bindings) == std::vector<std::string>{"sip:bob@192.0.2.5"});
    REQUIRE(r.changes.size() == 2);
    CHECK(r.changes[0].kind == location_change_kind::remove);
    CHECK(r.changes[0].binding.contact_uri == "sip:bob@192.0.2.4");
  }
}

TEST_CASE("Registrar rules: bindings are ordered by q, a contact named twice counts once", "[registrar][rules]") {
  register_message m;
  m.contact("<sip:low@192.0.2.1>;q=0.1").contact("<sip:none@192.0.2.2>").contact("<sip:mid@192.0.2.3>;q=0.5");
  m.contact("<sip:low@192.0.2.1>;q=0.2");
  register_changes r = applied(m, {});
  CHECK(contact_uris(r.bindings) == std::vector<std::string>{"sip:none@192.0.2.2", "sip:mid@192.0.2.3", "sip:low@192.0.2.1"});
  CHECK(r.bindings[2].q_milli == 200);
  CHECK(r.changes.size() == 3);
}

TEST_CASE("Registrar rules: step 8, the 200 lists every binding with expires, and a Date", "[registrar][rules]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>;q=0.8;expires=3600").contact("<sip:bob@198.51.100.2>;expires=60");
  m.extra = {"Record-Route: <sip:p1.example.com;lr>"};
  auto request = m.build();
  register_changes r = applied(m, {});
  auto built = register_ok(*request, r.bindings, test_epoch + 10, "reg77").build();
  REQUIRE(built.ok());
  const message& ok = *built.message;
  CHECK(ok.status() == 200);
  CHECK(ok.to_tag() == "reg77");
  CHECK(ok.header_count(header_id::record_route) == 0);  // §10.3: never in a response to REGISTER
  const contact_list& contacts = ok.contacts();
  REQUIRE(contacts.contacts.size() == 2);
  CHECK(contacts.contacts[0].address.address.text == "sip:bob@198.51.100.2");  // q absent ranks as 1.0
  CHECK(contacts.contacts[0].expires == 50u);
  CHECK(contacts.contacts[1].expires == 3590u);
  CHECK(contacts.contacts[1].q_milli == 800);
  CHECK(ok.header_value("Date") == "Tue, 14 Nov 2023 22:13:30 GMT");
  REQUIRE(ok.date().ok());
  CHECK(ok.date()->unix_time() == test_epoch + 10);

  auto none = register_ok(*request, {}, test_epoch, "reg77").build();
  REQUIRE(none.ok());
  CHECK(none.message->header_count(header_id::contact) == 0);
}

TEST_CASE("Registrar rules: a rejection becomes its response with its headers", "[registrar][rules]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>;expires=10");
  auto request = m.build();
  auto r = prepare_register(*request, biloxi_registrar());
  REQUIRE_FALSE(r.ok());
  auto built = register_rejected(*request, r.rejection(), "t1").build();
  REQUIRE(built.ok());
  CHECK(built.message->status() == 423);
  CHECK(built.message->reason_phrase() == "Interval Too Brief");
  CHECK(built.message->min_expires() == 60u);
}

TEST_CASE("Registrar rules: sip_date is rfc1123-date in GMT", "[registrar][rules]") {
  CHECK(sip_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(sip_date(test_epoch) == "Tue, 14 Nov 2023 22:13:20 GMT");
  CHECK(sip_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
}

}  // namespace sipactor::test
