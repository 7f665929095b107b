// Scalar and list header values: CSeq (§20.16), delta-seconds (§20.19), token lists (§20.5,
// §20.37, §20.32, §20.29, §20.40), Content-Type (§20.15), Date (§20.17), Retry-After (§20.33),
// Timestamp (§20.38).
#include <cstdio>
#include <limits>

#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {
constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();

std::size_t skip_digits(std::string_view s, std::size_t pos) {
  while (pos < s.size() && text::is_digit(s[pos])) ++pos;
  return pos;
}
}  // namespace

expected<cseq_value> parse_cseq(std::string_view value) {
  std::string_view v = text::trim(value);
  std::size_t end = skip_digits(v, 0);
  if (end == 0) return failure{"CSeq number missing"};
  // §8.1.1.5: the sequence number MUST be expressible as a 32-bit unsigned integer.
  auto number = text::parse_decimal(v.substr(0, end), u32_max);
  if (!number) return failure{"CSeq number exceeds 2^32-1"};
  std::string_view method = text::trim(v.substr(end));
  if (method.size() == v.size() - end) return failure{"CSeq method not separated by whitespace"};
  if (!text::is_token(method)) return failure{"CSeq method is not a token"};
  return cseq_value{static_cast<std::uint32_t>(*number), method};
}

expected<std::uint32_t> parse_delta_seconds(std::string_view value) {
  std::string_view v = text::trim(value);
  if (v.empty() || !text::all_of(v, text::digit)) return failure{"delta-seconds is not a number"};
  auto n = text::parse_decimal(v, std::numeric_limits<std::uint64_t>::max());
  if (!n || *n > u32_max) return static_cast<std::uint32_t>(u32_max);
  return static_cast<std::uint32_t>(*n);
}

const char* parse_token_list(std::string_view value, std::vector<std::string_view>& out) {
  const char* reason = nullptr;
  text::for_each_element(value, [&](std::string_view element) {
    if (element.empty()) return true;  // "Supported:" may be empty
    if (!text::is_token(element)) {
      reason = "list element is not a token";
      return false;
    }
    out.push_back(element);
    return true;
  });
  return reason;
}

bool media_type::is(std::string_view t, std::string_view s) const {
  return text::iequals(type, t) && text::iequals(subtype, s);
}

expected<media_type> parse_media_type(std::string_view value) {
  std::string_view v = text::trim(value);
  media_type m;
  std::size_t slash = v.find('/');
  if (slash == std::string_view::npos) return failure{"media type without '/'"};
  m.type = text::trim(v.substr(0, slash));
  std::size_t semi = v.find(';', slash);
  m.subtype = text::trim(v.substr(slash + 1, semi == std::string_view::npos ? semi : semi - slash - 1));
  if (!text::is_token(m.type) || !text::is_token(m.subtype)) return failure{"malformed media type"};
  if (semi != std::string_view::npos) {
    m.params = v.substr(semi);
    if (const char* reason = validate_params(m.params)) return failure{reason};
  }
  return m;
}

namespace {
int month_number(std::string_view m) {
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == months[i]) return i + 1;
  return 0;
}
bool two_digits(std::string_view s, std::size_t pos, int& out) {
  if (pos + 2 > s.size() || !text::is_digit(s[pos]) || !text::is_digit(s[pos + 1])) return false;
  out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}
}  // namespace

// rfc1123-date = wkday "," SP date1 SP time SP "GMT"; e.g. "Sat, 13 Nov 2010 23:29:00 GMT"
expected<sip_date> parse_date(std::string_view value) {
  std::string_view v = text::trim(value);
  static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  if (v.size() != 29) {
    if (v.size() >= 26 && v.substr(26) != "GMT" && v[25] == ' ') return failure{"Date time zone must be GMT"};
    return failure{"malformed Date"};
  }
  bool day_ok = false;
  for (auto d : days) day_ok = day_ok || v.substr(0, 3) == d;
  sip_date d;
  int y1 = 0, y2 = 0;
  if (!day_ok || v.substr(3, 2) != ", " || !two_digits(v, 5, d.day) || v[7] != ' ' ||
      (d.month = month_number(v.substr(8, 3))) == 0 || v[11] != ' ' || !two_digits(v, 12, y1) ||
      !two_digits(v, 14, y2) || v[16] != ' ' || !two_digits(v, 17, d.hour) || v[19] != ':' ||
      !two_digits(v, 20, d.minute) || v[22] != ':' || !two_digits(v, 23, d.second) || v[25] != ' ')
    return failure{"malformed Date"};
  if (v.substr(26) != "GMT") return failure{"Date time zone must be GMT"};
  d.year = y1 * 100 + y2;
  if (d.day < 1 || d.day > 31 || d.hour > 23 || d.minute > 59 || d.second > 60)
    return failure{"Date field out of range"};
  return d;
}

std::int64_t sip_date::unix_time() const noexcept {
  // Days from civil (proleptic Gregorian), H. Hinnant's algorithm restated.
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int mp = (month + 9) % 12;
  int doy = (153 * mp + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

// Retry-After = delta-seconds [ comment ] *( SEMI retry-param )
expected<retry_after_value> parse_retry_after(std::string_view value) {
  std::string_view v = text::trim(value);
  retry_after_value r;
  std::size_t end = skip_digits(v, 0);
  auto seconds = parse_delta_seconds(v.substr(0, end));
  if (!seconds) return seconds.error();
  r.seconds = *seconds;
  std::size_t pos = end;
  while (pos < v.size() && text::is_lws(v[pos])) ++pos;
  if (pos < v.size() && v[pos] == '(') {
    int depth = 0;
    std::size_t start = pos;
    for (; pos < v.size(); ++pos) {
      if (v[pos] == '\\') { ++pos; continue; }
      if (v[pos] == '(') ++depth;
      if (v[pos] == ')' && --depth == 0) break;
    }
    if (pos >= v.size()) return failure{"unterminated comment in Retry-After"};
    r.comment = v.substr(start, pos + 1 - start);
    ++pos;
  }
  r.params = text::trim(v.substr(pos));
  if (!r.params.empty() && r.params[0] != ';') return failure{"unexpected text in Retry-After"};
  if (const char* reason = validate_params(r.params)) return failure{reason};
  if (auto d = find_param(r.params, "duration")) {
    auto duration = parse_delta_seconds(*d);
    if (!duration) return failure{"invalid Retry-After duration"};
    r.duration = *duration;
  }
  return r;
}

// Timestamp = 1*(DIGIT) [ "." *(DIGIT) ] [ LWS delay ]
expected<timestamp_value> parse_timestamp(std::string_view value) {
  std::string_view v = text::trim(value);
  auto number_end = [&](std::size_t pos) {
    std::size_t end = skip_digits(v, pos);
    if (end < v.size() && v[end] == '.') end = skip_digits(v, end + 1);
    return end;
  };
  std::size_t end = number_end(0);
  if (end == 0 || !text::is_digit(v[0])) return failure{"malformed Timestamp"};
  timestamp_value t;
  t.value = v.substr(0, end);
  std::string_view rest = text::trim(v.substr(end));
  if (!rest.empty()) {
    std::size_t delay_pos = v.size() - rest.size();
    if (!text::is_lws(v[end]) || !text::is_digit(v[delay_pos]) || number_end(delay_pos) != v.size())
      return failure{"malformed Timestamp delay"};
    t.delay = rest;
  }
  return t;
}

}  // namespace sipactor
