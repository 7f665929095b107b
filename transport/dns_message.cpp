#include "transport/dns_message.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "messages/text.hpp"

namespace sipactor::transport {

namespace {

// RFC 1035 §2.3.4
constexpr std::size_t max_label = 63;
constexpr std::size_t max_name_wire = 255;
constexpr std::size_t header_size = 12;
// The smallest question (root name, type, class) and resource record (root, type, class, TTL,
// RDLENGTH): what a count claims at least.
constexpr std::size_t min_question = 1 + 4;
constexpr std::size_t min_record = 1 + 10;

// --- encoding ------------------------------------------------------------------------------------

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

// RFC 1035 §3.1: labels with their length octets, ending with the root's zero octet. Reads the
// escapes decoding writes (§5.1: \X and \DDD), so decoded names encode to the same octets.
const char* put_name(std::string& out, std::string_view name) {
  if (name == "." || name.empty()) {
    out.push_back('\0');
    return nullptr;
  }
  std::size_t wire = 1;  // the root octet
  std::string label;
  std::size_t i = 0;
  auto end_label = [&]() -> const char* {
    if (label.empty()) return "empty label in a domain name";
    if (label.size() > max_label) return "label longer than 63 octets in a domain name";
    wire += 1 + label.size();
    if (wire > max_name_wire) return "domain name longer than 255 octets";
    out.push_back(static_cast<char>(label.size()));
    out += label;
    label.clear();
    return nullptr;
  };
  while (i < name.size()) {
    char c = name[i];
    if (c == '.') {
      if (const char* e = end_label()) return e;
      ++i;
      if (i == name.size()) break;  // a trailing dot: the name is absolute anyway
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= name.size()) return "domain name ends with a backslash";
      if (text::is_digit(name[i + 1])) {
        if (i + 3 >= name.size() || !text::is_digit(name[i + 2]) || !text::is_digit(name[i + 3]))
          return "bad \\DDD escape in a domain name";
        int v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
        if (v > 255) return "bad \\DDD escape in a domain name";
        label.push_back(static_cast<char>(v));
        i += 4;
      } else {
        label.push_back(name[i + 1]);
        i += 2;
      }
      continue;
    }
    label.push_back(c);
    ++i;
  }
  if (!label.empty() || name.back() != '.')
    if (const char* e = end_label()) return e;
  out.push_back('\0');
  return nullptr;
}

void put_header(std::string& out, const dns_message& m, std::size_t answers, std::size_t additional) {
  put16(out, m.id);
  std::uint8_t b2 = static_cast<std::uint8_t>((m.is_response ? 0x80 : 0) | ((m.opcode & 0x0F) << 3) |
                                              (m.authoritative ? 0x04 : 0) | (m.truncated ? 0x02 : 0) |
                                              (m.recursion_desired ? 0x01 : 0));
  std::uint8_t b3 = static_cast<std::uint8_t>((m.recursion_available ? 0x80 : 0) | (m.rcode & 0x0F));
  out.push_back(static_cast<char>(b2));
  out.push_back(static_cast<char>(b3));
  put16(out, static_cast<std::uint16_t>(m.questions.size()));
  put16(out, static_cast<std::uint16_t>(answers));
  put16(out, 0);  // authority
  put16(out, static_cast<std::uint16_t>(additional));
}

// One resource record (RFC 1035 §4.1.3): `rdata` appends the data, whose length is patched in.
template <class WriteData>
const char* put_record(std::string& out, std::string_view owner, dns_type type, std::uint32_t ttl, WriteData&& rdata) {
  if (const char* e = put_name(out, owner)) return e;
  put16(out, static_cast<std::uint16_t>(type));
  put16(out, dns_class_in);
  put32(out, ttl);
  std::size_t length_at = out.size();
  put16(out, 0);
  if (const char* e = rdata()) return e;
  std::size_t length = out.size() - length_at - 2;
  if (length > 0xFFFF) return "record data longer than 65535 octets";
  out[length_at] = static_cast<char>(length >> 8);
  out[length_at + 1] = static_cast<char>(length & 0xFF);
  return nullptr;
}

const char* put_character_string(std::string& out, const std::string& s) {
  if (s.size() > 255) return "character-string longer than 255 octets";
  out.push_back(static_cast<char>(s.size()));
  out += s;
  return nullptr;
}

const char* put_records(std::string& out, const dns_records& section) {
  for (const dns_address_record& r : section.addresses) {
    const char* e = put_record(out, r.owner, r.ipv6 ? dns_type::aaaa : dns_type::a, r.ttl, [&]() -> const char* {
      unsigned char octets[16];
      if (inet_pton(r.ipv6 ? AF_INET6 : AF_INET, r.address.c_str(), octets) != 1)
        return "address record with an address that is not numeric";
      out.append(reinterpret_cast<const char*>(octets), r.ipv6 ? 16 : 4);
      return nullptr;
    });
    if (e) return e;
  }
  for (const dns_cname_record& r : section.cnames) {
    const char* e = put_record(out, r.owner, dns_type::cname, r.ttl, [&] { return put_name(out, r.canonical_name); });
    if (e) return e;
  }
  for (const dns_srv_record& r : section.srv) {
    const char* e = put_record(out, r.owner, dns_type::srv, r.ttl, [&] {
      put16(out, r.priority);
      put16(out, r.weight);
      put16(out, r.port);
      return put_name(out, r.target);
    });
    if (e) return e;
  }
  for (const dns_naptr_record& r : section.naptr) {
    const char* e = put_record(out, r.owner, dns_type::naptr, r.ttl, [&]() -> const char* {
      put16(out, r.order);
      put16(out, r.preference);
      for (const std::string* s : {&r.flags, &r.services, &r.regexp})
        if (const char* ce = put_character_string(out, *s)) return ce;
      return put_name(out, r.replacement);
    });
    if (e) return e;
  }
  return nullptr;
}

// --- decoding ------------------------------------------------------------------------------------

class reader {
 public:
  reader(const std::uint8_t* bytes, std::size_t size) : m_(bytes), size_(size) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t remaining() const noexcept { return size_ - pos_; }

