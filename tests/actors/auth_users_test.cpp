// The users file: HA1 values per user and realm, bad lines reported with file and line.
#include <catch2/catch.hpp>

#include <string>

#include "actors/auth_users.hpp"

namespace sipactor::auth {
namespace {

constexpr std::string_view alice_md5 = "d2d0c8958e1b1c2b989afda0efb9663e";  // md5sum of alice:example.com:s3cret
constexpr std::string_view alice_sha256 = "5297838bf1a4f1fc5d284fa2f0df90bdf2046b6bf4c022e85118af37bb6dbf75";

}  // namespace

TEST_CASE("Users file: good lines become HA1 lookups", "[auth][users]") {
  std::string text = "# users\n"
                     "\n"
                     "alice example.com " + std::string(alice_md5) + " " + std::string(alice_sha256) + "\n"
                     "  bob\tbiloxi.com   12AF60467A33E8518DA5C68BBFF12B11 -\r\n"  // CRLF, tabs, uppercase hex
                     "carol example.com - " + std::string(alice_sha256);             // no final newline
  auto file = read_users(text, "users.txt");
  CHECK(file.ok());
  CHECK(file.errors.empty());
  REQUIRE(file.users.size() == 3);
  CHECK(file.users.entries()[0].user == "alice");
  CHECK(file.users.find_ha1("alice", "example.com", digest_algorithm::md5) == std::string(alice_md5));
  CHECK(file.users.find_ha1("alice", "example.com", digest_algorithm::sha256) == std::string(alice_sha256));
  CHECK(file.users.find_ha1("bob", "biloxi.com", digest_algorithm::md5) == "12af60467a33e8518da5c68bbff12b11");
  CHECK_FALSE(file.users.find_ha1("bob", "biloxi.com", digest_algorithm::sha256));
  CHECK_FALSE(file.users.find_ha1("carol", "example.com", digest_algorithm::md5));
  CHECK_FALSE(file.users.find_ha1("alice", "biloxi.com", digest_algorithm::md5));  // the realm counts
  CHECK_FALSE(file.users.find_ha1("Alice", "example.com", digest_algorithm::md5));
  // What hash_password makes, the file holds.
  auto alice = hash_password("alice", "example.com", "s3cret");
  CHECK(alice.ha1_md5 == alice_md5);
  CHECK(alice.ha1_sha256 == alice_sha256);
}

TEST_CASE("Users file: bad lines are skipped and reported with file, line and reason", "[auth][users]") {
  std::string good = "alice example.com " + std::string(alice_md5) + " " + std::string(alice_sha256);
  std::string text = good + "\n"                                                     // 1
                     "bob biloxi.com\n"                                              // 2
                     "bob biloxi.com 12af6046 -\n"                                   // 3
                     "bob biloxi.com - 12af6046\n"                                   // 4
                     "bob biloxi.com - -\n"                                          // 5
                     "bob biloxi.com zzaf60467a33e8518da5c68bbff12b11 -\n"           // 6
                     "alice example.com - " + std::string(alice_sha256) + "\n"      // 7
                     "bob\x01 biloxi.com 12af60467a33e8518da5c68bbff12b11 -\n"       // 8
                     "bob biloxi.com 12af60467a33e8518da5c68bbff12b11 - extra\n"     // 9
                     "   # an indented comment\n"                                    // 10
                     "bob biloxi.com 12af60467a33e8518da5c68bbff12b11 -\n";          // 11
  auto file = read_users(text, "conf/users.txt");
  CHECK_FALSE(file.ok());
  REQUIRE(file.errors.size() == 8);
  CHECK(file.errors[0].to_string() == "conf/users.txt:2: expected 4 fields: USER REALM HA1-MD5 HA1-SHA256");
  CHECK(file.errors[1].to_string() == "conf/users.txt:3: HA1-MD5 is not 32 hex digits or \"-\"");
  CHECK(file.errors[2].to_string() == "conf/users.txt:4: HA1-SHA256 is not 64 hex digits or \"-\"");
  CHECK(file.errors[3].to_string() == "conf/users.txt:5: neither HA1 given");
  CHECK(file.errors[4].line == 6);
  CHECK(file.errors[5].to_string() == "conf/users.txt:7: duplicate of line 1 (ignored)");
  CHECK(file.errors[6].to_string() == "conf/users.txt:8: blank or control character in user");
  CHECK(file.errors[7].line == 9);
  REQUIRE(file.users.size() == 2);  // alice (line 1, not 7) and bob (line 11)
  CHECK(file.users.find_ha1("alice", "example.com", digest_algorithm::md5) == std::string(alice_md5));
  CHECK(file.users.find("bob", "biloxi.com") != nullptr);

  auto missing = load_users_file("/nonexistent/sipactor-users.txt");
  CHECK_FALSE(missing.ok());
  CHECK(missing.read_error.find("cannot open /nonexistent/sipactor-users.txt") == 0);
}

TEST_CASE("Users file: lines are replaced in place, everything else kept", "[auth][users]") {
  auto alice = hash_password("alice", "example.com", "s3cret");
  CHECK(format_user_line(alice) ==
        "alice example.com " + std::string(alice_md5) + " " + std::string(alice_sha256));
  CHECK(format_user_line({"bob", "biloxi.com", "12af60467a33e8518da5c68bbff12b11", ""}) ==
        "bob biloxi.com 12af60467a33e8518da5c68bbff12b11 -");

  bool replaced = true;
  std::string fresh = upsert_user_line("", alice, replaced);
  CHECK_FALSE(replaced);
  CHECK(fresh.rfind("# sipactor users", 0) == 0);
  CHECK(read_users(fresh, "f").users.size() == 1);

  std::string text = "# keep me\n"
                     "alice example.com - -\n"  // bad (no HA1), but alice's: replaced
                     "bob biloxi.com 12af60467a33e8518da5c68bbff12b11 -\n"
                     "garbage line here\n"
                     "alice example.com 00000000000000000000000000000000 -\n";  // a later duplicate
  auto updated = upsert_user_line(text, hash_password("alice", "example.com", "new"), replaced);
  CHECK(replaced);
  CHECK(updated == "# keep me\n" + format_user_line(hash_password("alice", "example.com", "new")) + "\n" +
                       "bob biloxi.com 12af60467a33e8518da5c68bbff12b11 -\n"
                       "garbage line here\n");
  // Another realm is another user.
  auto other_realm = upsert_user_line(updated, hash_password("alice", "biloxi.com", "x"), replaced);
  CHECK_FALSE(replaced);
  CHECK(read_users(other_realm, "f").users.size() == 3);

  user_table table;
  CHECK_FALSE(table.put(alice));
  CHECK(table.put(hash_password("alice", "example.com", "other")));
  CHECK(table.size() == 1);
  CHECK(table.find("alice", "example.com")->ha1_md5 != alice.ha1_md5);
  CHECK(check_user_field("#alice") != nullptr);
  CHECK(check_user_field("al ice") != nullptr);
  CHECK(check_user_field("") != nullptr);
  CHECK(check_user_field("alice+1@x") == nullptr);
  CHECK(check_realm_field("example.com") == nullptr);
  CHECK(check_realm_field("a b") != nullptr);
}

}  // namespace sipactor::auth
