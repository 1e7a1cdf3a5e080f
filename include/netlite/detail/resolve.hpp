// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_RESOLVE_HPP
#define NETLITE_DETAIL_RESOLVE_HPP

/// \file
/// Host and service names to endpoints, below the socket layer: `netlite::resolve_error` (the
/// portable resolver conditions), the "netlite.resolver" category that keeps native EAI_* codes,
/// and `detail::resolve_endpoints`, which `socket.hpp` uses to connect to a host name. The
/// public face is `resolver.hpp`; this header stays small because every socket user includes it.

#include <netlite/address.hpp>
#include <netlite/byte_order.hpp>
#include <netlite/detail/platform.hpp>
#include <netlite/detail/sockaddr.hpp>
#include <netlite/detail/socket_ops.hpp>
#include <netlite/endpoint.hpp>
#include <netlite/error.hpp>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace netlite {

/// Portable resolver failures, as conditions: `if (ec == netlite::resolve_error::host_not_found)`
/// holds for the native code of every platform. The codes themselves keep the OS value (EAI_*)
/// in the "netlite.resolver" category; failures that are really OS errors (EAI_SYSTEM) arrive
/// as errno in `std::system_category()`.
enum class resolve_error {
    host_not_found = 1,    ///< no such name (EAI_NONAME: NXDOMAIN, not in /etc/hosts), or
                           ///< `numeric_host` text that is not an IPv4/IPv6 address
    try_again,             ///< temporary failure, e.g. no DNS server answered (EAI_AGAIN)
    service_not_found,     ///< service name unknown for the protocol (EAI_SERVICE), or a port
                           ///< number above 65535
    no_data,               ///< the name exists but has no address (EAI_NODATA)
    family_not_supported,  ///< no address in the requested family (EAI_ADDRFAMILY), or the
                           ///< family itself is unsupported (EAI_FAMILY)
    bad_flags,             ///< invalid hints: flags or socket type (EAI_BADFLAGS, EAI_SOCKTYPE)
    failure,               ///< non-recoverable failure in the resolver (EAI_FAIL)
    out_of_memory,         ///< the resolver ran out of memory (EAI_MEMORY, ENOMEM)
};

/// The category of `resolve_error` conditions; its name is "netlite.resolve_error".
const std::error_category& resolve_error_category() noexcept;

/// Makes `resolve_error` values usable as `std::error_condition` (found by ADL).
inline std::error_condition make_error_condition(resolve_error e) noexcept {
    return {static_cast<int>(e), resolve_error_category()};
}

}  // namespace netlite

namespace std {
template <>
struct is_error_condition_enum<netlite::resolve_error> : true_type {};
}  // namespace std

namespace netlite::detail {

/// The category of native getaddrinfo / getnameinfo codes; name "netlite.resolver".
const std::error_category& resolver_category() noexcept;

/// The code for an EAI_* result, captured right after the call; EAI_SYSTEM becomes errno in
/// `std::system_category()`.
std::error_code make_resolver_error(int eai_code) noexcept;

/// How `resolve_endpoints` looks names up (the socket layer needs only the first four).
struct resolve_options {
    int family = AF_UNSPEC;       ///< AF_UNSPEC, AF_INET or AF_INET6
    int socktype = SOCK_STREAM;   ///< SOCK_STREAM or SOCK_DGRAM (also picks the service protocol)
    bool passive = false;         ///< empty host: wildcard address (bind) instead of loopback
    bool canonical_name = false;  ///< fill `*canonical` (AI_CANONNAME)
    bool numeric_host = false;    ///< host must be an IPv4/IPv6 address; never look a name up
};

/// Every endpoint `host`/`service` resolve to, in the resolver's order, duplicates removed
/// (same endpoint appearing for several socktypes). Numeric fast path: if host parses as an
/// IPv4/IPv6 address (address::parse, with %zone) and service is a decimal port 0-65535, no
/// lookup is made. Empty host means the wildcard address for `passive` or loopback otherwise
/// (like AI_PASSIVE). family: AF_UNSPEC, AF_INET or AF_INET6. socktype: SOCK_STREAM or
/// SOCK_DGRAM. Blocks while a DNS server is asked. Port text above 65535 is
/// `netlite::error::port_out_of_range` (== resolve_error::service_not_found).
std::vector<endpoint> resolve_endpoints(std::string_view host, std::string_view service, int family,
                                        int socktype, bool passive, std::error_code& ec);

/// As above with every option; `canonical` (may be null) receives the canonical name when
/// `opts.canonical_name` is set: the resolver's answer, or the address text for a numeric host.
std::vector<endpoint> resolve_endpoints(std::string_view host, std::string_view service,
                                        const resolve_options& opts, std::string* canonical,
                                        std::error_code& ec);

/// Port (host order) of service `name` for SOCK_STREAM (tcp) or SOCK_DGRAM (udp), from the
/// services database (/etc/services); -1 with `ec` set when unknown (EAI_SERVICE) or on an
/// OS error.
long lookup_service_port(std::string_view name, int socktype, std::error_code& ec);

}  // namespace netlite::detail

