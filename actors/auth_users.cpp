#include "actors/auth_users.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor::auth {

namespace {

std::string table_key(std::string_view user, std::string_view realm) {
  std::string key;
  key.reserve(realm.size() + 1 + user.size());
  key.append(realm).append("\n").append(user);
  return key;
}

bool is_control(char c) noexcept { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Blank-separated fields of one line; a comment or blank line has none.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && text::is_lws(line[i])) ++i;
    if (i == line.size()) break;
    if (fields.empty() && line[i] == '#') break;
    std::size_t start = i;
    while (i < line.size() && !text::is_lws(line[i])) ++i;
    fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

// Calls f(line) for each line, without its "\n" or "\r\n"; the last line may lack a newline.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// "-" or `digits` hex digits, lower-cased into `out`; nullptr or why not.
const char* read_ha1(std::string_view field, std::size_t digits, std::string& out, const char* wrong) {
  out.clear();
  if (field == "-") return nullptr;
  if (field.size() != digits) return wrong;
  for (char c : field) {
    if (!text::is_hex(c)) return wrong;
    out += text::to_lower(c);
  }
  return nullptr;
}

const char* read_line(const std::vector<std::string_view>& fields, user_credentials& c) {
  if (fields.size() != 4) return "expected 4 fields: USER REALM HA1-MD5 HA1-SHA256";
  if (const char* bad = check_user_field(fields[0])) return bad;
  if (const char* bad = check_realm_field(fields[1])) return bad;
  if (const char* bad = read_ha1(fields[2], 32, c.ha1_md5, "HA1-MD5 is not 32 hex digits or \"-\"")) return bad;
  if (const char* bad = read_ha1(fields[3], 64, c.ha1_sha256, "HA1-SHA256 is not 64 hex digits or \"-\"")) return bad;
  if (c.ha1_md5.empty() && c.ha1_sha256.empty()) return "neither HA1 given";
  c.user = std::string(fields[0]);
  c.realm = std::string(fields[1]);
  return nullptr;
}

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

bool user_table::put(user_credentials c) {
  std::string key = table_key(c.user, c.realm);
  auto found = index_.find(key);
  if (found != index_.end()) {
    entries_[found->second] = std::move(c);
    return true;
  }
  index_.emplace(std::move(key), entries_.size());
  entries_.push_back(std::move(c));
  return false;
}

const user_credentials* user_table::find(std::string_view user, std::string_view realm) const {
  if (realm.find('\n') != std::string_view::npos) return nullptr;  // keeps table_key unambiguous
  auto found = index_.find(table_key(user, realm));
  return found == index_.end() ? nullptr : &entries_[found->second];
}

std::optional<std::string> user_table::find_ha1(std::string_view user, std::string_view realm,
                                                digest_algorithm algorithm) const {
  const user_credentials* c = find(user, realm);
  if (c == nullptr || c->ha1(algorithm).empty()) return std::nullopt;
  return c->ha1(algorithm);
}

std::string users_file_error::to_string() const { return file + ":" + std::to_string(line) + ": " + reason; }

users_file read_users(std::string_view text, std::string_view file_name) {
  users_file out;
  std::unordered_map<std::string, std::size_t> first_line;
  std::size_t number = 0;
  for_each_line(text, [&](std::string_view line) {
    ++number;
    auto fields = fields_of(line);
    if (fields.empty()) return;
    user_credentials c;
    if (const char* reason = read_line(fields, c)) {
      out.errors.push_back({std::string(file_name), number, reason});
      return;
    }
    auto [seen, fresh] = first_line.emplace(table_key(c.user, c.realm), number);
    if (!fresh) {
      out.errors.push_back({std::string(file_name), number,
                            "duplicate of line " + std::to_string(seen->second) + " (ignored)"});
      return;
    }
    out.users.put(std::move(c));
  });
  return out;
}

users_file load_users_file(const std::string& path) {
  std::string text, error;
  if (read_text_file(path, text, error) != read_status::ok) {
    users_file out;
    out.read_error = error;
    return out;
  }
  return read_users(text, path);
}

const char* check_user_field(std::string_view field) noexcept {
  if (field.empty()) return "empty user";
  if (field.front() == '#') return "user starts with '#'";
  for (char c : field)
    if (text::is_lws(c) || is_control(c)) return "blank or control character in user";
  return nullptr;
}

const char* check_realm_field(std::string_view field) noexcept {
  if (field.empty()) return "empty realm";
  for (char c : field)
    if (text::is_lws(c) || is_control(c)) return "blank or control character in realm";
  return nullptr;
}

std::string format_user_line(const user_credentials& c) {
  std::string line = c.user;
  line += ' ';
  line += c.realm;
  line += ' ';
  line += c.ha1_md5.empty() ? std::string("-") : c.ha1_md5;
  line += ' ';
  line += c.ha1_sha256.empty() ? std::string("-") : c.ha1_sha256;
  return line;
}

std::string upsert_user_line(std::string_view text, const user_credentials& c, bool& replaced) {
  std::string out;
  out.reserve(text.size() + 128);
  replaced = false;
  for_each_line(text, [&](std::string_view line) {
    auto fields = fields_of(line);
    if (fields.size() >= 2 && fields[0] == c.user && fields[1] == c.realm) {
      if (replaced) return;  // a later duplicate
      replaced = true;
      out += format_user_line(c);
    } else {
      out += line;
    }
    out += '\n';
  });
  if (!replaced) {
    if (out.empty()) out = "# sipactor users: USER REALM HA1-MD5 HA1-SHA256 (actors/auth_users.hpp)\n";
    out += format_user_line(c);
    out += '\n';
  }
  return out;
}

read_status read_text_file(const std::string& path, std::string& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    read_status status = errno == ENOENT ? read_status::missing : read_status::failed;
    error = errno_text("cannot open", path);
    return status;
  }
  out.clear();
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      error = errno_text("cannot read", path);
      ::close(fd);
      return read_status::failed;
    }
  }
  ::close(fd);
  return read_status::ok;
}

bool write_text_file_atomically(const std::string& path, std::string_view text, std::string& error) {
  mode_t mode = S_IRUSR | S_IWUSR;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0) mode = existing.st_mode & 07777;
  std::string temporary = path + ".tmp-" + random_token(8);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    error = errno_text("cannot create", temporary);
    return false;
  }
  ::fchmod(fd, mode);  // the umask must not widen or narrow what the file had
  std::size_t written = 0;
  bool ok = true;
  while (ok && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n > 0) written += static_cast<std::size_t>(n);
    else if (n < 0 && errno != EINTR) ok = false;
  }
  if (!ok) error = errno_text("cannot write", temporary);
  if (ok && ::fsync(fd) != 0) {
    error = errno_text("cannot sync", temporary);
    ok = false;
  }
  if (::close(fd) != 0 && ok) {
    error = errno_text("cannot close", temporary);
    ok = false;
  }
  if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
    error = errno_text("cannot replace", path);
    ok = false;
  }
  if (!ok) ::unlink(temporary.c_str());
  return ok;
}

}  // namespace sipactor::auth
