// SPDX-License-Identifier: MIT
#ifndef NETLITE_ADDRESS_HPP
#define NETLITE_ADDRESS_HPP

/// \file
/// IP address value types: `address_v4`, `address_v6` (with an optional `%zone`) and `address`,
/// which holds either. Parsing and RFC 5952 formatting are netlite's own constexpr code, so the
/// text is identical on every OS. No OS headers.

#include <netlite/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace netlite {

/// An IPv4 address. Trivially copyable, 4 bytes; ordered numerically.
class address_v4 {
  public:
    using bytes_type = std::array<std::uint8_t, 4>;

    /// 0.0.0.0
    constexpr address_v4() noexcept = default;
    /// From bytes in network order: `address_v4({192, 0, 2, 1})`.
    constexpr explicit address_v4(const bytes_type& bytes) noexcept;
    /// From a host-order integer: `address_v4(0x7F000001)` is 127.0.0.1.
    constexpr explicit address_v4(std::uint32_t host_order) noexcept;

    /// The bytes in network order (most significant first).
    constexpr bytes_type to_bytes() const noexcept;
    /// The address as a host-order integer; 127.0.0.1 is 0x7F000001.
    constexpr std::uint32_t to_uint() const noexcept;

    /// Strict dotted quad: exactly four decimal parts 0-255 without leading zeros, signs, spaces
    /// or anything else ("127.1", "010.0.0.1", "1.2.3.4 " fail); nullopt on failure.
    static constexpr std::optional<address_v4> parse(std::string_view text) noexcept;
    /// As above; on failure `ec` is `error::not_an_ipv4_address`, on success it is cleared.
    static std::optional<address_v4> parse(std::string_view text, std::error_code& ec) noexcept;
    /// Dotted decimal, e.g. "192.0.2.1"; parses back to an equal value.
    std::string to_string() const;

    /// 0.0.0.0 (INADDR_ANY): bind to every interface.
    static constexpr address_v4 any() noexcept;
    /// 127.0.0.1
    static constexpr address_v4 loopback() noexcept;
    /// 255.255.255.255 (limited broadcast).
    static constexpr address_v4 broadcast() noexcept;

    /// Exactly 0.0.0.0.
    constexpr bool is_unspecified() const noexcept;
    /// 127.0.0.0 - 127.255.255.255 (127.0.0.0/8).
    constexpr bool is_loopback() const noexcept;
    /// 224.0.0.0 - 239.255.255.255 (224.0.0.0/4).
    constexpr bool is_multicast() const noexcept;
    /// RFC 1918: 10.0.0.0/8, 172.16.0.0 - 172.31.255.255 (/12), 192.168.0.0/16.
    constexpr bool is_private() const noexcept;
    /// 169.254.0.0 - 169.254.255.255 (169.254.0.0/16).
    constexpr bool is_link_local() const noexcept;
    /// Exactly 255.255.255.255 (subnet broadcast addresses depend on a netmask: not detected).
    constexpr bool is_broadcast() const noexcept;

    // Numeric order, so 9.0.0.0 < 10.0.0.0.
    friend constexpr bool operator==(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ == y.value_;
    }
    friend constexpr bool operator!=(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ != y.value_;
    }
    friend constexpr bool operator<(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ < y.value_;
    }
    friend constexpr bool operator<=(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ <= y.value_;
    }
    friend constexpr bool operator>(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ > y.value_;
    }
    friend constexpr bool operator>=(const address_v4& x, const address_v4& y) noexcept {
        return x.value_ >= y.value_;
    }

  private:
    // Host order, so that comparisons and the prefix predicates are single integer operations;
    // the bytes are produced on demand by to_bytes().
    std::uint32_t value_ = 0;
};

/// An IPv6 address plus an optional zone (`fe80::1%eth0`, `fe80::1%2`). The zone text is kept
/// inline (no heap), at most `max_zone_length` characters. Trivially copyable, 32 bytes.
class address_v6 {
  public:
    using bytes_type = std::array<std::uint8_t, 16>;
    /// Longest zone text accepted, as an interface name on Linux (IF_NAMESIZE - 1).
    static constexpr std::size_t max_zone_length = 15;

    /// ::
    constexpr address_v6() noexcept = default;
    /// From bytes in network order; a nonzero `scope_id` becomes the zone text "<decimal>".
    constexpr explicit address_v6(const bytes_type& bytes, std::uint32_t scope_id = 0) noexcept;

