// The users file: Digest credentials as HA1 values, never passwords (RFC 2617 §4.13).
//
// Format, one user a line, fields separated by spaces or tabs:
//   # comment (a line whose first non-blank character is '#'); blank lines are ignored
//   USER REALM HA1-MD5 HA1-SHA256
// USER and REALM are the Digest username and realm, exactly as clients send them (no blanks, no
// control characters, USER not starting with '#'). HA1-MD5 is MD5(USER:REALM:password) in 32 hex
// digits, HA1-SHA256 is SHA-256(USER:REALM:password) in 64 (RFC 7616 §3.4.2); "-" stands for one
// that is not known (at least one must be given). A (USER, REALM) pair appears once.
// `sipactor user add` writes such lines; Kamailio's ha1 column or `htdigest`-style MD5 values can
// be pasted in with "-" for SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/auth_credentials.hpp"

namespace sipactor::auth {

class user_table : public credential_store {
 public:
  // Adds the record, or replaces the one for the same user and realm; true when it replaced.
  bool put(user_credentials c);
  const user_credentials* find(std::string_view user, std::string_view realm) const;
  std::optional<std::string> find_ha1(std::string_view user, std::string_view realm,
                                      digest_algorithm algorithm) const override;
  // In the order they were first put (file order).
  const std::vector<user_credentials>& entries() const noexcept { return entries_; }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::vector<user_credentials> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // realm '\n' user -> entries_ position
};

struct users_file_error {
  std::string file;
  std::size_t line = 0;
  std::string reason;
  std::string to_string() const;  // "file:line: reason"
};

struct users_file {
  user_table users;
  std::vector<users_file_error> errors;  // bad lines, which were skipped
  std::string read_error;                // set when the file could not be read at all
  bool ok() const noexcept { return read_error.empty() && errors.empty(); }
};

// Reads users file text; `file_name` only labels the errors.
users_file read_users(std::string_view text, std::string_view file_name);
users_file load_users_file(const std::string& path);

// nullptr when `field` can be the USER (REALM) of a line, else why not.
const char* check_user_field(std::string_view field) noexcept;
const char* check_realm_field(std::string_view field) noexcept;
// "USER REALM HA1-MD5 HA1-SHA256" ("-" for an empty HA1), without the newline.
std::string format_user_line(const user_credentials& c);
// The file text with the line of (c.user, c.realm) replaced by format_user_line(c), or the line
// appended; comments, blank lines, other users and even bad lines stay as they were. Later
// duplicates of the pair are removed. `replaced` tells which happened.
std::string upsert_user_line(std::string_view text, const user_credentials& c, bool& replaced);

// The whole file into `out`; otherwise the reason in `error`.
enum class read_status : std::uint8_t { ok, missing, failed };
read_status read_text_file(const std::string& path, std::string& out, std::string& error);
// Replaces the file atomically: a temporary file in the same directory, fsync, rename. Keeps
// an existing file's mode; a new one gets 0600 (HA1 values are password-equivalent).
bool write_text_file_atomically(const std::string& path, std::string_view text, std::string& error);

}  // namespace sipactor::auth
