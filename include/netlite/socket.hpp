// SPDX-License-Identifier: MIT
#ifndef NETLITE_SOCKET_HPP
#define NETLITE_SOCKET_HPP

/// \file
/// RAII sockets: the generic `socket` of the tutorials, `tcp_stream`, `tcp_listener`,
/// `udp_socket` and `socketpair()`. Including this header alone is enough to write a TCP or UDP
/// program; it pulls in the value types and the OS socket headers (through `detail/`).
///
/// Errors: every call that can fail has an overload taking `std::error_code&` and one that
/// throws `std::system_error`. Compare with `std::errc`: `ec == std::errc::connection_refused`.
/// Waiting: blocking calls wait for the socket's default timeout (`set_timeout`, none unless
/// set) or for the `milliseconds` passed to that call; running out is `std::errc::timed_out`.
/// Threads: distinct sockets are independent; one thread may send while another receives on
/// the same socket; anything else on a shared socket needs the caller's lock.

#include <netlite/detail/socket_core.hpp>  // socket, socketpair, transfer_error, connect_error
#include <netlite/tcp.hpp>                 // tcp_stream, tcp_listener
#include <netlite/udp.hpp>                 // udp_socket

#endif  // NETLITE_SOCKET_HPP