    /// The 16 bytes in network order; the zone is not part of them.
    constexpr bytes_type to_bytes() const noexcept;
    /// The zone as a number when it is all digits ("%2" gives 2); 0 when there is no zone or
    /// the zone is a name ("%eth0": only the OS can map names, sockets do that).
    constexpr std::uint32_t scope_id() const noexcept;
    /// The zone text without the '%', empty if none.
    constexpr std::string_view zone() const noexcept;
    /// A copy with the zone replaced; empty `zone` removes it. nullopt if the zone is invalid
    /// (over 15 characters, characters other than ASCII letters, digits and `-._~`, or all
    /// digits but above 4294967295).
    constexpr std::optional<address_v6> with_zone(std::string_view zone) const noexcept;
    /// As above; on failure `ec` is `error::invalid_zone`, on success it is cleared.
    std::optional<address_v6> with_zone(std::string_view zone, std::error_code& ec) const noexcept;
    /// A copy whose zone is the decimal text of `scope_id`; 0 removes the zone.
    constexpr address_v6 with_scope_id(std::uint32_t scope_id) const noexcept;

    /// RFC 4291 text: eight groups of 1-4 hex digits (any case), one `::` standing for one or
    /// more zero groups, optionally a strict dotted quad as the last 32 bits, then an optional
    /// `%zone` (rules as for `with_zone`, and not empty). No brackets, spaces or NULs.
    static constexpr std::optional<address_v6> parse(std::string_view text) noexcept;
    /// As above; on failure `ec` is `error::not_an_ipv6_address` or `error::invalid_zone`.
    static std::optional<address_v6> parse(std::string_view text, std::error_code& ec) noexcept;
    /// RFC 5952: lowercase, no leading zeros, the longest run (leftmost on a tie) of two or more
    /// zero groups as `::`, dotted tail only for `::ffff:a.b.c.d`, then "%zone" if any.
    std::string to_string() const;

    /// :: (in6addr_any): bind to every interface.
    static constexpr address_v6 any() noexcept;
    /// ::1
    static constexpr address_v6 loopback() noexcept;
    /// The IPv4-mapped form `::ffff:a.b.c.d`, as dual-stack sockets report IPv4 peers.
    static constexpr address_v6 v4_mapped(const address_v4& v4) noexcept;
    /// The embedded IPv4 address if `is_v4_mapped()`, else nullopt.
    constexpr std::optional<address_v4> mapped_v4() const noexcept;

    // Predicates look at the 16 bytes only, never at the zone.
    /// Exactly :: (all zero).
    constexpr bool is_unspecified() const noexcept;
    /// Exactly ::1.
    constexpr bool is_loopback() const noexcept;
    /// ff00::/8 (first byte 0xff).
    constexpr bool is_multicast() const noexcept;
    /// fc00::/7: fc00:: - fdff:ffff:...:ffff (RFC 4193 unique local).
    constexpr bool is_unique_local() const noexcept;
    /// Same as `is_unique_local()`: the IPv6 counterpart of RFC 1918 space.
    constexpr bool is_private() const noexcept;
    /// fe80::/10: fe80:: - febf:ffff:...:ffff.
    constexpr bool is_link_local() const noexcept;
    /// ::ffff:0:0/96, i.e. ::ffff:0.0.0.0 - ::ffff:255.255.255.255.
    constexpr bool is_v4_mapped() const noexcept;
    /// Always false: IPv6 has no broadcast (present so generic code can ask `address`).
    constexpr bool is_broadcast() const noexcept;

    // Bytes first (numerically), then zone text (lexicographically; "" first).
    friend constexpr bool operator==(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) == 0;
    }
    friend constexpr bool operator!=(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) != 0;
    }
    friend constexpr bool operator<(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) < 0;
    }
    friend constexpr bool operator<=(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) <= 0;
    }
    friend constexpr bool operator>(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) > 0;
    }
    friend constexpr bool operator>=(const address_v6& x, const address_v6& y) noexcept {
        return x.compare(y) >= 0;
    }

  private:
    /// <0, 0 or >0 in the documented order; the operators above are built on it.
    constexpr int compare(const address_v6& other) const noexcept;
    /// Stores `zone`, already validated by the caller, and zeroes the unused characters.
    constexpr void assign_zone(std::string_view zone) noexcept;

    // The zone is kept as text, not as an interface index: a name like "eth0" can only be
    // turned into an index by the OS (sockets do that when they build a sockaddr_in6), and
    // keeping the text is what lets to_string() give back what parse() was given. The
    // characters after zone_size_ are always zero. All byte-sized: no padding, 32 bytes.
    bytes_type bytes_{};
    std::array<char, max_zone_length> zone_{};
    std::uint8_t zone_size_ = 0;
};

