// SPDX-License-Identifier: MIT
#ifndef NETLITE_UDP_HPP
#define NETLITE_UDP_HPP

/// \file
/// UDP: `udp_socket`, one datagram per call, with broadcast and multicast. Included by
/// `socket.hpp`. A datagram larger than the receive buffer is reported as
/// `std::errc::message_size`, never silently cut.

#include <netlite/detail/socket_base.hpp>
#include <netlite/detail/socket_core.hpp>

#include <cstdint>
#include <cstring>

namespace netlite {

/// A UDP socket. Opened by `open`, `bind`, `connect`, or the first `send_to` (with the
/// destination's family). `send` / `receive` need a default peer set by `connect`.
class udp_socket : public detail::socket_base, public detail::io_calls<udp_socket> {
  public:
    udp_socket() noexcept = default;
    /// Opens an unbound socket; throws `std::system_error`.
    explicit udp_socket(address_family family) { open(family); }
    /// Opens and binds; throws `std::system_error`.
    explicit udp_socket(const endpoint& local) { bind(local); }
    /// Wraps an open datagram socket.
    explicit udp_socket(netlite::socket s) noexcept : socket_base(std::move(s)) {}

    void open(address_family family, std::error_code& ec) noexcept;
    void open(address_family family);
    /// Opens a socket of `local`'s family if needed and binds. Port 0 picks a free port.
    void bind(const endpoint& local, std::error_code& ec) noexcept;
    void bind(const endpoint& local);
    /// Sets the default peer: `send` goes there and only its datagrams are received.
    void connect(const endpoint& peer, std::error_code& ec) noexcept;
    void connect(const endpoint& peer);

    /// One datagram to `peer` (opens a socket of its family when closed). Datagrams are sent
    /// whole or not at all; over the size limit is `message_size`.
    std::size_t send_to(const_buffer data, const endpoint& peer, std::error_code& ec) noexcept;
    std::size_t send_to(const_buffer data, const endpoint& peer, milliseconds timeout,
                        std::error_code& ec) noexcept;
    std::size_t send_to(const_buffer data, const endpoint& peer);
    std::size_t send_to(const_buffer data, const endpoint& peer, milliseconds timeout);
    /// One datagram and its sender; see `socket::receive_from` for truncation.
    std::size_t receive_from(mutable_buffer out, endpoint& sender, std::error_code& ec) noexcept {
        return socket_.receive_from(out, sender, ec);
    }
    std::size_t receive_from(mutable_buffer out, endpoint& sender, milliseconds timeout,
                             std::error_code& ec) noexcept {
        return socket_.receive_from(out, sender, timeout, ec);
    }
    std::size_t receive_from(mutable_buffer out, endpoint& sender) {
        return socket_.receive_from(out, sender);
    }
    std::size_t receive_from(mutable_buffer out, endpoint& sender, milliseconds timeout) {
        return socket_.receive_from(out, sender, timeout);
    }

    /// SO_BROADCAST: allow sending to broadcast addresses (IPv4).
    void set_broadcast(bool on, std::error_code& ec) noexcept;
    void set_broadcast(bool on);

    /// Joins multicast `group` on the interface with index `interface_index` (0: the OS picks).
    /// The group's family must match the socket's (`family_mismatch` otherwise).
    void join_group(const address& group, std::uint32_t interface_index,
                    std::error_code& ec) noexcept;
    void join_group(const address& group, std::uint32_t interface_index = 0);
    void leave_group(const address& group, std::uint32_t interface_index,
                     std::error_code& ec) noexcept;
    void leave_group(const address& group, std::uint32_t interface_index = 0);
    /// Multicast TTL (IPv4) or hop limit (IPv6), 0-255.
    void set_multicast_hops(int hops, std::error_code& ec) noexcept;
    void set_multicast_hops(int hops);
    /// Whether this host's own members receive what this socket sends to a group.
    void set_multicast_loopback(bool on, std::error_code& ec) noexcept;
    void set_multicast_loopback(bool on);
    /// The outgoing interface for multicast: by address (IPv4) or by index (IPv6, or IPv4 too).
    void set_multicast_interface(const address_v4& local, std::error_code& ec) noexcept;
    void set_multicast_interface(const address_v4& local);
    void set_multicast_interface(std::uint32_t interface_index, std::error_code& ec) noexcept;
    void set_multicast_interface(std::uint32_t interface_index);

