// Fast paths of the views parse_message fills (see fast_views.hpp): the grammar of RFC 3261 §25.1
// for the forms peers send every day, read run by run with the class bitmaps. Whatever they do
// not recognise goes to the full parser, which owns the error reasons.
#include "messages/fast_views.hpp"

#include <cstring>

#include "messages/header_table.hpp"
#include "messages/host_syntax.hpp"
#include "messages/text.hpp"

namespace sipactor::detail {

namespace {

inline std::string_view span(const char* s, std::size_t b, std::size_t e) noexcept { return {s + b, e - b}; }

inline std::size_t skip_lws(const char* s, std::size_t i, std::size_t e) noexcept {
  while (i < e && text::is_lws(s[i])) ++i;
  return i;
}

inline std::size_t trim_right(const char* s, std::size_t b, std::size_t e) noexcept {
  while (e > b && text::is_lws(s[e - 1])) --e;
  return e;
}

// Up to 5 digits, 1..65535 (or 0..65535 when zero_ok), and no sixth digit. The digits are
// counted on the digit bitmap, so the loop below has no test per octet.
inline bool read_port(const mask_bits m, std::size_t& i, std::size_t e, bool zero_ok, std::uint16_t& out) noexcept {
  // No digit at all: the bitmap is not read, since at the end of the text there may be no block
  // of bits for position i (fuzz-regressions/uri-port-at-end-of-last-block.bin).
  if (SIPACTOR_UNLIKELY(i >= e)) return false;
  const std::size_t limit = e - i < 6 ? e - i : 6;  // a sixth digit fails
  const std::uint32_t digits = m.bits16(sc_digit, i, limit) & ((1u << limit) - 1);
  const unsigned k = static_cast<unsigned>(__builtin_ctz(~digits));
  if (SIPACTOR_UNLIKELY(k - 1 > 4)) return false;  // none, or a sixth
  const auto* d = reinterpret_cast<const unsigned char*>(m.data() + i);
  unsigned value;
  if (SIPACTOR_LIKELY(k == 4)) {  // 5060, 5061, 5080: one expression instead of a loop
    value = d[0] * 1000u + d[1] * 100u + d[2] * 10u + d[3] - '0' * 1111u;
  } else {
    value = 0;
    for (unsigned j = 0; j < k; ++j) value = value * 10 + (d[j] - '0');
  }
  if (SIPACTOR_UNLIKELY(value > 65535 || (value == 0 && !zero_ok))) return false;
  out = static_cast<std::uint16_t>(value);
  i += k;
  return true;
}

// Case-insensitive equality with a lower-case literal of 2 to 8 letters: among all octets, OR-ing
// 0x20 gives a lower-case letter exactly for that letter and its upper case (text::iequals). The
// name is compared as two overlapping words, each OR 0x20202020 (header_table.hpp's load_folded),
// not octet by octet.
template <std::size_t N>
inline bool equals_letters(std::string_view s, const char (&lower)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 2 && n <= 8, "equals_letters compares 2 to 8 letters");
  if (s.size() != n) return false;
  const char* p = s.data();
  if constexpr (n == 8) {
    return load_folded<std::uint64_t>(p) == fold_le(lower, 8);
  } else if constexpr (n >= 4) {
    return ((load_folded<std::uint32_t>(p) ^ fold_le(lower, 4)) |
            (load_folded<std::uint32_t>(p + n - 4) ^ fold_le(lower + n - 4, 4))) == 0;
  } else {
    return ((load_folded<std::uint16_t>(p) ^ fold_le(lower, 2)) |
            (load_folded<std::uint16_t>(p + n - 2) ^ fold_le(lower + n - 2, 2))) == 0;
  }
}

// The shapes of an IPv4address (1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT): the bits of its
// three dots over its n octets, plus bit n for the length. There are 81, each in its own slot of a
// perfect hash of one multiply (checked at compile time); empty slots hold 0, never a shape.
struct ipv4_shape_table {
  std::uint16_t slot[256]{};
  bool collision = false;
  static constexpr unsigned hash(std::uint32_t shape) noexcept {
    return static_cast<unsigned>((shape * 0x7c683add8a9f1fffull) >> 56);
  }
  constexpr ipv4_shape_table() {
    for (unsigned a = 1; a <= 3; ++a)
      for (unsigned b = 1; b <= 3; ++b)
        for (unsigned c = 1; c <= 3; ++c)
          for (unsigned d = 1; d <= 3; ++d) {
            const unsigned shape = 1u << a | 1u << (a + 1 + b) | 1u << (a + b + c + 2) | 1u << (a + b + c + d + 3);
            std::uint16_t& s = slot[hash(shape)];
            collision |= s != 0;
            s = static_cast<std::uint16_t>(shape);
          }
  }
};
constexpr ipv4_shape_table ipv4_shapes{};
static_assert(!ipv4_shapes.collision, "two IPv4 shapes share a slot: choose another multiplier");

// IPv4address, each group at most 255 (what valid_ipv4() accepts), from the digit and dot bitmaps
// of the n octets at b: the shape is one table look-up, and only three-digit groups read octets.
// Not inlined: one copy for the URI and Via parsers measured 2-3.5% faster on the SIPp INVITE
// (five IPv4 hosts) than a copy in each (bench/RESULTS.md, session 12).
__attribute__((noinline)) bool ipv4_at(const mask_bits m, std::size_t b, std::size_t n) noexcept {
  if (SIPACTOR_UNLIKELY(n - 7 > 15 - 7)) return false;  // 7 to 15 octets
  const std::uint32_t all = (1u << n) - 1;
  const std::uint32_t digits = m.bits16(sc_digit, b, n) & all;
  const std::uint32_t dots = m.bits16(sc_dot, b, n) & all;
  const std::uint32_t shape = dots | (all + 1);
  if (SIPACTOR_UNLIKELY((digits | dots) != all || ipv4_shapes.slot[ipv4_shape_table::hash(shape)] != shape)) return false;
  // three-digit groups: at most "255"
  const char* s = m.data() + b;
  for (std::uint32_t three = digits & (digits >> 1) & (digits >> 2); three != 0; three &= three - 1) {
    const char* g = s + lowest_set_bit(three);
    if (SIPACTOR_UNLIKELY(g[0] > '2' || (g[0] == '2' && (g[1] > '5' || (g[1] == '5' && g[2] > '5'))))) return false;
  }
  return true;
}

// hostname = *( domainlabel "." ) toplabel [ "." ] (§25.1), as valid_hostname() decides it, for
// the n octets at b, all host characters (alphanum "-" "." "_"). Each rule is one test on the dot
// and dash bitmaps of the name instead of a test per octet: no label is empty (no dot at a
// label's start), no label starts or ends with "-", and the last label starts with a letter (an
// empty last label, "a..", would start at the final "." and fails there). Names longer than a
// word (64 octets) take the loop.
inline bool hostname_at(const mask_bits m, std::size_t b, std::size_t n) noexcept {
  const char* s = m.data() + b;
  std::size_t k = n;
  if (k != 0 && s[k - 1] == '.') --k;  // the final "."
  if (SIPACTOR_UNLIKELY(k - 1 >= 64)) return valid_hostname({s, n});  // nothing left, or long
  const std::uint64_t all = ~std::uint64_t{0} >> (64 - k);
  const std::uint64_t dots = m.bits64(sc_dot, b, k) & all;
  const std::uint64_t dashes = m.bits64(sc_dash, b, k) & all;
  const std::uint64_t starts = ((dots << 1) | 1) & all;  // the first octet of each label
  const std::uint64_t ends = (dots >> 1) | (all ^ (all >> 1));  // the last octet of each label
  if (SIPACTOR_UNLIKELY(((dots & starts) | (dashes & (starts | ends))) != 0)) return false;
  const std::size_t top = dots == 0 ? 0 : static_cast<std::size_t>(64 - __builtin_clzll(dots));
  return text::is_alpha(s[top]);
}

// hostname or IPv4address (no IPv6 reference), as classify_host() accepts it.
inline bool host_ok(const mask_bits m, std::size_t b, std::size_t e) noexcept {
  if (SIPACTOR_UNLIKELY(e == b)) return false;
  return ipv4_at(m, b, e - b) || hostname_at(m, b, e - b);
}

// The names of the parameters read so far in one list, for §7.3.1 "any given parameter-name
// MUST NOT appear more than once". Lists longer than this go to the full parser.
struct seen_names {
  static constexpr int capacity = 8;
  struct name_ref {
    const char* data;
    std::size_t size;
  };
  name_ref names[capacity];  // left uninitialised: only names[0, count) are read
  int count = 0;
  // false when the name repeats or the list is too long for the fast path
  bool add(std::string_view n) noexcept {
    for (int i = 0; i < count; ++i)
      if (SIPACTOR_UNLIKELY(text::iequals({names[i].data, names[i].size}, n))) return false;
    if (SIPACTOR_UNLIKELY(count == capacity)) return false;
    names[count++] = {n.data(), n.size()};
    return true;
  }
};

// The end of the quoted-string opening at s[k] == '"' (just after its closing quote), as
// text::skip_quoted finds it: a backslash takes the next octet literally. false when it is not
// closed before e.
inline bool skip_quoted(const mask_bits m, std::size_t k, std::size_t e, std::size_t& end) noexcept {
  std::size_t q = k + 1;
  for (;;) {
    q = m.find(sc_quote, q, e);
    if (q >= e) return false;
    if (m.data()[q] == '"') break;
    q += 2;  // quoted-pair
  }
  end = q + 1;
  return true;
}

// generic-param at s[i] == ';' as detail::read_param reads it: SEMI name [EQUAL value] and the
// LWS after it.
// LWS may stand around ";" and "=" (SEMI, EQUAL), but hardly ever does: each run is scanned first,
// and the LWS skipped only when the run comes out empty or the "=" is not where the name ends.
__attribute__((always_inline)) inline bool read_generic_param(const mask_bits m, std::size_t& i, std::size_t e, param& p) noexcept {
  const char* s = m.data();
  std::size_t k = i + 1;
  std::size_t name_end = m.skip(sc_gparam, k, e);
  if (SIPACTOR_UNLIKELY(name_end == k)) {
    k = skip_lws(s, k, e);
    name_end = m.skip(sc_gparam, k, e);
    if (name_end == k) return false;
  }
  p.name = span(s, k, name_end);
  k = name_end < e && s[name_end] == '=' ? name_end : skip_lws(s, name_end, e);
  if (k < e && s[k] == '=') {
    ++k;
    std::size_t value_end = m.skip(sc_gparam, k, e);
    if (SIPACTOR_UNLIKELY(value_end == k)) {  // LWS, a quoted-string, or nothing
      k = skip_lws(s, k, e);
      if (k < e && s[k] == '"') {
        if (!skip_quoted(m, k, e, value_end)) return false;
      } else {
        value_end = m.skip(sc_gparam, k, e);
        if (value_end == k) return false;
      }
    }
    p.value = span(s, k, value_end);
    p.has_value = true;
    k = skip_lws(s, value_end, e);
  }
  i = k;
  return true;
}

// SIP-URI / SIPS-URI (§25.1) = scheme ":" [ userinfo "@" ] hostport uri-parameters [ headers ]
bool sip_uri_at(const mask_bits m, std::size_t b, std::size_t e, std::size_t& stop, uri& u) noexcept {
  const char* s = m.data();
  if (SIPACTOR_UNLIKELY(e - b < 5)) return false;
  // The scheme in one load: "sip" in any case, then ':' exactly (0x1a | 0x20 is ':' too), or "sips".
  std::uint32_t head;
  std::memcpy(&head, s + b, 4);
  std::size_t r;  // the rest, after "sip:"
  if (SIPACTOR_LIKELY((head | 0x00202020u) == fold_le("sip:", 4))) {
    u.scheme = uri_scheme::sip;
    r = b + 4;
  } else if ((head | 0x20202020u) == fold_le("sips", 4) && s[b + 4] == ':') {
    u.scheme = uri_scheme::sips;
    r = b + 5;
  } else {
    return false;
  }
  if (SIPACTOR_UNLIKELY(r >= e)) return false;
  // userinfo: user characters up to '@' (or ':' password '@'); without the '@' there is none and
  // the host starts at r. An '@' further on stops every later scan, so the URI cannot end where
  // its context says and the full parser reports it.
  std::size_t i = m.skip(sc_user, r, e);
  const std::size_t user_end = i;
  if (i < e && SIPACTOR_UNLIKELY(s[i] == ':')) i = m.skip(sc_password, i + 1, e);
  if (i < e && s[i] == '@') {
    if (SIPACTOR_UNLIKELY(user_end == r)) return false;
    u.user = span(s, r, user_end);
    if (SIPACTOR_UNLIKELY(user_end < i)) {
      u.password = span(s, user_end + 1, i);
      u.has_password = true;
    }
    u.has_userinfo = true;
    ++i;
  } else {
    i = r;
  }
  if (i < e && SIPACTOR_UNLIKELY(s[i] == '[')) return false;  // IPv6 reference
  const std::size_t host_end = m.skip(sc_host, i, e);
  u.host = span(s, i, host_end);
  if (SIPACTOR_UNLIKELY(host_end == i)) return false;
  // The full parser reads a host of digits and dots as IPv4 and anything else as a name.
  if (text::is_digit(s[i])) {
    if (SIPACTOR_UNLIKELY(!ipv4_at(m, i, host_end - i))) return false;
    u.host_type = host_kind::ipv4;
  } else {
    if (SIPACTOR_UNLIKELY(!hostname_at(m, i, host_end - i))) return false;
    u.host_type = host_kind::name;
  }
  i = host_end;
  if (i < e && s[i] == ':') {
    ++i;
    if (SIPACTOR_UNLIKELY(!read_port(m, i, e, false, u.port))) return false;
  }
  if (i < e && s[i] == ';') {
    // uri-parameters = *( ";" pname [ "=" pvalue ] ); no escapes here, so names compare as text.
    const std::size_t params_start = i;
    seen_names names;
    while (i < e && s[i] == ';') {
      const std::size_t name_end = m.skip(sc_param, i + 1, e);
      if (SIPACTOR_UNLIKELY(name_end == i + 1 || !names.add(span(s, i + 1, name_end)))) return false;
      i = name_end;
      if (i < e && s[i] == '=') {
        const std::size_t value_end = m.skip(sc_param, i + 1, e);
        if (SIPACTOR_UNLIKELY(value_end == i + 1)) return false;
        i = value_end;
      }
    }
    u.params = span(s, params_start, i);
  }
  if (i < e && SIPACTOR_UNLIKELY(s[i] == '?' || s[i] == '%')) return false;  // headers or escapes
  u.text = span(s, b, i);
  stop = i;
  return true;
}

}  // namespace

