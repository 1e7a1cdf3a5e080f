// SPDX-License-Identifier: MIT
#ifndef NETLITE_ENDPOINT_HPP
#define NETLITE_ENDPOINT_HPP

/// \file
/// `endpoint`: an IP address plus a port, written `a.b.c.d:port` or `[v6%zone]:port`. Parsing is
/// numeric only (host names go through the resolver) and constexpr. No OS headers.

#include <netlite/address.hpp>
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

/// An address and a port (host order). Trivially copyable; the default is 0.0.0.0:0.
class endpoint {
  public:
    /// 0.0.0.0:0
    constexpr endpoint() noexcept = default;
    /// `port_number` in host order; an `address_v4` or `address_v6` converts implicitly.
    constexpr endpoint(const netlite::address& addr, std::uint16_t port_number) noexcept;

    /// The address, zone included. (Inside this class the member hides the type's name, hence
    /// the `netlite::` qualification.)
    constexpr netlite::address address() const noexcept;
    /// The port in host order.
    constexpr std::uint16_t port() const noexcept;
    /// Same as `address().is_v4()`: the family a socket for this endpoint needs.
    constexpr bool is_v4() const noexcept;
    /// Same as `address().is_v6()`, also for IPv4-mapped addresses.
    constexpr bool is_v6() const noexcept;

    /// `a.b.c.d:port` or `[ipv6]:port` / `[ipv6%zone]:port`, addresses as in `address_v4::parse`
    /// and `address_v6::parse`. The port is decimal 0-65535: digits only, no leading zeros
    /// ("0" is fine, "080" is not, as with dotted quads), no sign or spaces. Ports are parsed
    /// without overflow: ":99999999999999999999" is out of range, never wrapped. An IPv6
    /// address must be bracketed ("::1:80" is ambiguous). nullopt on anything else.
    static constexpr std::optional<endpoint> parse(std::string_view text) noexcept;
    /// As above; on failure `ec` names the first problem found, checked in this order:
    /// `bad_brackets` (unmatched or misplaced `[` `]`, or an IPv6 address without them),
    /// `not_an_ipv4_address` / `not_an_ipv6_address` / `invalid_zone` / `not_an_address`,
    /// `missing_port` (no ':' after the address), `invalid_port` (empty, non-digit, leading
    /// zero), `port_out_of_range` (above 65535). On success `ec` is cleared.
    static std::optional<endpoint> parse(std::string_view text, std::error_code& ec) noexcept;
    /// "192.0.2.1:80", "[2001:db8::1]:443", "[fe80::1%eth0]:22"; parses back to an equal value.
    std::string to_string() const;

    // Address first (all IPv4 before IPv6), then port.
    friend constexpr bool operator==(const endpoint& x, const endpoint& y) noexcept {
        return x.port_ == y.port_ && x.address_ == y.address_;
    }
    friend constexpr bool operator!=(const endpoint& x, const endpoint& y) noexcept {
        return !(x == y);
    }
    friend constexpr bool operator<(const endpoint& x, const endpoint& y) noexcept {
        return x.address_ < y.address_ || (x.address_ == y.address_ && x.port_ < y.port_);
    }
    friend constexpr bool operator<=(const endpoint& x, const endpoint& y) noexcept {
        return !(y < x);
    }
    friend constexpr bool operator>(const endpoint& x, const endpoint& y) noexcept { return y < x; }
    friend constexpr bool operator>=(const endpoint& x, const endpoint& y) noexcept {
        return !(x < y);
    }

  private:
    netlite::address address_;  // 0.0.0.0 by default
    std::uint16_t port_ = 0;    // host order; sockets convert when they build a sockaddr
};

/// A port number as text: decimal 0-65535, digits only, no leading zeros ("0" is fine, "080" is
/// not), no sign or spaces; never overflows ("99999999999" is out of range). The same rule as the
/// port of `endpoint::parse`, for programs that take a port on their command line.
constexpr std::optional<std::uint16_t> parse_port(std::string_view text) noexcept;
/// As above; on failure `ec` is `invalid_port` or `port_out_of_range`, on success cleared.
std::optional<std::uint16_t> parse_port(std::string_view text, std::error_code& ec) noexcept;

/// Writes `to_string()`; for diagnostics and test output.
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const endpoint& e);

}  // namespace netlite

// std::hash<netlite::endpoint>, consistent with ==, follows below.

// ---- implementation ----

