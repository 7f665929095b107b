// Character-class bitmaps of a message's start line and header section, simdjson-style: the
// octets are classified 64 at a time (AVX-512, AVX2 or SSSE3 table lookups, whichever the CPU
// runs, else a scalar kernel; all give the same bits), and the parsers then find where a run of,
// say, URI user characters ends with one tzcnt instead of a compare and a branch per octet.
// Internal to messages/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "messages/branch_hints.hpp"

namespace sipactor::detail {

// The index of the lowest set bit of w, which must not be 0. GCC writes __builtin_ctzll's int
// result and then sign-extends it (movslq) before every use as an offset; tzcnt already leaves
// the whole register right, so on x86-64 the instruction is written out: one instruction less on
// each scan's chain, a few dozen per message. rep bsf is tzcnt where BMI1 exists and bsf
// elsewhere; for w != 0 both give the index.
inline std::size_t lowest_set_bit(std::uint64_t w) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  std::uint64_t index;
  __asm__("rep bsf {%1, %0|%0, %1}" : "=r"(index) : "rm"(w) : "cc");
  return index;
#else
  return static_cast<std::size_t>(__builtin_ctzll(w));
#endif
}

// One bit per class; a class is a set of ASCII octets (octets >= 0x80 belong to none).
enum scan_class : unsigned {
  sc_token,     // RFC 3261 §25.1 token
  sc_user,      // SIP URI user characters (§25.1 user), without '%': escapes take the slow path
  sc_password,  // password characters, without '%'
  sc_param,     // URI paramchar, without '%'
  sc_host,      // hostname characters (alphanum "-" "." and a tolerated "_")
  sc_digit,
  sc_word,      // §25.1 word (Call-ID)
  sc_lws,       // SP HTAB CR LF
  sc_lf,
  sc_gparam,    // what a generic-param name or value may hold: token or paramchar ('%' included)
  sc_display,   // token or LWS: an unquoted display-name
  sc_quote,     // DQUOTE and "\"
  sc_addr_end,  // where an addr-spec outside <> ends: ";" "," "?" or LWS
  sc_dot,
  sc_dash,      // "-": where a host name's labels may not start or end
  sc_count_
};
constexpr unsigned scan_classes = 16;  // words per 64-octet block (room to add classes)
static_assert(sc_count_ <= scan_classes);

// The classes the parsers only skip runs of are stored inverted: a set bit is an octet outside
// the class, so that skip() takes the first set bit as find() does, without a `not` on each
// scan's chain. The kernels invert after classifying, so the octets no class holds (>= 0x80, and
// the padding past the end of the text) read as outside these classes too. Every query below
// answers with the class's own bits; only the stored words differ.
constexpr std::uint16_t inverted_classes =
    1u << sc_token | 1u << sc_user | 1u << sc_password | 1u << sc_param | 1u << sc_host | 1u << sc_word |
    1u << sc_gparam | 1u << sc_display;
constexpr std::uint64_t stored_flip(unsigned c) noexcept { return (inverted_classes >> c & 1) != 0 ? ~std::uint64_t{0} : 0; }

// The class bits of each ASCII octet, as the kernels use them.
extern const std::uint16_t scan_table[128];

// scalar: table lookups and multiplies, any CPU; ssse3 and avx2: pshufb row lookups; avx512:
// AVX-512 VBMI and GFNI (Ice Lake, Zen 4 and later). The best the CPU runs is chosen at start.
enum class classifier : std::uint8_t { scalar, ssse3, avx2, avx512 };
inline constexpr classifier all_classifiers[] = {classifier::scalar, classifier::ssse3, classifier::avx2,
                                                 classifier::avx512};
// The kernel parse_message uses: the fastest the CPU runs, unless a test chose another.
classifier active_classifier() noexcept;
// Tests and fuzzers run every kernel over the same inputs; not for production use.
void select_classifier(classifier c) noexcept;
bool classifier_available(classifier c) noexcept;

// The bitmaps of a char_masks as two plain pointers, the same queries as char_masks. The fast
// paths read through this copy: it lives in registers, where the vector inside char_masks would
// be reloaded after every store through a pointer the compiler cannot tell apart from it.
class mask_bits {
 public:
  mask_bits(const char* base, const std::uint64_t* words) noexcept : base_(base), words_(words) {}
  std::size_t skip(unsigned c, std::size_t pos, std::size_t end) const noexcept {
    return first<true>(c, pos, end);
  }
  std::size_t find(unsigned c, std::size_t pos, std::size_t end) const noexcept {
    return first<false>(c, pos, end);
  }
  std::uint32_t bits16(unsigned c, std::size_t pos, std::size_t n) const noexcept {
    const std::size_t shift = pos & 63;
    std::uint64_t w = word(c, pos >> 6) >> shift;
    if (SIPACTOR_UNLIKELY(shift + n > 64)) w |= word(c, (pos >> 6) + 1) << (64 - shift);
    return static_cast<std::uint32_t>(w & 0xffff);
  }
  // Bits [pos, pos + n) of class c, bit 0 for pos, n <= 64; the octets up to pos + n must be
  // classified, and the bits from n on are to be masked off by the caller.
  std::uint64_t bits64(unsigned c, std::size_t pos, std::size_t n) const noexcept {
    const std::size_t shift = pos & 63;
    std::uint64_t w = word(c, pos >> 6) >> shift;
    if (shift + n > 64) w |= word(c, (pos >> 6) + 1) << (64 - shift);  // shift > 0 here
    return w;
  }
  bool is(unsigned c, std::size_t pos) const noexcept { return (word(c, pos >> 6) >> (pos & 63) & 1) != 0; }
  // The bits of class c in 64-octet block b.
  std::uint64_t word(unsigned c, std::size_t b) const noexcept { return words_[b * scan_classes + c] ^ stored_flip(c); }
  const char* data() const noexcept { return base_; }

