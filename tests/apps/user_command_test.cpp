// `sipactor user add` / `sipactor user list` on a users file in a temporary directory.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "actors/auth_users.hpp"
#include "apps/user_command.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char name[] = "/tmp/sipactor-user-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path = name;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

struct run_result {
  int status;
  std::string out;
  std::string err;
};

run_result run(const std::vector<std::string>& args, const std::string& input = {}) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int status = apps::run_user_command(args, in, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("sipactor user add and list: a round trip in a temporary directory", "[apps][auth]") {
  temp_dir dir;
  std::string file = dir.path + "/users.txt";

  auto added = run({"add", "--file", file, "--realm", "example.com", "alice", "--password-stdin"}, "s3cret\n");
  CHECK(added.status == 0);
  CHECK(added.out == "added alice in realm example.com in " + file + "\n");
  CHECK(added.err.empty());
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // HA1 values are password-equivalent

  // Stored: HA1 values computed independently (md5sum/sha256sum of "alice:example.com:s3cret").
  auto loaded = auth::load_users_file(file);
  REQUIRE(loaded.ok());
  auto* alice = loaded.users.find("alice", "example.com");
  REQUIRE(alice != nullptr);
  CHECK(alice->ha1_md5 == "d2d0c8958e1b1c2b989afda0efb9663e");
  CHECK(alice->ha1_sha256 == "5297838bf1a4f1fc5d284fa2f0df90bdf2046b6bf4c022e85118af37bb6dbf75");
  CHECK(test::read_file(file).find("s3cret") == std::string::npos);

  CHECK(run({"add", "--file", file, "--realm", "biloxi.com", "--password", "zanzibar", "bob"}).status == 0);
  // The same user and realm again: the line is replaced, not added.
  auto replaced = run({"add", "--file", file, "--realm", "example.com", "alice", "--password-stdin"}, "n3w\r\n");
  CHECK(replaced.status == 0);
  CHECK(replaced.out.rfind("replaced alice", 0) == 0);
  loaded = auth::load_users_file(file);
  REQUIRE(loaded.ok());
  CHECK(loaded.users.size() == 2);
  CHECK(loaded.users.find("alice", "example.com")->ha1_md5 ==
        auth::compute_ha1(auth::digest_algorithm::md5, "alice", "example.com", "n3w"));

  auto listed = run({"list", "--file", file});
  CHECK(listed.status == 0);
  CHECK(listed.out == "alice example.com SHA-256 MD5\nbob biloxi.com SHA-256 MD5\n");
  CHECK(run({"list", "--file", file, "--realm", "biloxi.com"}).out == "bob biloxi.com SHA-256 MD5\n");

  // A bad line added by hand: list reports it and fails; add keeps it and works.
  {
    std::string text = test::read_file(file) + "broken line\n";
    std::string error;
    REQUIRE(auth::write_text_file_atomically(file, text, error));
  }
  auto with_bad = run({"list", "--file", file});
  CHECK(with_bad.status == 1);
  CHECK(with_bad.err.find(file + ":4: expected 4 fields") != std::string::npos);
  CHECK(with_bad.out.find("alice example.com") != std::string::npos);
  auto add_anyway = run({"add", "--file", file, "--realm", "x.org", "carol", "--password", "pw"});
  CHECK(add_anyway.status == 0);
  CHECK(add_anyway.err.find("kept as it is") != std::string::npos);
  CHECK(test::read_file(file).find("broken line\n") != std::string::npos);
  CHECK(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // kept through the rewrite
}

TEST_CASE("sipactor user: usage errors exit 2, file errors 1", "[apps][auth]") {
  temp_dir dir;
  std::string file = dir.path + "/users.txt";
  auto status_of = [](const run_result& r) { return r.status; };
  CHECK(status_of(run({})) == 2);
  CHECK(status_of(run({"add", "--realm", "r", "u", "--password", "p"})) == 2);           // no --file
  CHECK(status_of(run({"add", "--file", file, "u", "--password", "p"})) == 2);           // no --realm
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "u"})) == 2);              // no password
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "u", "--password", "p", "--password-stdin"})) == 2);
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "u", "--password-stdin"}, "")) == 2);
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "u", "--password-stdin"}, "\n")) == 2);
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "#u", "--password", "p"})) == 2);
  CHECK(status_of(run({"add", "--file", file, "--realm", "r r", "u", "--password", "p"})) == 2);
  CHECK(status_of(run({"add", "--file", file, "--realm", "r", "u", "v", "--password", "p"})) == 2);
  CHECK(status_of(run({"remove", "--file", file})) == 2);
  CHECK(status_of(run({"list", "--file", file, "--bogus"})) == 2);
  auto usage = run({"add", "--file", file});
  CHECK(usage.err.find("usage: sipactor user add") != std::string::npos);
  CHECK(::access(file.c_str(), F_OK) != 0);  // nothing was written

  auto missing = run({"list", "--file", file});
  CHECK(missing.status == 1);
  CHECK(missing.err.find("cannot open") != std::string::npos);
  auto unwritable = run({"add", "--file", dir.path + "/no/such/dir/users.txt", "--realm", "r", "u", "--password", "p"});
  CHECK(unwritable.status == 1);
  CHECK(unwritable.err.find("cannot create") != std::string::npos);
  CHECK(run({"--help"}).status == 0);
}

}  // namespace sipactor