// ---- implementation ----

namespace netlite {
namespace detail {

// Conditions for EAI_* codes. An if-chain, not a switch: several EAI_* names share a value on
// some systems (EAI_NODATA == EAI_NONAME on a few BSDs) and some do not exist everywhere.
inline int resolve_condition_of(int v) noexcept {
    if (v == EAI_NONAME) return static_cast<int>(resolve_error::host_not_found);
    if (v == EAI_AGAIN) return static_cast<int>(resolve_error::try_again);
    if (v == EAI_SERVICE) return static_cast<int>(resolve_error::service_not_found);
#if defined(EAI_NODATA)
    if (v == EAI_NODATA) return static_cast<int>(resolve_error::no_data);
#endif
#if defined(EAI_ADDRFAMILY)
    if (v == EAI_ADDRFAMILY) return static_cast<int>(resolve_error::family_not_supported);
#endif
    if (v == EAI_FAMILY) return static_cast<int>(resolve_error::family_not_supported);
    if (v == EAI_BADFLAGS || v == EAI_SOCKTYPE) return static_cast<int>(resolve_error::bad_flags);
    if (v == EAI_FAIL) return static_cast<int>(resolve_error::failure);
    if (v == EAI_MEMORY) return static_cast<int>(resolve_error::out_of_memory);
    return 0;
}

class resolver_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "netlite.resolver"; }

    std::string message(int v) const override {
        if (v == EAI_NONAME) return "host not found";
        if (v == EAI_AGAIN)
            return "temporary failure in name resolution, try again (is a DNS server reachable?)";
        if (v == EAI_SERVICE) return "service not known for this protocol";
#if defined(EAI_NODATA)
        if (v == EAI_NODATA) return "host has no address";
#endif
#if defined(EAI_ADDRFAMILY)
        if (v == EAI_ADDRFAMILY) return "host has no address in the requested family";
#endif
        if (v == EAI_FAMILY) return "address family not supported by the resolver";
        if (v == EAI_SOCKTYPE) return "socket type not supported by the resolver";
        if (v == EAI_BADFLAGS) return "invalid resolver flags";
        if (v == EAI_FAIL) return "non-recoverable failure in name resolution";
        if (v == EAI_MEMORY) return "out of memory in name resolution";
#if defined(_WIN32)
        // Winsock's EAI_* are WSA codes; anything else it returns is one too.
        return winsock_category().message(v);
#else
        return ops::gai_message(v);
#endif
    }

    std::error_condition default_error_condition(int v) const noexcept override {
        const int condition = resolve_condition_of(v);
        if (condition != 0) return {condition, resolve_error_category()};
#if defined(_WIN32)
        return winsock_category().default_error_condition(v);
#else
        return {v, *this};
#endif
    }
};

