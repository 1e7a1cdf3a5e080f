// SPDX-License-Identifier: MIT
//
// Fuzzes address_v4 / address_v6 / address / endpoint parsing and formatting.
//   1. The input as text goes through every parse overload: no crash; the optional and the
//      error_code overloads agree; acceptance and value match an independent reference parser
//      written from DESIGN.md's rules (below); a successful parse round-trips canonically:
//      parse(to_string(x)) == x and to_string(parse(to_string(x))) == to_string(x), and for
//      IPv4 and endpoints with IPv4 the input itself was already canonical.
//   2. Values built from the input's bytes (any 16 bytes, a zone, a scope id, a port) print as
//      an independent RFC 5952 formatter says and parse back equal.

#include <netlite/address.hpp>
#include <netlite/endpoint.hpp>

#include "fuzz_common.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using netlite::address;
using netlite::address_v4;
using netlite::address_v6;
using netlite::endpoint;
using bytes16 = std::array<std::uint8_t, 16>;

// ---- reference model: DESIGN.md "Parsing rules", written without looking at address.hpp ----

bool ref_digit(char c) { return c >= '0' && c <= '9'; }

int ref_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<std::string_view> ref_split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = s.find(sep);
        parts.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

/// Exactly four parts of 1-3 digits, 0-255, no leading zero.
std::optional<std::uint32_t> ref_v4(std::string_view s) {
    const auto parts = ref_split(s, '.');
    if (parts.size() != 4) return std::nullopt;
    std::uint32_t value = 0;
    for (const std::string_view part : parts) {
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
            return std::nullopt;
        std::uint32_t octet = 0;
        for (const char c : part) {
            if (!ref_digit(c)) return std::nullopt;
            octet = octet * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (octet > 255) return std::nullopt;
        value = value << 8 | octet;
    }
    return value;
}

/// 1-15 characters of ALPHA / DIGIT / "-._~"; all digits means a number <= 2^32-1.
bool ref_zone(std::string_view z) {
    if (z.empty() || z.size() > 15) return false;
    bool all_digits = true;
    std::uint64_t number = 0;
    for (const char c : z) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && !ref_digit(c) && c != '-' && c != '.' && c != '_' && c != '~') return false;
        if (ref_digit(c)) {
            number = number * 10 + static_cast<std::uint64_t>(c - '0');
        } else {
            all_digits = false;
        }
    }
    return !all_digits || number <= 0xFFFFFFFFu;
}

/// A ':'-separated list of 1-4 hex digit groups (empty text: none); the last element may be
/// a dotted quad (two groups) when `dotted_tail`.
bool ref_groups(std::string_view s, bool dotted_tail, std::vector<std::uint16_t>& out) {
    if (s.empty()) return true;
    const auto parts = ref_split(s, ':');
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string_view g = parts[i];
        if (dotted_tail && i + 1 == parts.size() && g.find('.') != std::string_view::npos) {
            const auto v4 = ref_v4(g);
            if (!v4) return false;
            out.push_back(static_cast<std::uint16_t>(*v4 >> 16));
            out.push_back(static_cast<std::uint16_t>(*v4 & 0xFFFF));
            continue;
        }
        if (g.empty() || g.size() > 4) return false;
        unsigned value = 0;
        for (const char c : g) {
            if (ref_hex(c) < 0) return false;
            value = value * 16 + static_cast<unsigned>(ref_hex(c));
        }
        out.push_back(static_cast<std::uint16_t>(value));
    }
    return true;
}

struct ref_v6_value {
    bytes16 bytes{};
    std::string zone;
};