/// Either an IPv4 or an IPv6 address; the family is chosen at run time. The default is
/// 0.0.0.0. Trivially copyable.
class address {
  public:
    /// 0.0.0.0 (an IPv4 address).
    constexpr address() noexcept;
    /// Implicit, so that an `address_v4` or `address_v6` can be passed wherever an `address`
    /// is expected (endpoints, comparisons, hash keys).
    constexpr address(const address_v4& v4) noexcept;  // NOLINT(google-explicit-constructor)
    constexpr address(const address_v6& v6) noexcept;  // NOLINT(google-explicit-constructor)

    /// An IPv4 address if the text has no ':', else IPv6 (see the two `parse` functions there).
    static constexpr std::optional<address> parse(std::string_view text) noexcept;
    /// As above; on failure `ec` says why: `error::not_an_ipv6_address` or `invalid_zone` for
    /// text with a ':', `not_an_ipv4_address` for digits and dots only, else `not_an_address`.
    static std::optional<address> parse(std::string_view text, std::error_code& ec) noexcept;

    /// True if an IPv4 address is held (exactly one of is_v4() / is_v6() is true).
    constexpr bool is_v4() const noexcept;
    /// True if an IPv6 address is held, including IPv4-mapped ones.
    constexpr bool is_v6() const noexcept;
    /// The IPv4 address; throws `std::system_error(error::family_mismatch)` if `is_v6()`.
    /// An IPv4-mapped IPv6 address is still IPv6 here: use `address_v6::mapped_v4()`.
    constexpr address_v4 to_v4() const;
    /// As above; on mismatch sets `ec` to `error::family_mismatch` and returns 0.0.0.0.
    address_v4 to_v4(std::error_code& ec) const noexcept;
    /// The IPv6 address; throws `std::system_error(error::family_mismatch)` if `is_v4()`.
    constexpr address_v6 to_v6() const;
    /// As above; on mismatch sets `ec` to `error::family_mismatch` and returns ::.
    address_v6 to_v6(std::error_code& ec) const noexcept;
    /// The held address's `to_string()`.
    std::string to_string() const;

    // Forward to the held type (see the ranges there). An IPv4-mapped address is IPv6:
    // ::ffff:127.0.0.1 is not `is_loopback()`.
    constexpr bool is_unspecified() const noexcept;
    constexpr bool is_loopback() const noexcept;
    constexpr bool is_multicast() const noexcept;
    constexpr bool is_private() const noexcept;
    constexpr bool is_link_local() const noexcept;
    constexpr bool is_broadcast() const noexcept;
    /// False for IPv4.
    constexpr bool is_v4_mapped() const noexcept;

    // Every IPv4 address orders before every IPv6 address; within a family as there.
    friend constexpr bool operator==(const address& x, const address& y) noexcept {
        return x.compare(y) == 0;
    }
    friend constexpr bool operator!=(const address& x, const address& y) noexcept {
        return x.compare(y) != 0;
    }
    friend constexpr bool operator<(const address& x, const address& y) noexcept {
        return x.compare(y) < 0;
    }
    friend constexpr bool operator<=(const address& x, const address& y) noexcept {
        return x.compare(y) <= 0;
    }
    friend constexpr bool operator>(const address& x, const address& y) noexcept {
        return x.compare(y) > 0;
    }
    friend constexpr bool operator>=(const address& x, const address& y) noexcept {
        return x.compare(y) >= 0;
    }

  private:
    /// <0, 0 or >0: family first (IPv4 first), then the held type's own order.
    constexpr int compare(const address& other) const noexcept;

    // A tagged union rather than std::variant: trivially copyable, usable in constant
    // expressions in C++17, 36 bytes, and no <variant> to compile. `is_v6_` names the active
    // member; nothing reads the other one.
    union {
        address_v4 v4_;
        address_v6 v6_;
    };
    bool is_v6_;
};

/// Writes `to_string()`; for diagnostics and test output.
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address_v4& a);
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address_v6& a);
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address& a);

}  // namespace netlite

// std::hash<netlite::address_v4>, <address_v6> and <address>, consistent with ==, follow below.

// ---- implementation ----

