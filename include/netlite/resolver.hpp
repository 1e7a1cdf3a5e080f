// SPDX-License-Identifier: MIT
#ifndef NETLITE_RESOLVER_HPP
#define NETLITE_RESOLVER_HPP

/// \file
/// Name services: host names to endpoints (getaddrinfo) and back (getnameinfo), this host's
/// name and fully qualified name, service names to ports and back (/etc/services), and network
/// interface indexes. Every lookup blocks the calling thread; none of them opens a socket.
/// Failures compare equal to `netlite::resolve_error` conditions (declared in detail/resolve.hpp).

#include <netlite/address.hpp>
#include <netlite/byte_order.hpp>
#include <netlite/detail/resolve.hpp>
#include <netlite/endpoint.hpp>
#include <netlite/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace netlite {

/// Which address families a lookup returns.
enum class resolve_family { any, ipv4, ipv6 };

/// The transport protocol a service name or port belongs to ("http" is 80/tcp; 21/udp is not ftp).
enum class transport { tcp, udp };

/// What `resolve` looks up. Aggregate: `resolve("localhost", "80", {resolve_family::ipv4})`.
struct resolve_hints {
    resolve_family family = resolve_family::any;
    transport protocol = transport::tcp;  ///< picks the service entry (and socket type)
    bool passive = false;         ///< empty host gives the wildcard address (to bind) not loopback
    bool canonical_name = false;  ///< also fill `resolve_result::canonical_name`
    bool numeric_host = false;    ///< host must be an IPv4/IPv6 address: fail instead of looking up
};

/// What `resolve` found.
struct resolve_result {
    std::vector<endpoint> endpoints;  ///< every address, in the resolver's order, no duplicates
    std::string canonical_name;       ///< when requested: the resolver's official name (for a
                                      ///< numeric host, its text); empty for an empty host
};

/// What `reverse_lookup` of an address does when no name is found.
enum class name_fallback {
    none,     ///< fail (resolve_error::host_not_found, or try_again without a DNS server)
    numeric,  ///< return the address's text form instead
};

/// Host and service names of an endpoint.
struct endpoint_names {
    std::string host;     ///< the host name
    std::string service;  ///< the service name, or the port in decimal when none is known
};

/// Every endpoint `host`:`service` resolve to, IPv4 and IPv6, in the resolver's order. `service`
/// is a decimal port (0-65535) or a name from the services database; empty means port 0. An
/// address literal (`127.0.0.1`, `fe80::1%eth0`) with a decimal port needs no lookup. An empty
/// host is loopback, or the wildcard address with `hints.passive`. Blocks while DNS is asked.
/// Errors: resolve_error::host_not_found for an unknown name (try_again instead when no DNS
/// server answers), service_not_found (also for port text above 65535, whose code is
/// `netlite::error::port_out_of_range`), family_not_supported (a literal of the other family).
resolve_result resolve(std::string_view host, std::string_view service, const resolve_hints& hints,
                       std::error_code& ec);
resolve_result resolve(std::string_view host, std::string_view service, std::error_code& ec);
resolve_result resolve(std::string_view host, std::string_view service = {},
                       const resolve_hints& hints = {});

/// The name of `addr` (getnameinfo with NI_NAMEREQD: /etc/hosts, then a DNS PTR query).
/// Errors: resolve_error::host_not_found when the address has no name (try_again when no DNS
/// server answers); with `name_fallback::numeric` any resolver failure gives `addr.to_string()`.
std::string reverse_lookup(const address& addr, name_fallback fallback, std::error_code& ec);
std::string reverse_lookup(const address& addr, std::error_code& ec);
std::string reverse_lookup(const address& addr, name_fallback fallback = name_fallback::none);

/// Host name (required, as above) and service name (for `protocol`) of `ep`.
endpoint_names reverse_lookup(const endpoint& ep, transport protocol, std::error_code& ec);
endpoint_names reverse_lookup(const endpoint& ep, std::error_code& ec);
endpoint_names reverse_lookup(const endpoint& ep, transport protocol = transport::tcp);

/// This host's name as the kernel knows it (gethostname; /proc/sys/kernel/hostname on Linux).
std::string hostname(std::error_code& ec);
std::string hostname();

/// A fully qualified name for `name` (this host when empty, "0.0.0.0" or "::"), as Python's
/// socket.getfqdn documents it: the name of `name`'s first address (reverse lookup) is checked,
/// then its canonical name; the first containing a dot wins. Otherwise `name` is returned
/// unchanged (for this host: `hostname()`, or "localhost" if even that fails). Never fails.
std::string fqdn(std::string_view name = {});

