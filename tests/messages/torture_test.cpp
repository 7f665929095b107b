// RFC 4475 torture messages: every file of the corpus, each verdict of EXPECTED.md, and the
// semantic facts the RFC names. Each message is fed as one UDP datagram, as the RFC assumes.
//
// Choices where RFC 4475 allows a liberal reading:
// - baddate (§3.1.2.12): accepted. "An element shouldn't reject unless the Date matters to it":
//   the parser does not validate Date; the date() view reports the bad time zone to whoever uses it.
// - badbranch (§3.2.1): accepted by the parser; the branch is exactly the magic cookie and the
//   transaction layer decides (RFC 2543 fallback matching).
// - lwsstart, trws, escruri, regbadct, badaspec, baddn, lwsruri, ltgtruri, quotbal: rejected with 400
//   (the strict reading the RFC calls reasonable); a proxy then never forwards the error.
// - baddn has no empty line after its headers: as a datagram, the datagram end ends the header
//   section, so the verdict is about its display names, not about framing.
// - test.dat is not described by the RFC; it is rejected (no SIP version) and must not crash.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "messages/text.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

enum class verdict { accept, reject_answer, reject_drop };

struct expectation {
  verdict outcome;
  int status = 0;                   // for rejections
  const char* reason_part = "";     // a word the reason must contain
  std::function<void(const message&)> facts;
};