  bool u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = m_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<std::uint16_t>((m_[pos_] << 8) | m_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    std::uint16_t hi = 0, lo = 0;
    if (remaining() < 4) return false;
    u16(hi);
    u16(lo);
    v = (static_cast<std::uint32_t>(hi) << 16) | lo;
    return true;
  }
  bool bytes(std::size_t n, std::string& out) {
    if (remaining() < n) return false;
    out.assign(reinterpret_cast<const char*>(m_ + pos_), n);
    pos_ += n;
    return true;
  }
  const std::uint8_t* here() const noexcept { return m_ + pos_; }
  void skip_to(std::size_t pos) noexcept { pos_ = pos; }

  // RFC 1035 §4.1.4: a name of labels and compression pointers. A pointer must point before the
  // start of the labels that led to it (where a name written earlier in the message begins), so
  // every jump goes strictly backward and a loop cannot happen; the name's 255-octet limit holds
  // across jumps as well.
  const char* name(std::string& out) {
    out.clear();
    std::size_t cursor = pos_;
    std::size_t segment_start = pos_;
    std::size_t wire = 0;
    bool jumped = false;
    for (;;) {
      if (cursor >= size_) return "domain name runs past the end of the message";
      std::uint8_t length = m_[cursor];
      if ((length & 0xC0) == 0xC0) {
        if (cursor + 1 >= size_) return "compression pointer runs past the end of the message";
        std::size_t target = (static_cast<std::size_t>(length & 0x3F) << 8) | m_[cursor + 1];
        if (target >= segment_start) return "compression pointer does not point backward (a loop)";
        if (!jumped) pos_ = cursor + 2;
        jumped = true;
        cursor = segment_start = target;
        continue;
      }
      if ((length & 0xC0) != 0) return "label longer than 63 octets (or an unsupported label type)";
      wire += 1u + length;
      if (wire > max_name_wire) return "domain name longer than 255 octets";
      if (length == 0) {
        if (!jumped) pos_ = cursor + 1;
        break;
      }
      if (length > size_ - cursor - 1) return "label runs past the end of the message";
      if (!out.empty()) out.push_back('.');
      append_label(out, m_ + cursor + 1, length);
      cursor += 1u + length;
    }
    if (out.empty()) out = ".";
    return nullptr;
  }