namespace netlite {
namespace detail {

// Parsing and formatting live here as constexpr free functions over plain arrays, so that the
// classes, endpoint.hpp and constant expressions all share one implementation. Errors are
// returned as `netlite::error` values with `error{}` (0) meaning success; the public functions
// turn them into std::optional or std::error_code.

// Longest texts, without a terminating NUL: "255.255.255.255", eight full groups plus "%zone".
inline constexpr std::size_t max_v4_text = 15;
inline constexpr std::size_t max_v6_text = 39 + 1 + address_v6::max_zone_length;

// No <cctype>: its functions depend on the C locale and are not constexpr.
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// 0-15 for a hex digit of either case, -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The zone alphabet: RFC 3986 "unreserved" characters, which covers interface names in
/// practice and keeps '%', ':', '[', ']', '/' and spaces out (they would break endpoints/URIs).
constexpr bool is_zone_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/// Strict dotted quad into a host-order integer; false on anything else.
constexpr bool parse_v4_text(std::string_view s, std::uint32_t& out) noexcept {
    std::uint32_t value = 0;
    std::size_t pos = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (pos == s.size() || s[pos] != '.') return false;
            ++pos;
        }
        // At most three digits are read, so "99999999999" cannot overflow; a fourth digit
        // then fails as "not a dot" or "not the end".
        const std::size_t start = pos;
        std::uint32_t octet = 0;
        while (pos < s.size() && pos - start < 3 && is_digit(s[pos])) {
            octet = octet * 10 + static_cast<std::uint32_t>(s[pos] - '0');
            ++pos;
        }
        const std::size_t length = pos - start;
        if (length == 0 || octet > 255 || (length > 1 && s[start] == '0')) return false;
        value = (value << 8) | octet;
    }
    if (pos != s.size()) return false;
    out = value;
    return true;
}

/// `error{}` if `zone` is a valid zone text (not empty), else `error::invalid_zone`.
constexpr error check_zone(std::string_view zone) noexcept {
    if (zone.empty() || zone.size() > address_v6::max_zone_length) return error::invalid_zone;
    bool all_digits = true;
    std::uint64_t number = 0;  // at most 15 digits: cannot overflow 64 bits
    for (const char c : zone) {
        if (!is_zone_char(c)) return error::invalid_zone;
        if (is_digit(c)) {
            number = number * 10 + static_cast<std::uint64_t>(c - '0');
        } else {
            all_digits = false;
        }
    }
    if (all_digits && number > 0xFFFFFFFFu) return error::invalid_zone;
    return error{};
}

/// RFC 4291 text (no zone) into 16 bytes; `error{}` or `error::not_an_ipv6_address`.
/// One left-to-right pass: groups are collected in order and the position of "::" is noted;
/// at the end the groups after "::" are moved to the end of the address (the gap is zeros).
constexpr error parse_v6_bytes(std::string_view s, std::array<std::uint8_t, 16>& out) noexcept {
    constexpr error bad = error::not_an_ipv6_address;
    std::uint16_t groups[8] = {};
    int count = 0;
    int gap = -1;  // index in `groups` where "::" stands, -1 if none
    std::size_t pos = 0;
    const std::size_t n = s.size();
    if (n == 0) return bad;
    if (s[0] == ':') {  // only "::" may start the text
        if (n < 2 || s[1] != ':') return bad;
        gap = 0;
        pos = 2;
    }
    while (pos < n) {
        // A group starts here: hex digits, or the dotted-quad tail if a '.' follows them.
        std::size_t end = pos;
        std::uint32_t group = 0;
        while (end < n && hex_digit_value(s[end]) >= 0) {
            // Unsigned, so a long run just wraps; more than four digits is rejected below.
            group = group * 16 + static_cast<std::uint32_t>(hex_digit_value(s[end]));
            ++end;
        }
        if (end < n && s[end] == '.') {
            // The dotted quad must be the rest of the text and fill the last two groups.
            std::uint32_t v4 = 0;
            if (count > 6 || !parse_v4_text(s.substr(pos), v4)) return bad;
            groups[count++] = static_cast<std::uint16_t>(v4 >> 16);
            groups[count++] = static_cast<std::uint16_t>(v4 & 0xFFFFu);
            pos = n;
            break;
        }
        if (end == pos || end - pos > 4 || count == 8) return bad;  // ":::", "12345", 9 groups
        groups[count++] = static_cast<std::uint16_t>(group);
        pos = end;
        if (pos == n) break;
        if (s[pos] != ':') return bad;  // 'g', ']', ' ', NUL: anything else
        ++pos;
        if (pos < n && s[pos] == ':') {
            if (gap >= 0) return bad;  // a second "::"
            gap = count;
            ++pos;
        } else if (pos == n) {
            return bad;  // a single trailing ':'
        }
    }
    // Without "::" all eight groups are needed; "::" must stand for at least one group.
    if (gap < 0 ? count != 8 : count > 7) return bad;
    // Groups before "::" keep their index; the ones after it move to the end.
    std::uint16_t full[8] = {};
    const int head = gap < 0 ? count : gap;
    for (int i = 0; i < count; ++i) full[i < head ? i : 8 - count + i] = groups[i];
    for (std::size_t i = 0; i < 8; ++i) {
        out[2 * i] = static_cast<std::uint8_t>(full[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(full[i] & 0xFFu);
    }
    return error{};
}

/// Splits "addr%zone" and checks both halves; `zone` views into `s`.
constexpr error parse_v6_text(std::string_view s, std::array<std::uint8_t, 16>& bytes,
                              std::string_view& zone) noexcept {
    const std::size_t percent = s.find('%');
    const error e = parse_v6_bytes(s.substr(0, percent), bytes);
    if (e != error{}) return e;
    if (percent == std::string_view::npos) {
        zone = {};
        return error{};
    }
    zone = s.substr(percent + 1);
    return check_zone(zone);
}

/// What `address::parse` reports for text that is neither address (see its contract).
constexpr error classify_address_text(std::string_view s) noexcept {
    if (s.find(':') != std::string_view::npos) return error::not_an_ipv6_address;
    if (s.empty()) return error::not_an_address;
    for (const char c : s) {
        if (!is_digit(c) && c != '.') return error::not_an_address;
    }
    return error::not_an_ipv4_address;
}

// Writers: append to `out`, return the new end; callers size the buffer from max_*_text.

/// Decimal digits of `value`, no leading zeros ("0" for zero).
constexpr char* write_decimal(std::uint32_t value, char* out) noexcept {
    char digits[10] = {};
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) *out++ = digits[--n];
    return out;
}

/// One group in lowercase hex without leading zeros ("0" for zero), as RFC 5952 asks.
constexpr char* write_hex_group(std::uint16_t group, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const int d = (group >> shift) & 0xF;
        if (d != 0 || started || shift == 0) {
            *out++ = digits[d];
            started = true;
        }
    }
    return out;
}