class resolve_error_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "netlite.resolve_error"; }

    std::string message(int v) const override {
        switch (static_cast<resolve_error>(v)) {
            case resolve_error::host_not_found: return "host not found";
            case resolve_error::try_again: return "temporary failure in name resolution";
            case resolve_error::service_not_found: return "service not known for this protocol";
            case resolve_error::no_data: return "host has no address";
            case resolve_error::family_not_supported: return "address family not supported";
            case resolve_error::bad_flags: return "invalid resolver hints";
            case resolve_error::failure: return "non-recoverable failure in name resolution";
            case resolve_error::out_of_memory: return "out of memory in name resolution";
        }
        return "unknown resolver condition";
    }

    // Also matches the library's own codes for what the resolver checks before any lookup,
    // so one comparison covers both: port text > 65535, non-numeric text with numeric_host.
    bool equivalent(const std::error_code& code, int condition) const noexcept override {
        if (code.category() == netlite::error_category()) {
            switch (static_cast<netlite::error>(code.value())) {
                case netlite::error::port_out_of_range:
                case netlite::error::invalid_port:
                    return condition == static_cast<int>(resolve_error::service_not_found);
                case netlite::error::not_an_address:
                    return condition == static_cast<int>(resolve_error::host_not_found);
                default: return false;
            }
        }
        if (condition == static_cast<int>(resolve_error::out_of_memory) &&
            code == std::errc::not_enough_memory)
            return true;
        return code.category().default_error_condition(code.value()) ==
               std::error_condition(condition, *this);
    }
};

inline const std::error_category& resolver_category() noexcept {
    static const resolver_category_impl category;
    return category;
}

inline std::error_code make_resolver_error(int eai_code) noexcept {
#if defined(EAI_SYSTEM)
    if (eai_code == EAI_SYSTEM) {
        const int err = errno;
        if (err != 0) return {err, std::system_category()};
    }
#endif
    return {eai_code, resolver_category()};
}

// The decimal port in `text`: -1 when it is not all digits (so a service name), -2 when the
// digits exceed 65535. Parsed without overflow.
inline long parse_port_text(std::string_view text) noexcept {
    if (text.empty()) return -1;
    long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return -1;
        if (value <= 65535) value = value * 10 + (c - '0');
    }
    return value > 65535 ? -2 : value;
}

inline const char* protocol_name(int socktype) noexcept {
    return socktype == SOCK_DGRAM ? "udp" : "tcp";
}

inline long lookup_service_port(std::string_view name, int socktype, std::error_code& ec) {
    if (name.empty() || name.find('\0') != std::string_view::npos)
        return ec = make_resolver_error(EAI_SERVICE), -1;
    const std::string text(name);
    std::vector<char> buf(1024);
    servent entry{};
    servent* found = nullptr;
    for (;;) {
        const int rc = ops::getservbyname(text.c_str(), protocol_name(socktype), &entry, buf.data(),
                                          buf.size(), &found);
        if (rc == ERANGE && buf.size() < 65536) {
            buf.resize(buf.size() * 4);
            continue;
        }
        // ENOENT: glibc's answer when the database file itself is missing (no netbase).
        if (rc != 0 && rc != ENOENT) return ec = std::error_code(rc, std::system_category()), -1;
        break;
    }
    if (!found) return ec = make_resolver_error(EAI_SERVICE), -1;
    ec.clear();
    // s_port holds the 16-bit port in network order inside an int.
    return network_to_host(static_cast<std::uint16_t>(found->s_port));
}

// Frees a getaddrinfo list on every path out, exceptions included.
struct addrinfo_list {
    addrinfo* head = nullptr;
    addrinfo_list() = default;
    addrinfo_list(const addrinfo_list&) = delete;
    addrinfo_list& operator=(const addrinfo_list&) = delete;
    ~addrinfo_list() { ops::freeaddrinfo(head); }
};