const std::map<std::string, expectation>& expectations() {
  static const std::map<std::string, expectation> table = {
      // --- 3.1.1 valid messages
      {"wsinv", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::invite);
         CHECK(m.request_uri().host == "chair-dnrc.example.com");
         CHECK(m.request_uri().has_param("unknownparam"));
         CHECK(m.to_tag() == "1918181833n");
         CHECK(m.from_tag() == "98asjd8");
         CHECK(m.from().display_name_unquoted() == "J Rosenberg \\\"");
         CHECK(m.max_forwards() == 68);  // "0068"
         CHECK(m.cseq().number == 9);     // "0009"
         CHECK(m.cseq().method == "INVITE");
         REQUIRE(m.vias().size() == 3);
         CHECK(m.vias()[0].transport == "UDP");
         CHECK(m.vias()[0].host == "192.0.2.2");
         CHECK(m.vias()[0].branch == "390skdjuw");
         CHECK(m.vias()[1].transport == "TCP");
         CHECK(m.vias()[1].host == "spindle.example.com");
         CHECK(m.vias()[1].branch == "z9hG4bK9ikj8");
         CHECK(m.vias()[2].host == "192.168.255.111");
         CHECK(m.vias()[2].branch == "z9hG4bK30239");
         CHECK(m.header_value("Subject") == std::string_view(""));
         auto folded = m.header_value("newfangledheader");
         REQUIRE(folded);
         CHECK(folded->find("continued newfangled value") != std::string_view::npos);
         CHECK(folded->find_first_of("\r\n") == std::string_view::npos);
         CHECK(m.header_value("UnknownHeaderWithUnusualValue") == std::string_view(";;,,;;,;"));
         REQUIRE(m.contacts().contacts.size() == 1);
         const contact& c = m.contacts().contacts[0];
         CHECK(c.address.display_name_unquoted() == "Quoted string \"\"");
         CHECK(c.q_milli == 330);
         CHECK(c.address.param("newparam") == std::string_view("newvalue"));
         REQUIRE(m.routes().size() == 1);
         CHECK(m.routes()[0].address.has_param("lr"));
         CHECK(m.body().size() == 150);
       }}},
      {"intmeth", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::unknown);
         CHECK(m.method_name() == "!interesting-Method0123456789_*+`.%indeed'~");
         CHECK(m.request_uri().user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
         CHECK(m.request_uri().password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
         CHECK(m.request_uri().host == "example.com");
         CHECK(m.top_via().branch == "z9hG4bK-.!%66*_+`'~");
         std::string to_name = m.to().display_name_unquoted();
         CHECK(to_name == std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));
         CHECK(m.from().display_name == "token1~` token2'+_ token3*%!.-");
         CHECK(m.from_tag() == "_token~1'+`*%!-.");
         CHECK(m.call_id() == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
         CHECK(m.max_forwards() == 255);
         CHECK(m.header_value("extensionHeader-!.%*+_`'~"));
       }}},
      {"esc01", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.request_uri().user_unescaped() == "sips:user@example.com");
         CHECK(m.request_uri().host == "example.net");
         CHECK(m.to().address.user_unescaped() == "user");
         CHECK(m.from().address.user_unescaped() == "I have spaces");
         REQUIRE(m.contacts().contacts.size() == 1);
         const uri& contact_uri = m.contacts().contacts[0].address.address;
         CHECK(contact_uri.has_param("lr"));  // written %6C%72
         auto plain = parse_uri("sip:caller@host5.example.net;lr;name=value%25%34%31");
         REQUIRE(plain);
         CHECK(uri_equivalent(contact_uri, *plain));
       }}},
      {"escnull", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::register_);
         CHECK(m.to().address.user_unescaped() == std::string("null-\0-null", 11));
         const auto& contacts = m.contacts().contacts;
         REQUIRE(contacts.size() == 2);
         CHECK(contacts[0].address.address.user_unescaped() == std::string(1, '\0'));
         CHECK(contacts[1].address.address.user_unescaped() == std::string(2, '\0'));
         CHECK_FALSE(uri_equivalent(contacts[0].address.address, contacts[1].address.address));
       }}},
      {"esc02", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::unknown);  // RE%47IST%45R is not REGISTER
         CHECK(m.method_name() == "RE%47IST%45R");
         CHECK(m.to().display_name_unquoted() == "%Z%45");
         CHECK(m.contacts().contacts.size() == 2);  // C%6Fntact is another header
         CHECK(m.header_value("C%6Fntact") == std::string_view("<sip:alias2@host2.example.com>"));
       }}},
      {"lwsdisp", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.from().display_name == "caller");
         CHECK(m.from().address.text == "sip:caller@example.com");
         CHECK(m.from_tag() == "323");
       }}},
      {"longreq", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.via_count() == 34);
         CHECK(m.vias().size() == 34);
         CHECK(m.vias()[0].host == "sip33.example.com");
         CHECK(m.vias()[33].received == "192.0.2.5");
         CHECK(m.to().display_name_unquoted().find("extremeextreme") != std::string::npos);
         CHECK(m.to().address.port == 6000);
         CHECK(m.from_tag().size() > 100);
         CHECK(m.cseq().number == 3882340);
       }}},
      {"dblreq", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::register_);
         CHECK(m.body().empty());
         // The trailing INVITE-like octets are not part of the message (§18.3).
         CHECK(m.bytes().find("INVITE") == std::string_view::npos);
       }}},
      {"semiuri", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.request_uri().user_unescaped() == "user;par=u@example.net");
         CHECK(m.request_uri().host == "example.com");
         CHECK_FALSE(m.request_uri().has_param("par"));
       }}},
      {"transports", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.vias().size() == 5);
         const char* expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
         for (std::size_t i = 0; i < 5; ++i) CHECK(m.vias()[i].transport == expected[i]);
       }}},
      {"mpart01", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.method() == sip_method::message);
         CHECK(m.body().size() == 553);
         CHECK(m.body().find('\0') != std::string_view::npos);
         REQUIRE(m.media());
         CHECK(m.media()->is("multipart", "mixed"));
         CHECK(m.date());
       }}},
      {"unreason", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.status() == 200);
         CHECK(m.reason_phrase().substr(0, 14) == "= 2**3 * 5**2 ");
         CHECK(m.reason_phrase().size() > 40);  // UTF-8 octets kept
       }}},
      {"noreason", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.status() == 100);
         CHECK(m.reason_phrase().empty());
       }}},
      // --- 3.1.2 invalid messages
      {"badinv01", {verdict::reject_answer, 400, "Via", nullptr}},
      {"clerr", {verdict::reject_answer, 400, "Content-Length", nullptr}},
      {"ncl", {verdict::reject_answer, 400, "Content-Length", nullptr}},
      {"scalar02", {verdict::reject_answer, 400, "CSeq", nullptr}},
      {"scalarlg", {verdict::reject_drop, 400, "CSeq", nullptr}},
      {"quotbal", {verdict::reject_answer, 400, "quoted string", nullptr}},
      {"ltgtruri", {verdict::reject_answer, 400, "<>", nullptr}},
      {"lwsruri", {verdict::reject_answer, 400, "whitespace", nullptr}},
      {"lwsstart", {verdict::reject_answer, 400, "whitespace", nullptr}},
      {"trws", {verdict::reject_answer, 400, "whitespace", nullptr}},
      {"escruri", {verdict::reject_answer, 400, "headers", nullptr}},
      {"baddate", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE_FALSE(m.date());
         CHECK(std::string(m.date().reason()).find("GMT") != std::string::npos);
       }}},
      {"regbadct", {verdict::reject_answer, 400, "<>", nullptr}},
      {"badaspec", {verdict::reject_answer, 400, "whitespace inside <>", nullptr}},
      {"baddn", {verdict::reject_answer, 400, "display name", nullptr}},
      {"badvers", {verdict::reject_answer, 505, "version", nullptr}},
      {"mismatch01", {verdict::reject_answer, 400, "CSeq method", nullptr}},
      {"mismatch02", {verdict::reject_answer, 501, "CSeq method", nullptr}},
      {"bigcode", {verdict::reject_drop, 400, "status code", nullptr}},
      // --- 3.2 transaction layer
      {"badbranch", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.top_via().branch == "z9hG4bK");
       }}},
      // --- 3.3 application layer: parseable, some rejected as semantically invalid
      {"insuf", {verdict::reject_answer, 400, "missing required header", nullptr}},
      {"unkscm", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.request_uri().scheme == uri_scheme::other);
         CHECK(m.request_uri().scheme_text() == "nobodyKnowsThisScheme");
         CHECK(m.request_uri().opaque() == "totallyopaquecontent");
       }}},
      {"novelsc", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.request_uri().scheme == uri_scheme::other);
         CHECK(m.request_uri().scheme_text() == "soap.beep");
       }}},
      {"unksm2", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.to().address.scheme_text() == "isbn");
         CHECK(m.from().address.scheme_text() == "http");
         REQUIRE(m.contacts().contacts.size() == 1);
         CHECK(m.contacts().contacts[0].address.address.scheme_text() == "name");
       }}},
      {"bext01", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.require());
         CHECK(*m.require() == std::vector<std::string_view>{"nothingSupportsThis", "nothingSupportsThisEither"});
         REQUIRE(m.proxy_require());
         CHECK(m.proxy_require()->size() == 2);
       }}},
      {"invut", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.media());
         CHECK(m.media()->is("application", "unknownformat"));
       }}},
      {"regaut01", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.authorization());
         REQUIRE(m.authorization()->size() == 1);
         CHECK((*m.authorization())[0].scheme == "NoOneKnowsThisScheme");
         CHECK((*m.authorization())[0].param("opaque-data") == std::string_view("here"));
       }}},
      {"multi01", {verdict::reject_answer, 400, "multiple", nullptr}},
      {"mcl01", {verdict::reject_answer, 400, "Content-Length", nullptr}},
      {"bcast", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.is_response());
         REQUIRE(m.vias().size() == 2);
         CHECK(m.vias()[1].host == "255.255.255.255");
       }}},
      {"zeromf", {verdict::accept, 0, "", [](const message& m) { CHECK(m.max_forwards() == 0); }}},
      {"cparam01", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.contacts().contacts.size() == 1);
         const name_addr& a = m.contacts().contacts[0].address;
         CHECK(a.param("unknownparam").has_value());
         CHECK_FALSE(a.address.has_param("unknownparam"));  // a contact-param, not a url-parameter
       }}},
      {"cparam02", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.contacts().contacts.size() == 1);
         const name_addr& a = m.contacts().contacts[0].address;
         CHECK(a.address.has_param("unknownparam"));
         CHECK(a.params.empty());
       }}},
      {"regescrt", {verdict::accept, 0, "", [](const message& m) {
         REQUIRE(m.contacts().contacts.size() == 1);
         CHECK(m.contacts().contacts[0].address.address.headers == "Route=%3Csip:sip.example.com%3E");
       }}},
      {"sdp01", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.header_value("Accept") == std::string_view("text/nobodyKnowsThis"));
       }}},
      // --- 3.4 backward compatibility
      {"inv2543", {verdict::accept, 0, "", [](const message& m) {
         CHECK(m.top_via().branch.empty());
         CHECK(m.from_tag().empty());
         CHECK(m.max_forwards() == -1);
         CHECK_FALSE(m.has_content_length());
         CHECK(m.body().find("v=0") == 0);  // the body runs to the end of the datagram
       }}},
      // --- not described by RFC 4475
      {"test", {verdict::reject_answer, 400, "SIP version", nullptr}},
  };
  return table;
}