/// RFC 4291 text with one optional "::" (one or more zero groups), then an optional %zone.
std::optional<ref_v6_value> ref_v6(std::string_view s) {
    ref_v6_value v;
    const std::size_t percent = s.find('%');
    if (percent != std::string_view::npos) {
        v.zone = std::string(s.substr(percent + 1));
        if (!ref_zone(v.zone)) return std::nullopt;
        s = s.substr(0, percent);
    }
    std::vector<std::uint16_t> head, tail;
    const std::size_t gap = s.find("::");
    if (gap == std::string_view::npos) {
        if (!ref_groups(s, true, head) || head.size() != 8) return std::nullopt;
    } else {
        if (s.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
        if (!ref_groups(s.substr(0, gap), false, head) ||
            !ref_groups(s.substr(gap + 2), true, tail) || head.size() + tail.size() > 7)
            return std::nullopt;
        head.resize(8 - tail.size(), 0);
        head.insert(head.end(), tail.begin(), tail.end());
    }
    for (std::size_t i = 0; i < 8; ++i) {
        v.bytes[2 * i] = static_cast<std::uint8_t>(head[i] >> 8);
        v.bytes[2 * i + 1] = static_cast<std::uint8_t>(head[i] & 0xFF);
    }
    return v;
}

/// Decimal 0-65535: digits only, no leading zero unless the port is "0".
std::optional<std::uint16_t> ref_port(std::string_view s) {
    if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    std::uint32_t value = 0;
    for (const char c : s) {
        if (!ref_digit(c)) return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

struct ref_endpoint_value {
    bool v6 = false;
    std::uint32_t v4 = 0;
    ref_v6_value v6_value;
    std::uint16_t port = 0;
};

/// "a.b.c.d:port" or "[v6%zone]:port".
std::optional<ref_endpoint_value> ref_endpoint(std::string_view s) {
    ref_endpoint_value e;
    std::string_view port_text;
    if (!s.empty() && s[0] == '[') {
        const std::size_t close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const auto v6 = ref_v6(s.substr(1, close - 1));
        if (!v6 || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
        e.v6 = true;
        e.v6_value = *v6;
        port_text = s.substr(close + 2);
    } else {
        const std::size_t colon = s.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const auto v4 = ref_v4(s.substr(0, colon));
        if (!v4) return std::nullopt;
        e.v4 = *v4;
        port_text = s.substr(colon + 1);
    }
    const auto port = ref_port(port_text);
    if (!port) return std::nullopt;
    e.port = *port;
    return e;
}

std::string ref_format_v4(std::uint32_t v) {
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xFF) + "." +
           std::to_string((v >> 8) & 0xFF) + "." + std::to_string(v & 0xFF);
}

/// RFC 5952 section 4 (and DESIGN.md: dotted tail only for ::ffff:a.b.c.d).
std::string ref_format_v6(const bytes16& b, std::string_view zone) {
    unsigned g[8];
    for (int i = 0; i < 8; ++i)
        g[i] = unsigned(b[std::size_t(2 * i)]) << 8 | b[std::size_t(2 * i + 1)];
    std::string out;
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF) {
        out = "::ffff:" + ref_format_v4(std::uint32_t(g[6]) << 16 | g[7]);
    } else {
        int best = -1, best_len = 0;
        for (int i = 0; i < 8; ++i) {
            int len = 0;
            while (i + len < 8 && g[i + len] == 0) ++len;
            if (len >= 2 && len > best_len) {
                best = i;
                best_len = len;
            }
        }
        static constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 8; ++i) {
            if (i == best) {
                out += "::";
                i += best_len - 1;
                continue;
            }
            if (!out.empty() && out.back() != ':') out += ':';
            std::string group;
            for (unsigned v = g[i]; v != 0; v >>= 4) group.insert(group.begin(), hex[v & 0xF]);
            out += group.empty() ? "0" : group;
        }
    }
    if (!zone.empty()) out.append("%").append(zone);
    return out;
}

// ---- checks against the library ----

template <typename T>
std::string streamed(const T& value) {
    std::ostringstream os;
    os << value;
    return os.str();
}

/// The canonical round trip of a parsed or constructed value.
template <typename T>
void check_round_trip(const T& x) {
    const std::string text = x.to_string();
    netlite_fuzz::note("to_string", text);
    const std::optional<T> again = T::parse(text);
    NETLITE_FUZZ_CHECK(again.has_value());
    NETLITE_FUZZ_CHECK(*again == x);
    NETLITE_FUZZ_CHECK(!(*again != x) && !(*again < x) && !(x < *again));
    NETLITE_FUZZ_CHECK(again->to_string() == text);
    NETLITE_FUZZ_CHECK(std::hash<T>{}(*again) == std::hash<T>{}(x));
    NETLITE_FUZZ_CHECK(streamed(x) == text);
}

void check_v4_text(std::string_view text) {
    std::error_code ec = std::make_error_code(std::errc::io_error);  // must be overwritten
    const std::optional<address_v4> a = address_v4::parse(text);
    const std::optional<address_v4> b = address_v4::parse(text, ec);
    NETLITE_FUZZ_CHECK(a.has_value() == b.has_value() && a.has_value() == !ec);
    const auto ref = ref_v4(text);
    NETLITE_FUZZ_CHECK(a.has_value() == ref.has_value());
    if (!a) {
        NETLITE_FUZZ_CHECK(ec == netlite::error::not_an_ipv4_address);
        return;
    }
    NETLITE_FUZZ_CHECK(*a == *b && a->to_uint() == *ref);
    NETLITE_FUZZ_CHECK(a->to_string() == text);  // only canonical text parses
    NETLITE_FUZZ_CHECK(address_v4(a->to_bytes()) == *a && address_v4(a->to_uint()) == *a);
    check_round_trip(*a);
}

void check_v6_text(std::string_view text) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    const std::optional<address_v6> a = address_v6::parse(text);
    const std::optional<address_v6> b = address_v6::parse(text, ec);
    NETLITE_FUZZ_CHECK(a.has_value() == b.has_value() && a.has_value() == !ec);
    const auto ref = ref_v6(text);
    NETLITE_FUZZ_CHECK(a.has_value() == ref.has_value());
    if (!a) {
        NETLITE_FUZZ_CHECK(ec == netlite::error::not_an_ipv6_address ||
                           ec == netlite::error::invalid_zone);
        return;
    }
    NETLITE_FUZZ_CHECK(*a == *b);
    NETLITE_FUZZ_CHECK(a->to_bytes() == ref->bytes && a->zone() == ref->zone);
    NETLITE_FUZZ_CHECK(a->to_string() == ref_format_v6(ref->bytes, ref->zone));
    const auto rebuilt = address_v6(a->to_bytes()).with_zone(a->zone());
    NETLITE_FUZZ_CHECK(rebuilt.has_value() && *rebuilt == *a);
    check_round_trip(*a);
}