inline void add_unique(std::vector<endpoint>& out, const endpoint& ep) {
    for (const endpoint& e : out)
        if (e == ep) return;
    out.push_back(ep);
}

inline std::vector<endpoint> resolve_endpoints(std::string_view host, std::string_view service,
                                               const resolve_options& opts, std::string* canonical,
                                               std::error_code& ec) {
    std::vector<endpoint> result;
    if (canonical) canonical->clear();
    if (host.find('\0') != std::string_view::npos)
        return ec = make_resolver_error(EAI_NONAME), result;
    if (service.find('\0') != std::string_view::npos)
        return ec = make_resolver_error(EAI_SERVICE), result;

    const long numeric_port = service.empty() ? 0 : parse_port_text(service);
    if (numeric_port == -2) return ec = make_error_code(error::port_out_of_range), result;

    // Fast path: an address literal needs no lookup, and keeps a named %zone as written.
    if (!host.empty()) {
        if (const std::optional<address> literal = address::parse(host)) {
            const bool wrong_family = (opts.family == AF_INET && literal->is_v6()) ||
                                      (opts.family == AF_INET6 && literal->is_v4());
            if (wrong_family) {
#if defined(EAI_ADDRFAMILY)
                return ec = make_resolver_error(EAI_ADDRFAMILY), result;
#else
                return ec = make_resolver_error(EAI_FAMILY), result;
#endif
            }
            long port = numeric_port;
            if (port < 0) {
                port = lookup_service_port(service, opts.socktype, ec);
                if (ec) return result;
            }
            result.emplace_back(*literal, static_cast<std::uint16_t>(port));
            if (canonical && opts.canonical_name) *canonical = literal->to_string();
            ec.clear();
            return result;
        }
        if (opts.numeric_host) return ec = make_error_code(error::not_an_address), result;
    }

    addrinfo hints{};
    hints.ai_family = opts.family;
    hints.ai_socktype = opts.socktype;
    // No AI_ADDRCONFIG: glibc ignores loopback for it, so `localhost` would fail on a machine
    // with no other interface.
    hints.ai_flags =
        (opts.passive ? AI_PASSIVE : 0) | (opts.canonical_name && !host.empty() ? AI_CANONNAME : 0);
    const std::string host_text(host);
    const std::string service_text = service.empty() ? std::string("0") : std::string(service);
    addrinfo_list list;
    const int rc = ops::getaddrinfo(host.empty() ? nullptr : host_text.c_str(),
                                    service_text.c_str(), &hints, &list.head);
    if (rc != 0) return ec = make_resolver_error(rc), result;

    for (const addrinfo* ai = list.head; ai; ai = ai->ai_next) {
        if (canonical && canonical->empty() && ai->ai_canonname) *canonical = ai->ai_canonname;
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        if (!ai->ai_addr || ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        sockaddr_buffer buf;
        std::memcpy(&buf.storage, ai->ai_addr, ai->ai_addrlen);
        buf.size = static_cast<socklen>(ai->ai_addrlen);
        std::error_code convert_ec;
        const endpoint ep = from_sockaddr(buf, convert_ec);
        if (!convert_ec) add_unique(result, ep);
    }
    if (result.empty()) {
#if defined(EAI_NODATA)
        return ec = make_resolver_error(EAI_NODATA), result;
#else
        return ec = make_resolver_error(EAI_NONAME), result;
#endif
    }
    ec.clear();
    return result;
}

inline std::vector<endpoint> resolve_endpoints(std::string_view host, std::string_view service,
                                               int family, int socktype, bool passive,
                                               std::error_code& ec) {
    resolve_options opts;
    opts.family = family;
    opts.socktype = socktype;
    opts.passive = passive;
    return resolve_endpoints(host, service, opts, nullptr, ec);
}

}  // namespace detail

inline const std::error_category& resolve_error_category() noexcept {
    static const detail::resolve_error_category_impl category;
    return category;
}

}  // namespace netlite

#endif  // NETLITE_DETAIL_RESOLVE_HPP
