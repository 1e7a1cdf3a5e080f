// SPDX-License-Identifier: MIT
#ifndef NETLITE_TESTING_HPP
#define NETLITE_TESTING_HPP

/// \file
/// Test fixtures for loopback tests, yours as much as ours: a listener on a free port, a
/// connected TCP pair and a UDP pair. Every socket made here has a default timeout, so a test
/// with a bug fails with `timed_out` instead of hanging.

#include <netlite/socket.hpp>

#include <chrono>

namespace netlite::testing {

/// The default timeout of every socket these fixtures make.
inline constexpr milliseconds default_timeout{10000};

/// The loopback address of `family`: 127.0.0.1 or ::1.
inline address loopback(address_family family = address_family::ipv4) noexcept {
    if (family == address_family::ipv6) return address_v6::loopback();
    return address_v4::loopback();
}

/// A listener bound to the loopback address on a port the OS picked.
class loopback_listener {
  public:
    explicit loopback_listener(address_family family = address_family::ipv4,
                               milliseconds timeout = default_timeout) {
        listener_.set_timeout(timeout);
        listener_.bind(endpoint(loopback(family), 0));
        endpoint_ = listener_.local_endpoint();
    }
    /// Where clients connect: the loopback address and the port the OS picked.
    const endpoint& local_endpoint() const noexcept { return endpoint_; }
    std::uint16_t port() const noexcept { return endpoint_.port(); }
    /// Accepts one connection (the stream inherits the timeout); throws on timeout.
    tcp_stream accept() { return listener_.accept().stream; }
    tcp_listener& listener() noexcept { return listener_; }

  private:
    tcp_listener listener_;
    endpoint endpoint_;
};

/// Two connected TCP streams over loopback.
struct tcp_pair {
    tcp_stream client;
    tcp_stream server;
};

/// Connects a client to a fresh loopback listener and accepts it; both ends get `timeout`.
inline tcp_pair make_tcp_pair(address_family family = address_family::ipv4,
                              milliseconds timeout = default_timeout) {
    loopback_listener listener(family, timeout);
    tcp_pair pair;
    pair.client.set_timeout(timeout);
    pair.client.connect(listener.local_endpoint(), timeout);
    pair.server = listener.accept();
    return pair;
}

/// Two UDP sockets bound to loopback ports, each connected to the other.
struct udp_pair {
    udp_socket first;
    udp_socket second;
};

inline udp_pair make_udp_pair(address_family family = address_family::ipv4,
                              milliseconds timeout = default_timeout) {
    udp_pair pair;
    for (udp_socket* s : {&pair.first, &pair.second}) {
        s->set_timeout(timeout);
        s->bind(endpoint(loopback(family), 0));
    }
    pair.first.connect(pair.second.local_endpoint());
    pair.second.connect(pair.first.local_endpoint());
    return pair;
}

}  // namespace netlite::testing

#endif  // NETLITE_TESTING_HPP