void check_address_text(std::string_view text) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    const std::optional<address> a = address::parse(text);
    const std::optional<address> b = address::parse(text, ec);
    NETLITE_FUZZ_CHECK(a.has_value() == b.has_value() && a.has_value() == !ec);
    // v4 if the text has no ':', else v6 (address.hpp's contract).
    const bool colon = text.find(':') != std::string_view::npos;
    if (colon) {
        const auto v6 = address_v6::parse(text);
        NETLITE_FUZZ_CHECK(a.has_value() == v6.has_value());
        if (a) NETLITE_FUZZ_CHECK(a->is_v6() && !a->is_v4() && a->to_v6() == *v6);
    } else {
        const auto v4 = address_v4::parse(text);
        NETLITE_FUZZ_CHECK(a.has_value() == v4.has_value());
        if (a) NETLITE_FUZZ_CHECK(a->is_v4() && !a->is_v6() && a->to_v4() == *v4);
    }
    if (!a) {
        NETLITE_FUZZ_CHECK(
            ec == netlite::error::not_an_address || ec == netlite::error::not_an_ipv4_address ||
            ec == netlite::error::not_an_ipv6_address || ec == netlite::error::invalid_zone);
        return;
    }
    NETLITE_FUZZ_CHECK(*a == *b);
    check_round_trip(*a);
}

