// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SELECTOR_OPS_WIN_HPP
#define NETLITE_DETAIL_SELECTOR_OPS_WIN_HPP

/// \file
/// The Winsock half of `selector_ops.hpp` (empty elsewhere): select and WSAPoll, the wake-up
/// channel over the loopback socket pair, and `accept_guard`'s spare handle. Same signatures as
/// the POSIX half. Windows has no epoll or kqueue; Winsock calls are never interrupted (EINTR).

#include <netlite/detail/selector_ops.hpp>

#if defined(_WIN32)

#include <netlite/detail/platform.hpp>
#include <netlite/detail/socket_ops.hpp>

#include <cstddef>
#include <system_error>

namespace netlite::detail::ops {

/// Whether a select() backend can take `h` besides the `registered` handles it has: a Winsock
/// fd_set is an array of FD_SETSIZE handles (64 unless defined before <winsock2.h>), so the
/// limit is a count, whatever the handle's value; one place is the selector's wake-up socket.
inline bool select_can_hold(native_handle_type h, std::size_t registered) noexcept {
    (void)h;
    return registered + 1 < static_cast<std::size_t>(FD_SETSIZE);
}

/// Closes one of the selector's own handles (all sockets on Windows); errors are ignored.
inline void close_file(native_handle_type h) noexcept {
    if (h != invalid_handle) ::closesocket(h);
}

/// Whether `h` is an open socket (`bad_file_descriptor` otherwise), checked up front because
/// select and WSAPoll would only fail later, for every handle at once.
inline void check_open(native_handle_type h, std::error_code& ec) noexcept {
    int type = 0;
    getsockopt(h, SOL_SOCKET, SO_TYPE, &type, sizeof type, ec);
}

/// `accept_guard`'s spare: Windows has no per-process descriptor table to run out of, but
/// WSAEMFILE / WSAENOBUFS exist; a spare datagram socket is freed in that case the same way.
inline native_handle_type open_null_device(std::error_code& ec) noexcept {
    return open_socket(AF_INET, SOCK_DGRAM, 0, ec);
}

// ---- wake-up channel: [0] is watched for reading, [1] is written by wake_signal ----

/// A connected pair of loopback TCP sockets (see `socketpair`), both non-blocking.
inline void wake_open(native_handle_type out[2], std::error_code& ec) noexcept {
    socketpair(AF_INET, SOCK_STREAM, out, ec);
}

inline void wake_close(native_handle_type h[2]) noexcept {
    close_file(h[1]);
    close_file(h[0]);
    h[0] = h[1] = invalid_handle;
}

/// Makes the read end readable with one byte; WSAGetLastError is preserved for the caller. A
/// full channel (WSAEWOULDBLOCK) is already readable: ignored.
inline void wake_signal(native_handle_type write_end) noexcept {
    const int saved = ::WSAGetLastError();
    const char byte = 0;
    ::send(write_end, &byte, 1, 0);
    ::WSASetLastError(saved);
}

/// Consumes every pending wake-up so that the channel stops being readable.
inline void wake_drain(native_handle_type read_end) noexcept {
    char sink[64];
    while (::recv(read_end, sink, sizeof sink, 0) == static_cast<int>(sizeof sink)) {
    }
}

// ---- select ----

/// select() for reading and writing; `nfds` is ignored (Winsock sets carry their count). A
/// failed connect shows up only in Winsock's exception set, so the write interest is also
/// watched there and reported as writable: the next send or `pending_error` collects the error.
/// Returns the number of ready handles (0 on timeout) or -1 with `ec` set.
inline int select(int nfds, const fd_set& want_read, const fd_set& want_write, fd_set& read,
                  fd_set& write, clock::time_point deadline, std::error_code& ec) noexcept {
    (void)nfds;
    for (;;) {
        read = want_read;
        write = want_write;
        fd_set failed = want_write;
        const int ms = remaining_ms(deadline);
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        const int n = ::select(0, &read, &write, &failed, ms < 0 ? nullptr : &tv);
        if (n == SOCKET_ERROR) return ec = last_error(), -1;
        clear(ec);
        for (u_int i = 0; i < failed.fd_count; ++i) FD_SET(failed.fd_array[i], &write);
        if (n > 0) return static_cast<int>(read.fd_count + write.fd_count);
        // select waits at most INT_MAX ms here: only a deadline that really passed is a timeout.
        if (deadline == no_deadline || clock::now() >= deadline) return 0;
    }
}

// ---- poll ----

/// WSAPoll(); returns the number of entries with events (0 on timeout) or -1 with `ec` set.
/// Before Windows 10 2004, WSAPoll never reports a failed non-blocking connect: a selector that
/// waits for such a connect should use the select backend there.
inline int poll(pollfd* fds, std::size_t count, clock::time_point deadline,
                std::error_code& ec) noexcept {
    for (;;) {
        const int n = ::WSAPoll(fds, static_cast<ULONG>(count), remaining_ms(deadline));
        if (n == SOCKET_ERROR) return ec = last_error(), -1;
        clear(ec);
        if (n > 0 || deadline == no_deadline || clock::now() >= deadline) return n;
    }
}

}  // namespace netlite::detail::ops

#endif  // _WIN32

#endif  // NETLITE_DETAIL_SELECTOR_OPS_WIN_HPP