/// "a.b.c.d" from a host-order integer.
constexpr char* format_v4(std::uint32_t value, char* out) noexcept {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out = write_decimal((value >> shift) & 0xFFu, out);
        if (shift != 0) *out++ = '.';
    }
    return out;
}

/// RFC 5952 text of `bytes` plus "%zone"; writes at most `max_v6_text` characters.
constexpr char* format_v6(const std::array<std::uint8_t, 16>& bytes, std::string_view zone,
                          char* out) noexcept {
    std::uint16_t groups[8] = {};
    for (std::size_t i = 0; i < 8; ++i) {
        groups[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
    }
    const bool mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
                        groups[4] == 0 && groups[5] == 0xFFFF;
    if (mapped) {
        constexpr char prefix[] = "::ffff:";
        for (std::size_t i = 0; i + 1 < sizeof(prefix); ++i) *out++ = prefix[i];
        out = format_v4((std::uint32_t{groups[6]} << 16) | groups[7], out);
    } else {
        // The longest run of two or more zero groups; '>' keeps the leftmost on a tie.
        int best_start = -1;
        int best_length = 1;
        for (int i = 0; i < 8;) {
            if (groups[i] != 0) {
                ++i;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) ++j;
            if (j - i > best_length) {
                best_start = i;
                best_length = j - i;
            }
            i = j;
        }
        bool need_colon = false;
        for (int i = 0; i < 8;) {
            if (i == best_start) {
                *out++ = ':';
                *out++ = ':';
                i += best_length;
                need_colon = false;
                continue;
            }
            if (need_colon) *out++ = ':';
            out = write_hex_group(groups[i], out);
            need_colon = true;
            ++i;
        }
    }
    if (!zone.empty()) {
        *out++ = '%';
        for (const char c : zone) *out++ = c;
    }
    return out;
}

// Hashing: a 64-bit mix (the SplitMix64 finalizer) so that nearby addresses spread out over
// the buckets; std::hash<std::uint32_t> is the identity on common standard libraries. Equal
// values hash equally because only what operator== compares is fed in.
constexpr std::uint64_t hash_mix(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

/// Folds `value` into `seed`; multiplying by 2^64 / golden ratio first spreads the seed's bits,
/// so that combine(a, b) and combine(b, a) differ.
constexpr std::uint64_t hash_combine(std::uint64_t seed, std::uint64_t value) noexcept {
    return hash_mix((seed * 0x9E3779B97F4A7C15ull) ^ value);
}

/// The 64-bit hash as std::size_t, folded on 32-bit targets. A template so that the branch not
/// taken is never instantiated (no -Wuseless-cast / -Wconversion noise on either width).
template <class Size = std::size_t>
constexpr Size to_size(std::uint64_t h) noexcept {
    if constexpr (sizeof(Size) >= sizeof(h)) {
        return h;
    } else {
        return static_cast<Size>(h ^ (h >> 32));
    }
}

constexpr std::uint64_t hash_value(const address_v4& a) noexcept { return hash_mix(a.to_uint()); }

constexpr std::uint64_t hash_value(const address_v6& a) noexcept {
    const auto bytes = a.to_bytes();
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        high = (high << 8) | bytes[i];
        low = (low << 8) | bytes[8 + i];
    }
    std::uint64_t h = hash_combine(hash_mix(high), low);
    for (const char c : a.zone()) h = hash_combine(h, static_cast<unsigned char>(c));
    return h;
}

constexpr std::uint64_t hash_value(const address& a) noexcept {
    return a.is_v4() ? hash_value(a.to_v4()) : hash_combine(6, hash_value(a.to_v6()));
}

}  // namespace detail