void check_endpoint_text(std::string_view text) {
    std::error_code ec = std::make_error_code(std::errc::io_error);
    const std::optional<endpoint> a = endpoint::parse(text);
    const std::optional<endpoint> b = endpoint::parse(text, ec);
    NETLITE_FUZZ_CHECK(a.has_value() == b.has_value() && a.has_value() == !ec);
    const auto ref = ref_endpoint(text);
    NETLITE_FUZZ_CHECK(a.has_value() == ref.has_value());
    if (!a) return;
    NETLITE_FUZZ_CHECK(*a == *b && a->port() == ref->port);
    NETLITE_FUZZ_CHECK(a->is_v6() == ref->v6 && a->is_v4() == !ref->v6);
    if (ref->v6) {
        const address_v6 v6 = a->address().to_v6();
        NETLITE_FUZZ_CHECK(v6.to_bytes() == ref->v6_value.bytes && v6.zone() == ref->v6_value.zone);
    } else {
        NETLITE_FUZZ_CHECK(a->address().to_v4().to_uint() == ref->v4);
        NETLITE_FUZZ_CHECK(a->to_string() == text);  // IPv4 endpoints have one spelling
    }
    NETLITE_FUZZ_CHECK(endpoint(a->address(), a->port()) == *a);
    check_round_trip(*a);
}

/// Values made from raw bytes: formatting of every bit pattern, not just parseable text.
void check_constructed(netlite_fuzz::input in) {
    bytes16 bytes{};
    for (auto& b : bytes) b = in.byte();
    const std::uint8_t zone_length = in.byte() % 17;
    std::string zone;
    for (std::uint8_t i = 0; i < zone_length; ++i) zone += static_cast<char>(in.byte());
    const std::uint32_t scope = in.word();
    const auto port = static_cast<std::uint16_t>(in.byte() | in.byte() << 8);

    const address_v4 v4({bytes[0], bytes[1], bytes[2], bytes[3]});
    NETLITE_FUZZ_CHECK(v4.to_string() == ref_format_v4(v4.to_uint()));
    check_round_trip(v4);

    const address_v6 plain(bytes);
    NETLITE_FUZZ_CHECK(plain.to_bytes() == bytes && plain.zone().empty());
    NETLITE_FUZZ_CHECK(plain.to_string() == ref_format_v6(bytes, ""));
    check_round_trip(plain);

    const address_v6 scoped(bytes, scope);
    const std::string scope_text = scope == 0 ? "" : std::to_string(scope);
    NETLITE_FUZZ_CHECK(scoped.zone() == scope_text && scoped.scope_id() == scope);
    NETLITE_FUZZ_CHECK(scoped.to_string() == ref_format_v6(bytes, scope_text));
    NETLITE_FUZZ_CHECK(plain.with_scope_id(scope) == scoped);
    check_round_trip(scoped);

    netlite_fuzz::note("zone", zone);
    const std::optional<address_v6> zoned = plain.with_zone(zone);
    NETLITE_FUZZ_CHECK(zoned.has_value() == (zone.empty() || ref_zone(zone)));
    if (zoned) {
        NETLITE_FUZZ_CHECK(zoned->zone() == zone && zoned->to_bytes() == bytes);
        NETLITE_FUZZ_CHECK(zoned->to_string() == ref_format_v6(bytes, zone));
        check_round_trip(*zoned);
        check_round_trip(address(*zoned));
        check_round_trip(endpoint(*zoned, port));
    }
    check_round_trip(address(v4));
    check_round_trip(address(scoped));
    check_round_trip(endpoint(v4, port));
    check_round_trip(endpoint(plain, port));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    netlite_fuzz::input in(data, size);
    const std::string_view text = in.rest();
    netlite_fuzz::note("input", text);
    check_v4_text(text);
    check_v6_text(text);
    check_address_text(text);
    check_endpoint_text(text);
    check_constructed(in);
    return 0;
}