bool fast_sip_uri(const char_masks& masks, std::size_t b, std::size_t e, std::size_t& stop, uri& u) noexcept {
  return sip_uri_at(masks.bits(), b, e, stop, u);
}

// via-parm = sent-protocol LWS sent-by *( SEMI via-params ) (§20.42);
// sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS.
bool fast_via(const char_masks& masks, std::size_t e, std::size_t& pos, via& v) noexcept {
  const mask_bits m = masks.bits();
  const char* s = m.data();
  std::size_t i = skip_lws(s, pos, e);
  const std::size_t start = i;
  if (SIPACTOR_LIKELY(e - i >= 8 && std::memcmp(s + i, "SIP/2.0/", 8) == 0)) {
    i += 8;  // as nearly everyone writes it
  } else {
    const std::size_t name_end = m.skip(sc_token, i, e);
    if (name_end - i != 3 || !text::iequals({s + i, 3}, "SIP")) return false;
    i = skip_lws(s, name_end, e);
    if (i >= e || s[i] != '/') return false;
    i = skip_lws(s, i + 1, e);
    const std::size_t version_end = m.skip(sc_token, i, e);
    if (version_end - i != 3 || std::memcmp(s + i, "2.0", 3) != 0) return false;
    i = skip_lws(s, version_end, e);
    if (i >= e || s[i] != '/') return false;
    i = skip_lws(s, i + 1, e);
  }
  const std::size_t transport_end = m.skip(sc_token, i, e);
  if (SIPACTOR_UNLIKELY(transport_end == i)) return false;
  v.transport = span(s, i, transport_end);
  i = skip_lws(s, transport_end, e);
  if (SIPACTOR_UNLIKELY(i == transport_end || i >= e || s[i] == '[')) return false;
  const std::size_t host_end = m.skip(sc_host, i, e);
  v.host = span(s, i, host_end);
  if (SIPACTOR_UNLIKELY(!host_ok(m, i, host_end))) return false;
  i = skip_lws(s, host_end, e);
  if (i < e && s[i] == ':') {
    i = skip_lws(s, i + 1, e);
    if (SIPACTOR_UNLIKELY(!read_port(m, i, e, false, v.port))) return false;
    i = skip_lws(s, i, e);
  }
  const std::size_t params_start = i;
  seen_names names;
  while (i < e && s[i] == ';') {
    param p;
    if (SIPACTOR_UNLIKELY(!read_generic_param(m, i, e, p) || !names.add(p.name))) return false;
    if (equals_letters(p.name, "branch")) {
      if (SIPACTOR_UNLIKELY(!p.has_value)) return false;
      v.branch = p.value;
    } else if (equals_letters(p.name, "received")) {
      if (!p.has_value) return false;
      v.received = p.value;
    } else if (equals_letters(p.name, "maddr")) {
      v.maddr = p.value;
    } else if (equals_letters(p.name, "rport")) {
      // RFC 3581 §3: response-port = "rport" [EQUAL 1*DIGIT]
      v.rport = true;
      if (p.has_value) {
        std::uint64_t port = 0;
        if (!text::parse_decimal(p.value, 65535, port)) return false;
        v.rport_value = static_cast<std::uint16_t>(port);
      }
    }
  }
  if (SIPACTOR_UNLIKELY(i < e && s[i] != ',')) return false;
  const std::size_t end = trim_right(s, start, i);  // one trim for both: params_start is within
  v.params = span(s, params_start, end > params_start ? end : params_start);
  v.text = span(s, start, end);
  pos = i;
  return true;
}