 private:
  // The first position in [pos, end) outside class c (Outside: skip) or in it (find), else end.
  // Most runs end in the block they start in: that case comes first, outside the loop.
  template <bool Outside>
  std::size_t first(unsigned c, std::size_t pos, std::size_t end) const noexcept {
    if (SIPACTOR_UNLIKELY(pos >= end)) return end;
    // Folds to a constant where c is one (every call site): no flip for a skip of an inverted class.
    const std::uint64_t flip = (Outside ? ~std::uint64_t{0} : 0) ^ stored_flip(c);
    const std::uint64_t w = (words_[(pos >> 6) * scan_classes + c] ^ flip) >> (pos & 63);
    if (SIPACTOR_LIKELY(w != 0)) {
      pos += lowest_set_bit(w);
      return pos < end ? pos : end;
    }
    for (pos = (pos | 63) + 1; pos < end; pos += 64) {
      const std::uint64_t more = words_[(pos >> 6) * scan_classes + c] ^ flip;
      if (more != 0) {
        pos += lowest_set_bit(more);
        return pos < end ? pos : end;
      }
    }
    return end;
  }

  const char* base_;
  const std::uint64_t* words_;
};

class char_masks {
 public:
  using kernel = void (*)(const char*, std::size_t, std::uint64_t*) noexcept;
  static kernel kernel_for(classifier c) noexcept;

  // Starts over on p[0, n); nothing is classified until asked for.
  void reset(const char* p, std::size_t n) {
    base_ = p;
    size_ = n;
    blocks_ = 0;
    kernel_ = kernel_for(active_classifier());
    // Room for every block of the input, made once per size on this object: classifying a block
    // then checks nothing but the kernel's bounds.
    const std::size_t words = (n + 63) / 64 * scan_classes;
    if (words_.size() < words) words_.resize(words);
  }
  // The same classes now describe a copy of the octets at p (the message's own buffer).
  void rebase(const char* p) noexcept { base_ = p; }
  // Classifies every block up to the one holding octet pos (bounded by n).
  void classify_through(std::size_t pos) {
    if ((pos >> 6) >= blocks_) classify_more(pos);
  }
  std::size_t classified() const noexcept { return blocks_ * 64 < size_ ? blocks_ * 64 : size_; }

  // First position in [pos, end) whose octet is not of class c, or end. [pos, end) must be
  // classified.
  std::size_t skip(unsigned c, std::size_t pos, std::size_t end) const noexcept { return bits().skip(c, pos, end); }
  // First position in [pos, end) whose octet is of class c, or end.
  std::size_t find(unsigned c, std::size_t pos, std::size_t end) const noexcept { return bits().find(c, pos, end); }
  // The next '\n' at or after pos, classifying further blocks as needed; size() when none.
  std::size_t next_lf(std::size_t pos) {
    while (pos < size_) {
      if ((pos >> 6) >= blocks_) classify_through(pos);
      std::uint64_t w = bits().word(sc_lf, pos >> 6) >> (pos & 63);
      if (w != 0) {
        pos += lowest_set_bit(w);
        return pos < size_ ? pos : size_;
      }
      pos = (pos | 63) + 1;
    }
    return size_;
  }
  // Calls f(position) for each octet of class c in [pos, end), in order; [pos, end) must be
  // classified.
  template <class F>
  void for_each_member(unsigned c, std::size_t pos, std::size_t end, F&& f) const {
    while (pos < end) {
      std::uint64_t w = bits().word(c, pos >> 6) >> (pos & 63);
      for (const std::size_t base = pos; w != 0; w &= w - 1) {
        const std::size_t at = base + lowest_set_bit(w);
        if (at >= end) return;
        f(at);
      }
      pos = (pos | 63) + 1;
    }
  }
  // Bits [pos, pos + 16) of class c, bit 0 for pos; the octets up to pos + n must be classified,
  // and the bits from n on are to be masked off by the caller.
  std::uint32_t bits16(unsigned c, std::size_t pos, std::size_t n) const noexcept { return bits().bits16(c, pos, n); }
  bool is(unsigned c, std::size_t pos) const noexcept { return bits().is(c, pos); }
  std::size_t size() const noexcept { return size_; }
  const char* data() const noexcept { return base_; }
  // The classified blocks as plain pointers (valid until more blocks are classified).
  mask_bits bits() const noexcept { return {base_, words_.data()}; }

 private:
  void classify_more(std::size_t pos);  // the blocks classify_through finds missing

  const char* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t blocks_ = 0;
  kernel kernel_ = nullptr;           // chosen once per message
  // scan_classes words per block, as stored (inverted classes inverted): past size_, every class
  // reads as not holding the octet.
  std::vector<std::uint64_t> words_;
};

// Classifies one block of up to 64 octets into scan_classes words with the given kernel, each
// word the class's own bits (the inverted classes turned back; exposed for the tests that compare
// the kernels).
void classify_block(classifier c, const char* p, std::size_t n, std::uint64_t* out) noexcept;

}  // namespace sipactor::detail