// The corpus's file names without ".dat".
std::set<std::string> corpus_files() {
  std::set<std::string> names;
  const std::string dir = test::torture_dir() + "/";
  const std::vector<std::string> paths = test::files_in(test::torture_dir(), ".dat");
  REQUIRE_FALSE(paths.empty());  // the directory is there and readable
  for (const std::string& path : paths)
    names.insert(path.substr(dir.size(), path.size() - dir.size() - 4));
  return names;
}

}  // namespace

TEST_CASE("RFC 4475: every corpus file has an expectation", "[torture]") {
  std::set<std::string> files = corpus_files();
  CHECK(files.size() == 50);
  for (const auto& name : files) {
    INFO(name);
    CHECK(expectations().count(name) == 1);
  }
}

TEST_CASE("RFC 4475: every file named in EXPECTED.md is checked with a matching verdict", "[torture]") {
  std::istringstream expected(test::read_file(test::torture_dir() + "/EXPECTED.md"));
  std::string line;
  int rows = 0;
  while (std::getline(expected, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::string file = line.substr(2, line.find(' ', 2) - 2);
    auto it = expectations().find(file);
    if (file == "file" || it == expectations().end()) continue;
    ++rows;
    INFO(line);
    // The verdict column: invalid parser messages (3.1.2) are rejected unless a liberal reading
    // is documented above; "valid" ones are accepted.
    bool says_valid = line.find("| valid") != std::string::npos;
    bool says_invalid = line.find("| invalid |") != std::string::npos ||
                        line.find("| invalid (response) |") != std::string::npos;
    if (says_valid) CHECK(it->second.outcome == verdict::accept);
    if (says_invalid && file != "baddate") CHECK(it->second.outcome != verdict::accept);
  }
  CHECK(rows == 50);
}

TEST_CASE("RFC 4475: each message gets the expected verdict and facts", "[torture]") {
  for (const auto& [name, expect] : expectations()) {
    DYNAMIC_SECTION(name) {
      std::string bytes = test::torture(name);
      parse_result r = parse_message(bytes, framing::datagram);
      if (expect.outcome == verdict::accept) {
        INFO((r.error ? r.error->reason : std::string("ok")));
        REQUIRE(r.ok());
        REQUIRE(r.message);
        if (expect.facts) expect.facts(*r.message);
      } else {
        REQUIRE_FALSE(r.ok());
        CHECK(r.error->status == expect.status);
        INFO(r.error->reason);
        CHECK(r.error->reason.find(expect.reason_part) != std::string::npos);
        CHECK(r.answerable() == (expect.outcome == verdict::reject_answer));
        if (r.answerable()) {
          // The 400 can be built from what was read (§8.2.6) and is itself a valid response.
          auto answer = message_builder::response_to(*r.message, r.error->status, {}, "t1").build();
          INFO((answer.error ? answer.error->reason : std::string("ok")));
          CHECK(answer.message);
          if (answer.message) CHECK(answer.message->status() == r.error->status);
        }
      }
    }
  }
}

}  // namespace sipactor