// ---- address_v4 ----

constexpr address_v4::address_v4(const bytes_type& bytes) noexcept
    : value_((std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
             (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]}) {}

constexpr address_v4::address_v4(std::uint32_t host_order) noexcept : value_(host_order) {}

constexpr address_v4::bytes_type address_v4::to_bytes() const noexcept {
    return {static_cast<std::uint8_t>(value_ >> 24), static_cast<std::uint8_t>(value_ >> 16),
            static_cast<std::uint8_t>(value_ >> 8), static_cast<std::uint8_t>(value_)};
}

constexpr std::uint32_t address_v4::to_uint() const noexcept { return value_; }

constexpr std::optional<address_v4> address_v4::parse(std::string_view text) noexcept {
    std::uint32_t value = 0;
    if (!detail::parse_v4_text(text, value)) return std::nullopt;
    return address_v4(value);
}

inline std::optional<address_v4> address_v4::parse(std::string_view text,
                                                   std::error_code& ec) noexcept {
    auto result = parse(text);
    if (result) {
        ec.clear();
    } else {
        ec = make_error_code(error::not_an_ipv4_address);
    }
    return result;
}

inline std::string address_v4::to_string() const {
    char text[detail::max_v4_text] = {};
    const char* end = detail::format_v4(value_, text);
    return std::string(text, static_cast<std::size_t>(end - text));
}

constexpr address_v4 address_v4::any() noexcept { return address_v4(); }
constexpr address_v4 address_v4::loopback() noexcept { return address_v4(0x7F000001u); }
constexpr address_v4 address_v4::broadcast() noexcept { return address_v4(0xFFFFFFFFu); }

// A /n prefix test is "the top n bits equal the prefix's top n bits": value_ >> (32 - n).
constexpr bool address_v4::is_unspecified() const noexcept { return value_ == 0; }
constexpr bool address_v4::is_loopback() const noexcept { return (value_ >> 24) == 127; }
constexpr bool address_v4::is_multicast() const noexcept { return (value_ >> 28) == 0xE; }
constexpr bool address_v4::is_private() const noexcept {
    // 10/8, 172.16/12 (0xAC1 = 1010 1100 0001), 192.168/16
    return (value_ >> 24) == 10 || (value_ >> 20) == 0xAC1 || (value_ >> 16) == 0xC0A8;
}
constexpr bool address_v4::is_link_local() const noexcept { return (value_ >> 16) == 0xA9FE; }
constexpr bool address_v4::is_broadcast() const noexcept { return value_ == 0xFFFFFFFFu; }

// ---- address_v6 ----

constexpr address_v6::address_v6(const bytes_type& bytes, std::uint32_t scope_id) noexcept
    : bytes_(bytes) {
    if (scope_id != 0) {
        char* end = detail::write_decimal(scope_id, zone_.data());
        zone_size_ = static_cast<std::uint8_t>(end - zone_.data());
    }
}

constexpr address_v6::bytes_type address_v6::to_bytes() const noexcept { return bytes_; }

