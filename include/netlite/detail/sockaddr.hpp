// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SOCKADDR_HPP
#define NETLITE_DETAIL_SOCKADDR_HPP

/// \file
/// Conversions between `netlite::endpoint` and the OS `sockaddr` forms, done field by field
/// (no inet_pton / inet_ntop), so formatting stays netlite's own on every OS.

#include <netlite/byte_order.hpp>
#include <netlite/detail/platform.hpp>
#include <netlite/detail/socket_ops.hpp>
#include <netlite/endpoint.hpp>
#include <netlite/error.hpp>

#include <cstring>
#include <string>

namespace netlite::detail {

/// Storage big enough for any address family, plus the length in use.
struct sockaddr_buffer {
    sockaddr_storage storage{};
    socklen size = sizeof(sockaddr_storage);

    sockaddr* data() noexcept { return reinterpret_cast<sockaddr*>(&storage); }
    const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
    int family() const noexcept { return storage.ss_family; }
};

/// The OS address family for an endpoint.
inline int family_of(const endpoint& ep) noexcept { return ep.is_v6() ? AF_INET6 : AF_INET; }

/// Fills `out` from `ep`. A named IPv6 zone ("eth0") is turned into an interface index here;
/// an unknown name is `std::errc::no_such_device`.
inline void to_sockaddr(const endpoint& ep, sockaddr_buffer& out, std::error_code& ec) noexcept {
    out.storage = sockaddr_storage{};
    const std::uint16_t port = ep.port();
    const netlite::address a = ep.address();
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
        sin->sin_family = AF_INET;
        sin->sin_port = host_to_network(port);
        const auto bytes = a.to_v4().to_bytes();
        std::memcpy(&sin->sin_addr, bytes.data(), bytes.size());
        out.size = sizeof(sockaddr_in);
    } else {
        const address_v6 v6 = a.to_v6();
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = host_to_network(port);
        const auto bytes = v6.to_bytes();
        std::memcpy(&sin6->sin6_addr, bytes.data(), bytes.size());
        std::uint32_t scope = v6.scope_id();
        if (scope == 0 && !v6.zone().empty()) {
            const std::string name(v6.zone());
            scope = ops::interface_index(name.c_str());
            if (scope == 0) return void(ec = detail::errc_error(std::errc::no_such_device));
        }
        sin6->sin6_scope_id = scope;
        out.size = sizeof(sockaddr_in6);
    }
    ec.clear();
}

/// Reads an endpoint back from the OS form. Families other than IPv4/IPv6 (AF_UNIX from a
/// socketpair, for example) give `address_family_not_supported`.
inline endpoint from_sockaddr(const sockaddr_buffer& in, std::error_code& ec) noexcept {
    if (in.family() == AF_INET && in.size >= static_cast<socklen>(sizeof(sockaddr_in))) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&in.storage);
        address_v4::bytes_type bytes{};
        std::memcpy(bytes.data(), &sin->sin_addr, bytes.size());
        ec.clear();
        return {address_v4(bytes), network_to_host(sin->sin_port)};
    }
    if (in.family() == AF_INET6 && in.size >= static_cast<socklen>(sizeof(sockaddr_in6))) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&in.storage);
        address_v6::bytes_type bytes{};
        std::memcpy(bytes.data(), &sin6->sin6_addr, bytes.size());
        ec.clear();
        return {address_v6(bytes, sin6->sin6_scope_id), network_to_host(sin6->sin6_port)};
    }
    ec = detail::errc_error(std::errc::address_family_not_supported);
    return {};
}

}  // namespace netlite::detail

#endif  // NETLITE_DETAIL_SOCKADDR_HPP