/// The port of service `name` ("http" -> 80) for `protocol`, from the services database
/// (/etc/services; Debian package netbase). Names only: "80" is not a service name.
/// nullopt when unknown; the `ec` overload then says why (resolve_error::service_not_found).
std::optional<std::uint16_t> service_port(std::string_view name, transport protocol,
                                          std::error_code& ec);
std::optional<std::uint16_t> service_port(std::string_view name,
                                          transport protocol = transport::tcp);

/// The service name of `port` (21 -> "ftp") for `protocol`; nullopt when the database has none,
/// the `ec` overload then reports resolve_error::service_not_found.
std::optional<std::string> service_name(std::uint16_t port, transport protocol,
                                        std::error_code& ec);
std::optional<std::string> service_name(std::uint16_t port, transport protocol = transport::tcp);

/// The index of network interface `name` ("lo"), as used for IPv6 zones; never 0 on success.
/// Errors: std::errc::no_such_device for an unknown name.
std::uint32_t interface_index(std::string_view name, std::error_code& ec) noexcept;
std::uint32_t interface_index(std::string_view name);

// ---- implementation ----

namespace detail {

inline resolve_options to_options(const resolve_hints& hints) noexcept {
    resolve_options opts;
    opts.family = hints.family == resolve_family::ipv4   ? AF_INET
                  : hints.family == resolve_family::ipv6 ? AF_INET6
                                                         : AF_UNSPEC;
    opts.socktype = hints.protocol == transport::udp ? SOCK_DGRAM : SOCK_STREAM;
    opts.passive = hints.passive;
    opts.canonical_name = hints.canonical_name;
    opts.numeric_host = hints.numeric_host;
    return opts;
}

inline int socktype_of(transport protocol) noexcept {
    return protocol == transport::udp ? SOCK_DGRAM : SOCK_STREAM;
}

// getnameinfo for `ep`; `flags` NI_*. Sizes are glibc's NI_MAXHOST / NI_MAXSERV.
inline endpoint_names name_info(const endpoint& ep, int flags, std::error_code& ec) {
    sockaddr_buffer buf;
    to_sockaddr(ep, buf, ec);
    if (ec) return {};
    char host[1025];
    char service[32];
    const int rc =
        ops::getnameinfo(buf.data(), buf.size, host, sizeof host, service, sizeof service, flags);
    if (rc != 0) return ec = make_resolver_error(rc), endpoint_names{};
    ec.clear();
    return {host, service};
}

inline bool has_dot(std::string_view name) noexcept {
    return name.find('.') != std::string_view::npos;
}

}  // namespace detail

inline resolve_result resolve(std::string_view host, std::string_view service,
                              const resolve_hints& hints, std::error_code& ec) {
    resolve_result result;
    result.endpoints = detail::resolve_endpoints(host, service, detail::to_options(hints),
                                                 &result.canonical_name, ec);
    return result;
}

inline resolve_result resolve(std::string_view host, std::string_view service,
                              std::error_code& ec) {
    return resolve(host, service, resolve_hints{}, ec);
}

inline resolve_result resolve(std::string_view host, std::string_view service,
                              const resolve_hints& hints) {
    std::error_code ec;
    resolve_result result = resolve(host, service, hints, ec);
    detail::throw_if(ec, "resolve");
    return result;
}

inline std::string reverse_lookup(const address& addr, name_fallback fallback,
                                  std::error_code& ec) {
    endpoint_names names = detail::name_info(endpoint(addr, 0), NI_NAMEREQD | NI_NUMERICSERV, ec);
    if (ec && fallback == name_fallback::numeric && ec.category() == detail::resolver_category()) {
        ec.clear();
        return addr.to_string();
    }
    return std::move(names.host);
}

inline std::string reverse_lookup(const address& addr, std::error_code& ec) {
    return reverse_lookup(addr, name_fallback::none, ec);
}

inline std::string reverse_lookup(const address& addr, name_fallback fallback) {
    std::error_code ec;
    std::string name = reverse_lookup(addr, fallback, ec);
    detail::throw_if(ec, "reverse_lookup");
    return name;
}

inline endpoint_names reverse_lookup(const endpoint& ep, transport protocol, std::error_code& ec) {
    return detail::name_info(ep, NI_NAMEREQD | (protocol == transport::udp ? NI_DGRAM : 0), ec);
}