// (name-addr / addr-spec) *( SEMI generic-param ); name-addr = [ display-name ] "<" addr-spec ">"
bool fast_name_addr(const char_masks& masks, std::size_t e, std::size_t& pos, name_addr& na) noexcept {
  const mask_bits m = masks.bits();
  const char* s = m.data();
  std::size_t i = skip_lws(s, pos, e);
  const std::size_t start = i;
  if (SIPACTOR_UNLIKELY(i >= e || s[i] == ',')) return false;
  if (s[i] == '"') {
    std::size_t end = 0;
    if (!skip_quoted(m, i, e, end)) return false;
    na.display_name = span(s, i, end);
    i = skip_lws(s, end, e);
    if (i >= e || s[i] != '<') return false;
  } else {
    const std::size_t j = m.skip(sc_display, i, e);
    if (j < e && s[j] == '<') {
      na.display_name = span(s, i, trim_right(s, i, j));
      i = j;
    }
  }
  std::size_t stop = 0;
  if (s[i] == '<') {
    // No URI octet is '>' or LWS: ending at '>' means the URI is all of <...>.
    if (SIPACTOR_UNLIKELY(!sip_uri_at(m, i + 1, e, stop, na.address) || stop >= e || s[stop] != '>')) return false;
    na.bracketed = true;
    i = stop + 1;
  } else {
    // addr-spec: the URI ends at the first ';', ',', '?' or LWS (§20: others need <>).
    const std::size_t j = m.find(sc_addr_end, i, e);
    if ((j < e && SIPACTOR_UNLIKELY(s[j] == '?')) || SIPACTOR_UNLIKELY(!sip_uri_at(m, i, j, stop, na.address) || stop != j))
      return false;
    i = j;
  }
  i = skip_lws(s, i, e);
  const std::size_t params_start = i;
  seen_names names;
  while (i < e && s[i] == ';') {
    param p;
    if (SIPACTOR_UNLIKELY(!read_generic_param(m, i, e, p) || !names.add(p.name))) return false;
    if (equals_letters(p.name, "tag")) {
      if (SIPACTOR_UNLIKELY(!p.has_value)) return false;
      na.tag_value = p.value;
    }
  }
  if (SIPACTOR_UNLIKELY(i < e && s[i] != ',')) return false;
  const std::size_t end = trim_right(s, start, i);  // one trim for both: params_start is within
  na.params = span(s, params_start, end > params_start ? end : params_start);
  na.text = span(s, start, end);
  pos = i;
  return true;
}