 private:
  // RFC 1035 §5.1 escapes for octets that would be ambiguous or unreadable in text.
  static void append_label(std::string& out, const std::uint8_t* label, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
      char c = static_cast<char>(label[i]);
      if (text::is_alnum(c) || c == '-' || c == '_' || c == '*') {
        out.push_back(c);
      } else if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else {
        char escape[5] = {'\\', static_cast<char>('0' + label[i] / 100), static_cast<char>('0' + label[i] / 10 % 10),
                          static_cast<char>('0' + label[i] % 10), '\0'};
        out += escape;
      }
    }
  }

  const std::uint8_t* m_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

const char* read_character_string(reader& r, std::size_t end, std::string& out) {
  std::uint8_t length = 0;
  if (r.pos() >= end || !r.u8(length)) return "character-string runs past its record data";
  if (length > end - r.pos()) return "character-string runs past its record data";
  r.bytes(length, out);
  return nullptr;
}

// A name inside record data must end inside that data (compressed or not).
const char* read_data_name(reader& r, std::size_t end, std::string& out) {
  if (const char* e = r.name(out)) return e;
  if (r.pos() > end) return "domain name runs past its record data";
  return nullptr;
}

// The record data of the types we keep (RFC 1035 §3.3, RFC 3596 §2.2, RFC 2782, RFC 3403 §4.1).
const char* read_record_data(reader& r, std::uint16_t type, std::string owner, std::uint32_t ttl, std::size_t end,
                             dns_records& into) {
  switch (static_cast<dns_type>(type)) {
    case dns_type::a:
    case dns_type::aaaa: {
      bool ipv6 = type == static_cast<std::uint16_t>(dns_type::aaaa);
      if (end - r.pos() != (ipv6 ? 16u : 4u)) return ipv6 ? "AAAA record data is not 16 octets" : "A record data is not 4 octets";
      char text[INET6_ADDRSTRLEN] = {};
      if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, r.here(), text, sizeof text)) return "address record not printable";
      into.addresses.push_back({std::move(owner), ttl, ipv6, text});
      r.skip_to(end);
      break;
    }
    case dns_type::cname: {
      dns_cname_record c{std::move(owner), ttl, {}};
      if (const char* e = read_data_name(r, end, c.canonical_name)) return e;
      into.cnames.push_back(std::move(c));
      break;
    }
    case dns_type::srv: {
      dns_srv_record s{std::move(owner), ttl, 0, 0, 0, {}};
      if (end - r.pos() < 7 || !r.u16(s.priority) || !r.u16(s.weight) || !r.u16(s.port))
        return "SRV record data too short";
      if (const char* e = read_data_name(r, end, s.target)) return e;
      into.srv.push_back(std::move(s));
      break;
    }
    case dns_type::naptr: {
      dns_naptr_record n;
      n.owner = std::move(owner);
      n.ttl = ttl;
      if (end - r.pos() < 4 || !r.u16(n.order) || !r.u16(n.preference)) return "NAPTR record data too short";
      for (std::string* s : {&n.flags, &n.services, &n.regexp})
        if (const char* e = read_character_string(r, end, *s)) return e;
      if (const char* e = read_data_name(r, end, n.replacement)) return e;
      into.naptr.push_back(std::move(n));
      break;
    }
    default:
      return nullptr;  // skipped by the caller
  }
  return nullptr;
}

bool kept_type(std::uint16_t type) {
  switch (static_cast<dns_type>(type)) {
    case dns_type::a:
    case dns_type::cname:
    case dns_type::aaaa:
    case dns_type::srv:
    case dns_type::naptr: return true;
  }
  return false;
}

// RFC 1035 §4.1.3; records of other types or classes are skipped, `into` may be null (authority).
const char* read_records(reader& r, std::uint16_t count, dns_records* into) {
  std::string owner;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (const char* e = r.name(owner)) return e;
    std::uint16_t type = 0, klass = 0, length = 0;
    std::uint32_t ttl = 0;
    if (!r.u16(type) || !r.u16(klass) || !r.u32(ttl) || !r.u16(length)) return "resource record runs past the end of the message";
    if (length > r.remaining()) return "record data runs past the end of the message";
    std::size_t end = r.pos() + length;
    if (ttl & 0x80000000u) ttl = 0;  // RFC 2181 §8
    if (into && klass == dns_class_in && kept_type(type)) {
      if (const char* e = read_record_data(r, type, owner, ttl, end, *into)) return e;
      if (r.pos() != end) return "record data longer than its fields";
    }
    r.skip_to(end);
  }
  return nullptr;
}

}  // namespace