constexpr std::uint32_t address_v6::scope_id() const noexcept {
    // check_zone() guaranteed that an all-digit zone fits in 32 bits.
    std::uint32_t value = 0;
    for (const char c : zone()) {
        if (!detail::is_digit(c)) return 0;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return value;
}

constexpr std::string_view address_v6::zone() const noexcept {
    return std::string_view(zone_.data(), zone_size_);
}

constexpr std::optional<address_v6> address_v6::with_zone(std::string_view zone) const noexcept {
    if (!zone.empty() && detail::check_zone(zone) != error{}) return std::nullopt;
    address_v6 copy(bytes_);
    copy.assign_zone(zone);
    return copy;
}

inline std::optional<address_v6> address_v6::with_zone(std::string_view zone,
                                                       std::error_code& ec) const noexcept {
    auto result = with_zone(zone);
    if (result) {
        ec.clear();
    } else {
        ec = make_error_code(error::invalid_zone);
    }
    return result;
}

constexpr address_v6 address_v6::with_scope_id(std::uint32_t scope_id) const noexcept {
    return address_v6(bytes_, scope_id);
}

constexpr std::optional<address_v6> address_v6::parse(std::string_view text) noexcept {
    bytes_type bytes{};
    std::string_view zone;
    if (detail::parse_v6_text(text, bytes, zone) != error{}) return std::nullopt;
    address_v6 result(bytes);
    result.assign_zone(zone);
    return result;
}

inline std::optional<address_v6> address_v6::parse(std::string_view text,
                                                   std::error_code& ec) noexcept {
    bytes_type bytes{};
    std::string_view zone;
    const error e = detail::parse_v6_text(text, bytes, zone);
    if (e != error{}) {
        ec = make_error_code(e);
        return std::nullopt;
    }
    ec.clear();
    address_v6 result(bytes);
    result.assign_zone(zone);
    return result;
}

inline std::string address_v6::to_string() const {
    char text[detail::max_v6_text] = {};
    const char* end = detail::format_v6(bytes_, zone(), text);
    return std::string(text, static_cast<std::size_t>(end - text));
}

constexpr address_v6 address_v6::any() noexcept { return address_v6(); }

constexpr address_v6 address_v6::loopback() noexcept {
    return address_v6(bytes_type{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
}

constexpr address_v6 address_v6::v4_mapped(const address_v4& v4) noexcept {
    const auto b = v4.to_bytes();
    return address_v6(bytes_type{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, b[0], b[1], b[2], b[3]});
}

constexpr std::optional<address_v4> address_v6::mapped_v4() const noexcept {
    if (!is_v4_mapped()) return std::nullopt;
    return address_v4(address_v4::bytes_type{bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

constexpr bool address_v6::is_unspecified() const noexcept {
    for (const auto b : bytes_) {
        if (b != 0) return false;
    }
    return true;
}

constexpr bool address_v6::is_loopback() const noexcept {
    for (std::size_t i = 0; i < 15; ++i) {
        if (bytes_[i] != 0) return false;
    }
    return bytes_[15] == 1;
}

// Prefixes that are not byte-aligned mask the partial byte: /7 keeps 7 bits of byte 0 (0xFE),
// /10 keeps byte 0 and the top 2 bits of byte 1 (0xC0).
constexpr bool address_v6::is_multicast() const noexcept { return bytes_[0] == 0xFF; }
constexpr bool address_v6::is_unique_local() const noexcept { return (bytes_[0] & 0xFE) == 0xFC; }
constexpr bool address_v6::is_private() const noexcept { return is_unique_local(); }

constexpr bool address_v6::is_link_local() const noexcept {
    return bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0x80;
}

constexpr bool address_v6::is_v4_mapped() const noexcept {
    for (std::size_t i = 0; i < 10; ++i) {
        if (bytes_[i] != 0) return false;
    }
    return bytes_[10] == 0xFF && bytes_[11] == 0xFF;
}

constexpr bool address_v6::is_broadcast() const noexcept { return false; }

constexpr int address_v6::compare(const address_v6& other) const noexcept {
    for (std::size_t i = 0; i < 16; ++i) {
        if (bytes_[i] != other.bytes_[i]) return bytes_[i] < other.bytes_[i] ? -1 : 1;
    }
    const int c = zone().compare(other.zone());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

constexpr void address_v6::assign_zone(std::string_view zone) noexcept {
    zone_ = {};  // unused characters stay zero
    for (std::size_t i = 0; i < zone.size(); ++i) zone_[i] = zone[i];
    zone_size_ = static_cast<std::uint8_t>(zone.size());
}

// ---- address ----

constexpr address::address() noexcept : v4_(), is_v6_(false) {}
constexpr address::address(const address_v4& v4) noexcept : v4_(v4), is_v6_(false) {}
constexpr address::address(const address_v6& v6) noexcept : v6_(v6), is_v6_(true) {}

constexpr std::optional<address> address::parse(std::string_view text) noexcept {
    if (text.find(':') == std::string_view::npos) {
        if (auto v4 = address_v4::parse(text)) return address(*v4);
        return std::nullopt;
    }
    if (auto v6 = address_v6::parse(text)) return address(*v6);
    return std::nullopt;
}

// A ':' can only be IPv6, so the family is decided up front and each parser reports its own
// error; text without ':' that is not a dotted quad is classified for a clearer message.
inline std::optional<address> address::parse(std::string_view text, std::error_code& ec) noexcept {
    if (text.find(':') != std::string_view::npos) {
        if (auto v6 = address_v6::parse(text, ec)) return address(*v6);
        return std::nullopt;  // ec says not_an_ipv6_address or invalid_zone
    }
    if (auto v4 = address_v4::parse(text)) {
        ec.clear();
        return address(*v4);
    }
    ec = make_error_code(detail::classify_address_text(text));
    return std::nullopt;
}

constexpr bool address::is_v4() const noexcept { return !is_v6_; }
constexpr bool address::is_v6() const noexcept { return is_v6_; }

// Throwing in a constexpr function is fine while the throwing branch is not evaluated.
constexpr address_v4 address::to_v4() const {
    if (is_v6_) detail::throw_error(make_error_code(error::family_mismatch), "address::to_v4");
    return v4_;
}

inline address_v4 address::to_v4(std::error_code& ec) const noexcept {
    if (is_v6_) {
        ec = make_error_code(error::family_mismatch);
        return address_v4();
    }
    ec.clear();
    return v4_;
}

constexpr address_v6 address::to_v6() const {
    if (!is_v6_) detail::throw_error(make_error_code(error::family_mismatch), "address::to_v6");
    return v6_;
}

inline address_v6 address::to_v6(std::error_code& ec) const noexcept {
    if (!is_v6_) {
        ec = make_error_code(error::family_mismatch);
        return address_v6();
    }
    ec.clear();
    return v6_;
}

inline std::string address::to_string() const { return is_v6_ ? v6_.to_string() : v4_.to_string(); }

constexpr bool address::is_unspecified() const noexcept {
    return is_v6_ ? v6_.is_unspecified() : v4_.is_unspecified();
}
constexpr bool address::is_loopback() const noexcept {
    return is_v6_ ? v6_.is_loopback() : v4_.is_loopback();
}
constexpr bool address::is_multicast() const noexcept {
    return is_v6_ ? v6_.is_multicast() : v4_.is_multicast();
}
constexpr bool address::is_private() const noexcept {
    return is_v6_ ? v6_.is_private() : v4_.is_private();
}
constexpr bool address::is_link_local() const noexcept {
    return is_v6_ ? v6_.is_link_local() : v4_.is_link_local();
}
constexpr bool address::is_broadcast() const noexcept {
    return is_v6_ ? v6_.is_broadcast() : v4_.is_broadcast();
}
constexpr bool address::is_v4_mapped() const noexcept { return is_v6_ && v6_.is_v4_mapped(); }

constexpr int address::compare(const address& other) const noexcept {
    if (is_v6_ != other.is_v6_) return is_v6_ ? 1 : -1;
    if (is_v6_) return v6_ < other.v6_ ? -1 : (other.v6_ < v6_ ? 1 : 0);
    return v4_ < other.v4_ ? -1 : (other.v4_ < v4_ ? 1 : 0);
}

template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address_v4& a) {
    return os << a.to_string();
}
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address_v6& a) {
    return os << a.to_string();
}
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const address& a) {
    return os << a.to_string();
}

}  // namespace netlite

// std::hash is declared by <optional>, <string> and <string_view>; <functional> is not needed
// (in C++17 mode it drags in most of the container library).
namespace std {
template <>
struct hash<netlite::address_v4> {
    size_t operator()(const netlite::address_v4& a) const noexcept {
        return netlite::detail::to_size(netlite::detail::hash_value(a));
    }
};
template <>
struct hash<netlite::address_v6> {
    size_t operator()(const netlite::address_v6& a) const noexcept {
        return netlite::detail::to_size(netlite::detail::hash_value(a));
    }
};
template <>
struct hash<netlite::address> {
    size_t operator()(const netlite::address& a) const noexcept {
        return netlite::detail::to_size(netlite::detail::hash_value(a));
    }
};
}  // namespace std

#endif  // NETLITE_ADDRESS_HPP