namespace netlite {
namespace detail {

// The grammar lives in detail:: as constexpr functions returning `netlite::error` (`error{}`
// is success), shared by both parse overloads; the address pieces come from address.hpp.

/// "[" + IPv6 with zone + "]:" + 5 digits.
inline constexpr std::size_t max_endpoint_text = 1 + max_v6_text + 2 + 5;

/// Decimal 0-65535 without leading zeros; never overflows, however long the digit run.
constexpr error parse_port(std::string_view s, std::uint16_t& out) noexcept {
    if (s.empty()) return error::invalid_port;
    for (const char c : s) {
        if (!is_digit(c)) return error::invalid_port;
    }
    if (s.size() > 1 && s[0] == '0') return error::invalid_port;
    if (s.size() > 5) return error::port_out_of_range;  // six digits or more: at least 100000
    std::uint32_t value = 0;
    for (const char c : s) value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) return error::port_out_of_range;
    out = static_cast<std::uint16_t>(value);
    return error{};
}

/// The whole endpoint grammar; see `endpoint::parse` for the order of the checks. The order
/// is chosen so that the reason names what a person would fix first: structure (brackets),
/// then the address, then the port.
constexpr error parse_endpoint(std::string_view s, address& addr, std::uint16_t& port) noexcept {
    constexpr auto npos = std::string_view::npos;
    std::string_view port_text;
    bool has_port = false;
    if (!s.empty() && s[0] == '[') {
        const std::size_t close = s.find(']');
        if (close == npos) return error::bad_brackets;
        const std::string_view inner = s.substr(1, close - 1);
        const std::string_view rest = s.substr(close + 1);
        if (inner.find('[') != npos || rest.find_first_of("[]") != npos) return error::bad_brackets;
        if (!rest.empty() && rest[0] != ':') return error::bad_brackets;  // "[::1]80"
        // The zone is inside the brackets, as in RFC 6874 but without its "%25" escaping.
        std::array<std::uint8_t, 16> bytes{};
        std::string_view zone;
        const error e = parse_v6_text(inner, bytes, zone);
        if (e != error{}) return e;  // "[1.2.3.4]:80" lands here: brackets are for IPv6 only
        addr = address_v6(bytes).with_zone(zone).value_or(address_v6());
        has_port = !rest.empty();
        if (has_port) port_text = rest.substr(1);
    } else {
        if (s.find_first_of("[]") != npos) return error::bad_brackets;
        const std::size_t colon = s.find(':');
        const std::string_view host = s.substr(0, colon);
        std::uint32_t v4 = 0;
        if (!parse_v4_text(host, v4)) {
            // An IPv6 address, with or without a port after it, needs brackets ("::1:80").
            std::array<std::uint8_t, 16> bytes{};
            std::string_view zone;
            const std::size_t last = s.rfind(':');
            if (colon != last && (parse_v6_text(s, bytes, zone) == error{} ||
                                  parse_v6_text(s.substr(0, last), bytes, zone) == error{})) {
                return error::bad_brackets;
            }
            return classify_address_text(colon == last ? host : s);
        }
        addr = address_v4(v4);
        has_port = colon != npos;
        if (has_port) port_text = s.substr(colon + 1);
    }
    if (!has_port) return error::missing_port;
    return parse_port(port_text, port);
}

/// Combines the address hash (see address.hpp) with the port.
constexpr std::uint64_t hash_value(const endpoint& e) noexcept {
    return hash_combine(hash_value(e.address()), e.port());
}

}  // namespace detail

constexpr endpoint::endpoint(const netlite::address& addr, std::uint16_t port_number) noexcept
    : address_(addr), port_(port_number) {}

constexpr netlite::address endpoint::address() const noexcept { return address_; }
constexpr std::uint16_t endpoint::port() const noexcept { return port_; }
constexpr bool endpoint::is_v4() const noexcept { return address_.is_v4(); }
constexpr bool endpoint::is_v6() const noexcept { return address_.is_v6(); }

constexpr std::optional<endpoint> endpoint::parse(std::string_view text) noexcept {
    netlite::address addr;
    std::uint16_t port_number = 0;
    if (detail::parse_endpoint(text, addr, port_number) != error{}) return std::nullopt;
    return endpoint(addr, port_number);
}

inline std::optional<endpoint> endpoint::parse(std::string_view text,
                                               std::error_code& ec) noexcept {
    netlite::address addr;
    std::uint16_t port_number = 0;
    const error e = detail::parse_endpoint(text, addr, port_number);
    if (e != error{}) {
        ec = make_error_code(e);
        return std::nullopt;
    }
    ec.clear();
    return endpoint(addr, port_number);
}

constexpr std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
    std::uint16_t port = 0;
    if (detail::parse_port(text, port) != error{}) return std::nullopt;
    return port;
}

inline std::optional<std::uint16_t> parse_port(std::string_view text,
                                               std::error_code& ec) noexcept {
    std::uint16_t port = 0;
    const error e = detail::parse_port(text, port);
    if (e != error{}) {
        ec = make_error_code(e);
        return std::nullopt;
    }
    ec.clear();
    return port;
}

// Formats into a stack buffer first: one allocation for the returned string, none on the way.
inline std::string endpoint::to_string() const {
    char text[detail::max_endpoint_text] = {};
    char* out = text;
    if (address_.is_v6()) {
        const address_v6 v6 = address_.to_v6();
        *out++ = '[';
        out = detail::format_v6(v6.to_bytes(), v6.zone(), out);
        *out++ = ']';
    } else {
        out = detail::format_v4(address_.to_v4().to_uint(), out);
    }
    *out++ = ':';
    out = detail::write_decimal(port_, out);
    return std::string(text, static_cast<std::size_t>(out - text));
}

template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os,
                                              const endpoint& e) {
    return os << e.to_string();
}

}  // namespace netlite

namespace std {
template <>
struct hash<netlite::endpoint> {
    size_t operator()(const netlite::endpoint& e) const noexcept {
        return netlite::detail::to_size(netlite::detail::hash_value(e));
    }
};
}  // namespace std

#endif  // NETLITE_ENDPOINT_HPP