std::string_view rcode_name(std::uint8_t rcode) noexcept {
  switch (rcode) {
    case dns_rcode::no_error: return "NOERROR";
    case dns_rcode::format_error: return "FORMERR";
    case dns_rcode::server_failure: return "SERVFAIL";
    case dns_rcode::name_error: return "NXDOMAIN";
    case dns_rcode::not_implemented: return "NOTIMP";
    case dns_rcode::refused: return "REFUSED";
    default: return "an unknown RCODE";
  }
}

expected<std::string> encode_dns_query(std::uint16_t id, std::string_view name, dns_type type) {
  dns_message m;
  m.id = id;
  m.recursion_desired = true;
  m.questions.push_back({std::string(name), type, dns_class_in});
  return encode_dns_message(m);
}

expected<std::string> encode_dns_message(const dns_message& m) {
  if (m.questions.size() > 0xFFFF || m.answers.size() > 0xFFFF || m.additional.size() > 0xFFFF)
    return failure{"too many records for one message"};
  std::string out;
  out.reserve(dns_udp_limit);
  put_header(out, m, m.answers.size(), m.additional.size());
  for (const dns_question& q : m.questions) {
    if (const char* e = put_name(out, q.name)) return failure{e};
    put16(out, static_cast<std::uint16_t>(q.type));
    put16(out, q.dns_class);
  }
  if (const char* e = put_records(out, m.answers)) return failure{e};
  if (const char* e = put_records(out, m.additional)) return failure{e};
  return out;
}

expected<dns_message> decode_dns_message(const std::uint8_t* bytes, std::size_t size) {
  if (bytes == nullptr || size < header_size) return failure{"shorter than a DNS header"};
  reader r(bytes, size);
  dns_message m;
  std::uint8_t b2 = 0, b3 = 0;
  std::uint16_t qd = 0, an = 0, ns = 0, ar = 0;
  r.u16(m.id);
  r.u8(b2);
  r.u8(b3);
  r.u16(qd);
  r.u16(an);
  r.u16(ns);
  r.u16(ar);
  m.is_response = (b2 & 0x80) != 0;
  m.opcode = static_cast<std::uint8_t>((b2 >> 3) & 0x0F);
  m.authoritative = (b2 & 0x04) != 0;
  m.truncated = (b2 & 0x02) != 0;
  m.recursion_desired = (b2 & 0x01) != 0;
  m.recursion_available = (b3 & 0x80) != 0;
  m.rcode = static_cast<std::uint8_t>(b3 & 0x0F);
  // Counts that could not fit are refused before anything is allocated for them.
  std::size_t claimed = qd * min_question + (static_cast<std::size_t>(an) + ns + ar) * min_record;
  if (claimed > r.remaining()) return failure{"section counts overrun the message"};
  m.questions.reserve(qd);
  for (std::uint16_t i = 0; i < qd; ++i) {
    dns_question q;
    if (const char* e = r.name(q.name)) return failure{e};
    std::uint16_t type = 0;
    if (!r.u16(type) || !r.u16(q.dns_class)) return failure{"question runs past the end of the message"};
    q.type = static_cast<dns_type>(type);
    m.questions.push_back(std::move(q));
  }
  if (const char* e = read_records(r, an, &m.answers)) return failure{e};
  if (const char* e = read_records(r, ns, nullptr)) return failure{e};
  if (const char* e = read_records(r, ar, &m.additional)) return failure{e};
  return m;
}

int fuzz_dns_message(const std::uint8_t* bytes, std::size_t size) {
  auto decoded = decode_dns_message(bytes, size);
  if (!decoded) return 0;
  auto again = encode_dns_message(*decoded);
  if (!again) __builtin_trap();  // what decodes must encode
  auto round_trip = decode_dns_message(*again);
  if (!round_trip || round_trip->answers.size() != decoded->answers.size() ||
      round_trip->additional.size() != decoded->additional.size())
    __builtin_trap();
  return 0;
}

bool dns_name_equal(std::string_view a, std::string_view b) noexcept {
  auto strip = [](std::string_view s) {
    if (s.size() > 1 && s.back() == '.') s.remove_suffix(1);
    return s;
  };
  return text::iequals(strip(a), strip(b));
}

std::string dns_name_canonical(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

}  // namespace sipactor::transport
