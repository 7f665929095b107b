// `sipactor parse`: verdicts, summaries and exit status.
#include <catch2/catch.hpp>

#include <sstream>

#include "apps/parse_command.hpp"
#include "tests/test_files.hpp"

namespace sipactor {

TEST_CASE("sipactor parse reports each file and fails when any is rejected", "[apps]") {
  std::string dir = test::torture_dir();
  std::ostringstream out, err;
  int status = apps::run_parse_command({dir + "/wsinv.dat", dir + "/unreason.dat"}, out, err);
  CHECK(status == 0);
  CHECK(out.str().find("wsinv.dat: ok") != std::string::npos);
  CHECK(out.str().find("request  INVITE sip:vivekg@chair-dnrc.example.com;unknownparam") != std::string::npos);
  CHECK(out.str().find("response 200") != std::string::npos);
  CHECK(out.str().find("2 accepted, 0 rejected") != std::string::npos);

  std::ostringstream out2, err2;
  status = apps::run_parse_command({"--quiet", dir + "/badvers.dat", dir + "/zeromf.dat"}, out2, err2);
  CHECK(status == 1);
  CHECK(out2.str().find("badvers.dat: rejected 505 SIP version not supported (answerable)") != std::string::npos);
  CHECK(out2.str().find("1 accepted, 1 rejected") != std::string::npos);

  std::ostringstream out3, err3;
  CHECK(apps::run_parse_command({}, out3, err3) == 2);
  CHECK(apps::run_parse_command({dir + "/no-such-file.dat"}, out3, err3) == 1);
  CHECK(err3.str().find("cannot open") != std::string::npos);
}

}  // namespace sipactor
