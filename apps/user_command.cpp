#include "apps/user_command.hpp"

#include <istream>
#include <optional>
#include <ostream>
#include <string_view>

#include "actors/auth_users.hpp"

namespace sipactor::apps {

namespace {

constexpr const char* usage_text =
    "usage: sipactor user add --file FILE --realm REALM USER (--password PW | --password-stdin)\n"
    "       sipactor user list --file FILE [--realm REALM]\n"
    "add   stores USER's Digest HA1 values (MD5 and SHA-256) for REALM in FILE, replacing the\n"
    "      line of the same user and realm; FILE is created (mode 0600) when missing. The\n"
    "      password is not stored. --password-stdin reads it from the first line of standard\n"
    "      input; --password PW shows it to anyone who can list processes.\n"
    "list  prints each user of FILE: USER REALM and the algorithms it can answer.\n";

struct options {
  std::string action;
  std::string file;
  std::optional<std::string> realm;
  std::optional<std::string> password;
  bool password_stdin = false;
  std::vector<std::string> positional;
};

// nullopt, or what is wrong with the arguments.
std::optional<std::string> read_options(const std::vector<std::string>& args, options& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) -> bool {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--file") {
      if (!value(o.file)) return "--file needs a value";
    } else if (a == "--realm") {
      std::string realm;
      if (!value(realm)) return "--realm needs a value";
      o.realm = realm;
    } else if (a == "--password") {
      std::string password;
      if (!value(password)) return "--password needs a value";
      o.password = password;
    } else if (a == "--password-stdin") {
      o.password_stdin = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return "unknown option " + a;
    } else if (o.action.empty()) {
      o.action = a;
    } else {
      o.positional.push_back(a);
    }
  }
  if (o.action.empty()) return "missing action (add or list)";
  if (o.file.empty()) return "missing --file";
  return std::nullopt;
}

void report_bad_lines(const auth::users_file& file, std::ostream& err, const char* what) {
  for (const auto& e : file.errors) err << "sipactor user: " << e.to_string() << " (" << what << ")\n";
}

int add_user(const options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.positional.size() != 1) {
    err << "sipactor user add: exactly one USER expected\n" << usage_text;
    return 2;
  }
  if (!o.realm) {
    err << "sipactor user add: missing --realm\n";
    return 2;
  }
  const std::string& user = o.positional.front();
  if (const char* bad = auth::check_user_field(user)) {
    err << "sipactor user add: " << bad << '\n';
    return 2;
  }
  if (const char* bad = auth::check_realm_field(*o.realm)) {
    err << "sipactor user add: " << bad << '\n';
    return 2;
  }
  if (o.password.has_value() == o.password_stdin) {
    err << "sipactor user add: give one of --password PW or --password-stdin\n";
    return 2;
  }
  std::string password;
  if (o.password) {
    password = *o.password;
  } else if (!std::getline(in, password)) {
    err << "sipactor user add: no password on standard input\n";
    return 2;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    err << "sipactor user add: empty password\n";
    return 2;
  }

  std::string text, error;
  auto status = auth::read_text_file(o.file, text, error);
  if (status == auth::read_status::failed) {
    err << "sipactor user add: " << error << '\n';
    return 1;
  }
  if (status == auth::read_status::missing) text.clear();  // a new file
  report_bad_lines(auth::read_users(text, o.file), err, "kept as it is");
  auto record = auth::hash_password(user, *o.realm, password);
  bool replaced = false;
  std::string updated = auth::upsert_user_line(text, record, replaced);
  if (!auth::write_text_file_atomically(o.file, updated, error)) {
    err << "sipactor user add: " << error << '\n';
    return 1;
  }
  out << (replaced ? "replaced " : "added ") << user << " in realm " << *o.realm << " in " << o.file << '\n';
  return 0;
}

int list_users(const options& o, std::ostream& out, std::ostream& err) {
  if (!o.positional.empty() || o.password || o.password_stdin) {
    err << "sipactor user list: unexpected arguments\n" << usage_text;
    return 2;
  }
  auth::users_file file = auth::load_users_file(o.file);
  if (!file.read_error.empty()) {
    err << "sipactor user list: " << file.read_error << '\n';
    return 1;
  }
  report_bad_lines(file, err, "skipped");
  for (const auto& c : file.users.entries()) {
    if (o.realm && c.realm != *o.realm) continue;
    out << c.user << ' ' << c.realm;
    if (!c.ha1_sha256.empty()) out << ' ' << auth::algorithm_name(auth::digest_algorithm::sha256);
    if (!c.ha1_md5.empty()) out << ' ' << auth::algorithm_name(auth::digest_algorithm::md5);
    out << '\n';
  }
  return file.errors.empty() ? 0 : 1;
}

}  // namespace

int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      out << usage_text;
      return 0;
    }
  }
  options o;
  if (auto problem = read_options(args, o)) {
    err << "sipactor user: " << *problem << '\n' << usage_text;
    return 2;
  }
  if (o.action == "add") return add_user(o, in, out, err);
  if (o.action == "list") return list_users(o, out, err);
  err << "sipactor user: unknown action '" << o.action << "'\n" << usage_text;
  return 2;
}

}  // namespace sipactor::apps