  private:
    void ensure_open(const endpoint& ep, std::error_code& ec) noexcept {
        if (is_open()) return ec.clear();
        reopen(ep.is_v6() ? address_family::ipv6 : address_family::ipv4, socket_type::datagram, ec);
    }
    bool is_v6() const noexcept { return socket_.family() == address_family::ipv6; }
    void membership(const address& group, std::uint32_t interface_index, bool join,
                    std::error_code& ec) noexcept;
};

// ---- implementation ----

inline void udp_socket::open(address_family family, std::error_code& ec) noexcept {
    reopen(family, socket_type::datagram, ec);
}
inline void udp_socket::open(address_family family) {
    detail::or_throw("open", [&](std::error_code& ec) { open(family, ec); });
}

inline void udp_socket::bind(const endpoint& local, std::error_code& ec) noexcept {
    ensure_open(local, ec);
    if (!ec) socket_.bind(local, ec);
}
inline void udp_socket::bind(const endpoint& local) {
    detail::or_throw("bind", [&](std::error_code& ec) { bind(local, ec); });
}

inline void udp_socket::connect(const endpoint& peer, std::error_code& ec) noexcept {
    ensure_open(peer, ec);
    if (!ec) socket_.connect(peer, ec);
}
inline void udp_socket::connect(const endpoint& peer) {
    detail::or_throw("connect", [&](std::error_code& ec) { connect(peer, ec); });
}

inline std::size_t udp_socket::send_to(const_buffer data, const endpoint& peer,
                                       std::error_code& ec) noexcept {
    ensure_open(peer, ec);
    return ec ? 0 : socket_.send_to(data, peer, ec);
}
inline std::size_t udp_socket::send_to(const_buffer data, const endpoint& peer,
                                       milliseconds timeout, std::error_code& ec) noexcept {
    ensure_open(peer, ec);
    return ec ? 0 : socket_.send_to(data, peer, timeout, ec);
}
inline std::size_t udp_socket::send_to(const_buffer data, const endpoint& peer) {
    return detail::or_throw("send_to",
                            [&](std::error_code& ec) { return send_to(data, peer, ec); });
}
inline std::size_t udp_socket::send_to(const_buffer data, const endpoint& peer,
                                       milliseconds timeout) {
    return detail::or_throw("send_to",
                            [&](std::error_code& ec) { return send_to(data, peer, timeout, ec); });
}

inline void udp_socket::set_broadcast(bool on, std::error_code& ec) noexcept {
    socket_.set_option(SOL_SOCKET, SO_BROADCAST, on ? 1 : 0, ec);
}
inline void udp_socket::set_broadcast(bool on) {
    detail::or_throw("set_broadcast", [&](std::error_code& ec) { set_broadcast(on, ec); });
}

inline void udp_socket::membership(const address& group, std::uint32_t interface_index, bool join,
                                   std::error_code& ec) noexcept {
    if (group.is_v6() != is_v6()) return void(ec = error::family_mismatch);
    if (!group.is_multicast()) return void(ec = error::invalid_argument);
    if (group.is_v6()) {
        ipv6_mreq req{};
        const auto bytes = group.to_v6().to_bytes();
        std::memcpy(&req.ipv6mr_multiaddr, bytes.data(), bytes.size());
        req.ipv6mr_interface = interface_index;
        socket_.set_option(IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &req,
                           sizeof req, ec);
        return;
    }
    const auto bytes = group.to_v4().to_bytes();
#if defined(NETLITE_HAS_IP_MREQN)
    // ip_mreqn names the interface by index (Linux); ip_mreq only by address.
    ip_mreqn req{};
    std::memcpy(&req.imr_multiaddr, bytes.data(), bytes.size());
    req.imr_ifindex = static_cast<int>(interface_index);
#else
    if (interface_index != 0) return void(ec = detail::errc_error(std::errc::not_supported));
    ip_mreq req{};
    std::memcpy(&req.imr_multiaddr, bytes.data(), bytes.size());
#endif
    socket_.set_option(IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &req, sizeof req,
                       ec);
}

inline void udp_socket::join_group(const address& group, std::uint32_t interface_index,
                                   std::error_code& ec) noexcept {
    membership(group, interface_index, true, ec);
}
inline void udp_socket::join_group(const address& group, std::uint32_t interface_index) {
    detail::or_throw("join_group",
                     [&](std::error_code& ec) { join_group(group, interface_index, ec); });
}
inline void udp_socket::leave_group(const address& group, std::uint32_t interface_index,
                                    std::error_code& ec) noexcept {
    membership(group, interface_index, false, ec);
}
inline void udp_socket::leave_group(const address& group, std::uint32_t interface_index) {
    detail::or_throw("leave_group",
                     [&](std::error_code& ec) { leave_group(group, interface_index, ec); });
}

inline void udp_socket::set_multicast_hops(int hops, std::error_code& ec) noexcept {
    if (hops < 0 || hops > 255) return void(ec = error::invalid_argument);
    if (is_v6())
        socket_.set_option(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops, ec);
    else
        socket_.set_option(IPPROTO_IP, IP_MULTICAST_TTL, hops, ec);
}
inline void udp_socket::set_multicast_hops(int hops) {
    detail::or_throw("set_multicast_hops",
                     [&](std::error_code& ec) { set_multicast_hops(hops, ec); });
}

inline void udp_socket::set_multicast_loopback(bool on, std::error_code& ec) noexcept {
    if (is_v6())
        socket_.set_option(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0, ec);
    else
        socket_.set_option(IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0, ec);
}
inline void udp_socket::set_multicast_loopback(bool on) {
    detail::or_throw("set_multicast_loopback",
                     [&](std::error_code& ec) { set_multicast_loopback(on, ec); });
}

inline void udp_socket::set_multicast_interface(const address_v4& local,
                                                std::error_code& ec) noexcept {
    if (is_v6()) return void(ec = error::family_mismatch);
    in_addr addr{};
    const auto bytes = local.to_bytes();
    std::memcpy(&addr, bytes.data(), bytes.size());
    socket_.set_option(IPPROTO_IP, IP_MULTICAST_IF, &addr, sizeof addr, ec);
}
inline void udp_socket::set_multicast_interface(const address_v4& local) {
    detail::or_throw("set_multicast_interface",
                     [&](std::error_code& ec) { set_multicast_interface(local, ec); });
}
inline void udp_socket::set_multicast_interface(std::uint32_t interface_index,
                                                std::error_code& ec) noexcept {
    if (is_v6()) {
        const unsigned index = interface_index;
        socket_.set_option(IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index, ec);
        return;
    }
#if defined(NETLITE_HAS_IP_MREQN)
    ip_mreqn req{};
    req.imr_ifindex = static_cast<int>(interface_index);
    socket_.set_option(IPPROTO_IP, IP_MULTICAST_IF, &req, sizeof req, ec);
#else
    (void)interface_index;
    ec = detail::errc_error(std::errc::not_supported);
#endif
}
inline void udp_socket::set_multicast_interface(std::uint32_t interface_index) {
    detail::or_throw("set_multicast_interface",
                     [&](std::error_code& ec) { set_multicast_interface(interface_index, ec); });
}

}  // namespace netlite

#endif  // NETLITE_UDP_HPP