// callid = word [ "@" word ]
bool fast_call_id(const char_masks& masks, std::size_t b, std::size_t e) noexcept {
  const mask_bits m = masks.bits();
  const std::size_t a = m.skip(sc_word, b, e);
  if (SIPACTOR_UNLIKELY(a == b)) return false;
  if (a == e) return true;
  if (SIPACTOR_UNLIKELY(m.data()[a] != '@')) return false;
  const std::size_t c = m.skip(sc_word, a + 1, e);
  return c > a + 1 && c == e;
}

// CSeq = 1*DIGIT LWS Method
bool fast_cseq(const char_masks& masks, std::size_t b, std::size_t e, cseq_value& out) noexcept {
  const mask_bits m = masks.bits();
  const char* s = m.data();
  std::size_t i = b;
  std::uint64_t number = 0;
  while (i < e && i - b < 10 && static_cast<unsigned>(s[i] - '0') <= 9) number = number * 10 + static_cast<unsigned>(s[i++] - '0');
  if (SIPACTOR_UNLIKELY(i == b || number > 0xffffffffu || i >= e || !text::is_lws(s[i]))) return false;
  const std::size_t method = skip_lws(s, i, e);
  if (SIPACTOR_UNLIKELY(method == e || m.skip(sc_token, method, e) != e)) return false;
  out.number = static_cast<std::uint32_t>(number);
  out.method = span(s, method, e);
  return true;
}

// media-type = m-type SLASH m-subtype, without parameters
bool fast_media_type(const char_masks& masks, std::size_t b, std::size_t e) noexcept {
  const mask_bits m = masks.bits();
  const std::size_t slash = m.skip(sc_token, b, e);
  if (SIPACTOR_UNLIKELY(slash == b || slash >= e || m.data()[slash] != '/')) return false;
  const std::size_t end = m.skip(sc_token, slash + 1, e);
  return end > slash + 1 && end == e;
}

}  // namespace sipactor::detail