inline endpoint_names reverse_lookup(const endpoint& ep, std::error_code& ec) {
    return reverse_lookup(ep, transport::tcp, ec);
}

inline endpoint_names reverse_lookup(const endpoint& ep, transport protocol) {
    std::error_code ec;
    endpoint_names names = reverse_lookup(ep, protocol, ec);
    detail::throw_if(ec, "reverse_lookup");
    return names;
}

inline std::string hostname(std::error_code& ec) {
    char name[256];  // POSIX limit is 255 bytes plus the terminator
    detail::ops::gethostname(name, sizeof name, ec);
    if (ec) return {};
    return name;
}

inline std::string hostname() {
    std::error_code ec;
    std::string name = hostname(ec);
    detail::throw_if(ec, "hostname");
    return name;
}

inline std::string fqdn(std::string_view name) {
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    std::error_code ec;
    std::string result(name);
    if (result.empty() || result == "0.0.0.0" || result == "::") {
        result = hostname(ec);
        if (ec || result.empty()) return "localhost";
    }
    detail::resolve_options opts;
    opts.canonical_name = true;
    std::string canonical;
    const std::vector<endpoint> found = detail::resolve_endpoints(result, {}, opts, &canonical, ec);
    if (ec || found.empty()) return result;
    std::string reverse = reverse_lookup(found.front().address(), ec);
    if (!ec && detail::has_dot(reverse)) return reverse;
    // A literal's "canonical name" is its own text, which has dots but is no name.
    if (!address::parse(result) && detail::has_dot(canonical)) return canonical;
    return result;
}

inline std::optional<std::uint16_t> service_port(std::string_view name, transport protocol,
                                                 std::error_code& ec) {
    const long port = detail::lookup_service_port(name, detail::socktype_of(protocol), ec);
    if (ec) return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

inline std::optional<std::uint16_t> service_port(std::string_view name, transport protocol) {
    std::error_code ec;
    const std::optional<std::uint16_t> port = service_port(name, protocol, ec);
    if (ec != resolve_error::service_not_found) detail::throw_if(ec, "service_port");
    return port;
}

inline std::optional<std::string> service_name(std::uint16_t port, transport protocol,
                                               std::error_code& ec) {
    std::vector<char> buf(1024);
    servent entry{};
    servent* found = nullptr;
    for (;;) {
        // s_port holds the 16-bit port in network order inside an int.
        const int rc = detail::ops::getservbyport(static_cast<int>(host_to_network(port)),
                                                  protocol == transport::udp ? "udp" : "tcp",
                                                  &entry, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < 65536) {
            buf.resize(buf.size() * 4);
            continue;
        }
        // ENOENT: glibc's answer when the database file itself is missing (no netbase).
        if (rc != 0 && rc != ENOENT) {
            ec = std::error_code(rc, std::system_category());
            return std::nullopt;
        }
        break;
    }
    if (!found || !found->s_name) {
        ec = detail::make_resolver_error(EAI_SERVICE);
        return std::nullopt;
    }
    ec.clear();
    return std::string(found->s_name);
}

inline std::optional<std::string> service_name(std::uint16_t port, transport protocol) {
    std::error_code ec;
    std::optional<std::string> name = service_name(port, protocol, ec);
    if (ec != resolve_error::service_not_found) detail::throw_if(ec, "service_name");
    return name;
}

inline std::uint32_t interface_index(std::string_view name, std::error_code& ec) noexcept {
    char text[64];  // interface names are at most IF_NAMESIZE (16) bytes with the terminator
    if (name.empty() || name.size() >= sizeof text || name.find('\0') != std::string_view::npos) {
        ec = detail::errc_error(std::errc::no_such_device);
        return 0;
    }
    name.copy(text, name.size());
    text[name.size()] = '\0';
    errno = 0;
    const unsigned index = detail::ops::interface_index(text);
    if (index == 0) {
        // glibc opens a socket for the ioctl, so EMFILE and friends are real errors to pass on.
        const int err = errno;
        const bool unknown = err == 0 || err == ENODEV || err == ENXIO;
        ec = unknown ? detail::errc_error(std::errc::no_such_device)
                     : std::error_code(err, std::system_category());
        return 0;
    }
    ec.clear();
    return static_cast<std::uint32_t>(index);
}

inline std::uint32_t interface_index(std::string_view name) {
    std::error_code ec;
    const std::uint32_t index = interface_index(name, ec);
    detail::throw_if(ec, "interface_index");
    return index;
}

}  // namespace netlite

#endif  // NETLITE_RESOLVER_HPP
