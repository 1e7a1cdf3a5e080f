// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SOCKET_OPS_WIN_HPP
#define NETLITE_DETAIL_SOCKET_OPS_WIN_HPP

/// \file
/// The Winsock half of the syscall layer (empty elsewhere; included by `socket_ops.hpp`): the
/// same wrappers as the POSIX half, with the same signatures. Decided here once: every socket
/// is non-inheritable and FIONBIO (non-blocking) in the kernel and waits in select(), UDP
/// sockets get no connection-reset reports, lengths are clamped to int, Winsock starts lazily.

#include <netlite/detail/socket_ops.hpp>

#if defined(_WIN32)

#include <netlite/detail/platform.hpp>

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstring>
#include <system_error>

namespace netlite::detail::ops {

// SIO_UDP_CONNRESET, which the MinGW headers do not name.
#if defined(SIO_UDP_CONNRESET)
inline constexpr DWORD udp_connreset_ioctl = SIO_UDP_CONNRESET;
#else
inline constexpr DWORD udp_connreset_ioctl = _WSAIOW(IOC_VENDOR, 12);
#endif

/// Winsock counts bytes in int: larger requests move INT_MAX bytes and report that (a partial
/// transfer, which callers already handle).
inline int clamp_length(std::size_t size) noexcept {
    return size > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

inline void set_nonblocking(native_handle_type h, bool on, std::error_code& ec) noexcept {
    u_long value = on ? 1 : 0;
    if (::ioctlsocket(h, FIONBIO, &value) != 0) return void(ec = last_error());
    clear(ec);
}

/// Whether the handle would be inherited by a child process (the Windows close-on-exec).
inline bool is_cloexec(native_handle_type h, std::error_code& ec) noexcept {
    DWORD flags = 0;
    if (!::GetHandleInformation(reinterpret_cast<HANDLE>(h), &flags))
        return ec = os_error(static_cast<int>(::GetLastError())), false;
    clear(ec);
    return (flags & HANDLE_FLAG_INHERIT) == 0;
}

/// Per-socket set-up after creation or accept: best effort, because sockets of a layered
/// service provider are not kernel handles and refuse SetHandleInformation.
inline void prepare_new_handle(native_handle_type h, int type) noexcept {
    ::SetHandleInformation(reinterpret_cast<HANDLE>(h), HANDLE_FLAG_INHERIT, 0);
    if (type == SOCK_DGRAM) {
        // Without this, an ICMP "port unreachable" for an earlier send_to makes the next
        // receive_from fail with WSAECONNRESET, which POSIX never reports on unconnected UDP.
        BOOL report = FALSE;
        DWORD bytes = 0;
        ::WSAIoctl(h, udp_connreset_ioctl, &report, sizeof report, nullptr, 0, &bytes, nullptr,
                   nullptr);
    }
}

inline native_handle_type open_socket(int family, int type, int protocol,
                                      std::error_code& ec) noexcept {
    if (!ensure_winsock(ec)) return invalid_handle;
    // WSA_FLAG_NO_HANDLE_INHERIT makes the socket non-inheritable atomically (Windows 7 SP1 and
    // later); older systems reject the flag, and then SetHandleInformation does it afterwards.
    native_handle_type h = ::WSASocketW(family, type, protocol, nullptr, 0,
                                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (h == invalid_handle && ::WSAGetLastError() == WSAEINVAL)
        h = ::WSASocketW(family, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED);
    if (h == invalid_handle) {
        ec = last_error();
        return invalid_handle;
    }
    set_nonblocking(h, true, ec);
    if (ec) {
        ::closesocket(h);
        return invalid_handle;
    }
    prepare_new_handle(h, type);
    clear(ec);
    return h;
}

inline void close_socket(native_handle_type h, std::error_code& ec) noexcept {
    if (::closesocket(h) != 0) return void(ec = last_error());
    clear(ec);
}

inline void bind(native_handle_type h, const sockaddr* addr, socklen len,
                 std::error_code& ec) noexcept {
    if (::bind(h, addr, len) != 0) return void(ec = last_error());
    clear(ec);
}

inline void listen(native_handle_type h, int backlog, std::error_code& ec) noexcept {
    if (::listen(h, backlog) != 0) return void(ec = last_error());
    clear(ec);
}

/// Accepts one connection, non-inheritable, with FIONBIO as asked. Retries the errors that only
/// mean "that client gave up before we got to it" (WSAECONNRESET, WSAECONNABORTED).
inline native_handle_type accept(native_handle_type h, sockaddr* addr, socklen* len,
                                 bool nonblocking, std::error_code& ec) noexcept {
    for (;;) {
        const socklen capacity = len ? *len : 0;
        const native_handle_type s = ::accept(h, addr, len);
        if (s != invalid_handle) {
            prepare_new_handle(s, SOCK_STREAM);
            // An accepted socket copies the listener's FIONBIO; set it as asked either way.
            set_nonblocking(s, nonblocking, ec);
            if (ec) {
                ::closesocket(s);
                return invalid_handle;
            }
            return s;
        }
        const int err = ::WSAGetLastError();
        if (err == WSAECONNRESET || err == WSAECONNABORTED) {
            if (len) *len = capacity;
            continue;
        }
        ec = os_error(err);
        return invalid_handle;
    }
}

/// Starts a connect. Returns true when it completed at once; false with `ec` clear when it is
/// in progress (every netlite socket is non-blocking on Windows: the caller waits for it).
inline bool connect(native_handle_type h, const sockaddr* addr, socklen len,
                    std::error_code& ec) noexcept {
    if (::connect(h, addr, len) == 0) {
        clear(ec);
        return true;
    }
    const int err = ::WSAGetLastError();
    if (err == WSAEWOULDBLOCK || err == WSAEINPROGRESS || err == WSAEALREADY) {
        clear(ec);
        return false;
    }
    ec = os_error(err);
    return false;
}

/// send(); Windows raises no SIGPIPE. Returns bytes sent, or -1 with `ec` set. A datagram
/// socket without a default peer reports destination_address_required, as on POSIX (Winsock
/// says WSAENOTCONN, or WSAEINVAL when the socket is not bound).
inline ssize send(native_handle_type h, const void* data, std::size_t size, int flags,
                  std::error_code& ec) noexcept {
    const int n = ::send(h, static_cast<const char*>(data), clamp_length(size), flags);
    if (n != SOCKET_ERROR) return clear(ec), n;
    const int err = ::WSAGetLastError();
    int type = 0;
    int type_size = sizeof type;
    if ((err == WSAENOTCONN || err == WSAEINVAL) &&
        ::getsockopt(h, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &type_size) == 0 &&
        type == SOCK_DGRAM)
        return ec = os_error(WSAEDESTADDRREQ), -1;
    return ec = os_error(err), -1;
}

/// recv(). Returns bytes received (0 at end of stream), or -1 with `ec` set.
inline ssize recv(native_handle_type h, void* data, std::size_t size, int flags,
                  std::error_code& ec) noexcept {
    const int n = ::recv(h, static_cast<char*>(data), clamp_length(size), flags);
    if (n == SOCKET_ERROR) return ec = last_error(), -1;
    return clear(ec), n;
}

inline ssize sendto(native_handle_type h, const void* data, std::size_t size, int flags,
                    const sockaddr* addr, socklen len, std::error_code& ec) noexcept {
    const int n = ::sendto(h, static_cast<const char*>(data), clamp_length(size), flags, addr, len);
    if (n == SOCKET_ERROR) return ec = last_error(), -1;
    return clear(ec), n;
}

/// recvfrom() for one datagram. `truncated` is set when the datagram did not fit: Winsock then
/// fills the buffer and fails with WSAEMSGSIZE, which becomes a full-buffer result here.
inline ssize recvfrom(native_handle_type h, void* data, std::size_t size, int flags, sockaddr* addr,
                      socklen* len, bool& truncated, std::error_code& ec) noexcept {
    const int capacity = clamp_length(size);
    truncated = false;
    const int n = ::recvfrom(h, static_cast<char*>(data), capacity, flags, addr, len);
    if (n != SOCKET_ERROR) return clear(ec), n;
    const int err = ::WSAGetLastError();
    if (err == WSAEMSGSIZE) {
        truncated = true;
        return clear(ec), capacity;
    }
    return ec = os_error(err), -1;
}

inline void shutdown(native_handle_type h, int how, std::error_code& ec) noexcept {
    if (::shutdown(h, how) != 0) return void(ec = last_error());
    clear(ec);
}

inline void setsockopt(native_handle_type h, int level, int name, const void* value,
                       std::size_t size, std::error_code& ec) noexcept {
    if (::setsockopt(h, level, name, static_cast<const char*>(value), clamp_length(size)) != 0)
        return void(ec = last_error());
    clear(ec);
}

/// Returns the number of bytes the OS wrote into `value`.
inline std::size_t getsockopt(native_handle_type h, int level, int name, void* value,
                              std::size_t size, std::error_code& ec) noexcept {
    int len = clamp_length(size);
    if (::getsockopt(h, level, name, static_cast<char*>(value), &len) != 0)
        return ec = last_error(), 0;
    clear(ec);
    return static_cast<std::size_t>(len);
}

inline void getsockname(native_handle_type h, sockaddr* addr, socklen* len,
                        std::error_code& ec) noexcept {
    if (::getsockname(h, addr, len) != 0) return void(ec = last_error());
    clear(ec);
}

inline void getpeername(native_handle_type h, sockaddr* addr, socklen* len,
                        std::error_code& ec) noexcept {
    if (::getpeername(h, addr, len) != 0) return void(ec = last_error());
    clear(ec);
}

/// Bytes that can be read without blocking (FIONREAD).
inline std::size_t available(native_handle_type h, std::error_code& ec) noexcept {
    u_long n = 0;
    if (::ioctlsocket(h, FIONREAD, &n) != 0) return ec = last_error(), 0;
    clear(ec);
    return static_cast<std::size_t>(n);
}

/// Waits until `h` is readable (or writable when `for_write`) or `deadline` passes.
/// select(), not WSAPoll: WSAPoll before Windows 10 2004 never reports a failed connect, while
/// select puts it in the exception set. Errors: timed_out.
inline void wait(native_handle_type h, bool for_write, clock::time_point deadline,
                 std::error_code& ec) noexcept {
    for (;;) {
        fd_set ready;
        fd_set failed;
        FD_ZERO(&ready);
        FD_ZERO(&failed);
        FD_SET(h, &ready);
        if (for_write) FD_SET(h, &failed);  // a failed connect shows up only here
        const int ms = remaining_ms(deadline);
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        const int r = ::select(0, for_write ? nullptr : &ready, for_write ? &ready : nullptr,
                               &failed, ms < 0 ? nullptr : &tv);
        if (r > 0) return clear(ec);  // ready, or an error the next call will report
        if (r == SOCKET_ERROR) return void(ec = last_error());
        // select waits at most INT_MAX ms here: only a deadline that really passed is a timeout.
        if (deadline == no_deadline || clock::now() >= deadline)
            return void(ec = os_error(timed_out_value));
    }
}

/// The same 127.0.0.1 endpoint (family, port and address) in both.
inline bool same_ipv4_endpoint(const sockaddr_in& a, const sockaddr_in& b) noexcept {
    return a.sin_family == b.sin_family && a.sin_port == b.sin_port &&
           a.sin_addr.s_addr == b.sin_addr.s_addr;
}

/// A connected pair of TCP sockets over 127.0.0.1 (Windows has no AF_UNIX socketpair that every
/// version and Wine support). The temporary listener accepts any local process, so an accepted
/// peer whose address is not our client's local endpoint is closed and the accept repeated.
/// `family` and `type` are ignored: the result is always a stream pair.
inline void socketpair(int family, int type, native_handle_type out[2],
                       std::error_code& ec) noexcept {
    (void)family;
    (void)type;
    out[0] = out[1] = invalid_handle;
    const clock::time_point deadline = clock::now() + std::chrono::seconds(10);
    native_handle_type listener = open_socket(AF_INET, SOCK_STREAM, 0, ec);
    if (ec) return;
    native_handle_type client = invalid_handle;
    native_handle_type server = invalid_handle;
    sockaddr_in where{};
    where.sin_family = AF_INET;
    const unsigned char loopback[4] = {127, 0, 0, 1};  // network order
    std::memcpy(&where.sin_addr, loopback, sizeof loopback);
    socklen where_len = sizeof where;
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, &one, sizeof one, ec);
    if (!ec) bind(listener, reinterpret_cast<const sockaddr*>(&where), sizeof where, ec);
    if (!ec) listen(listener, 1, ec);
    if (!ec) getsockname(listener, reinterpret_cast<sockaddr*>(&where), &where_len, ec);
    if (!ec) client = open_socket(AF_INET, SOCK_STREAM, 0, ec);
    if (!ec && !connect(client, reinterpret_cast<const sockaddr*>(&where), sizeof where, ec) &&
        !ec) {
        wait(client, true, deadline, ec);
        int failure = 0;
        if (!ec) getsockopt(client, SOL_SOCKET, SO_ERROR, &failure, sizeof failure, ec);
        if (!ec && failure != 0) ec = os_error(failure);
    }
    sockaddr_in mine{};
    socklen mine_len = sizeof mine;
    if (!ec) getsockname(client, reinterpret_cast<sockaddr*>(&mine), &mine_len, ec);
    while (!ec) {
        sockaddr_in peer{};
        socklen peer_len = sizeof peer;
        server = accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_len, true, ec);
        if (ec && is_would_block(ec)) {
            wait(listener, false, deadline, ec);
            continue;
        }
        if (ec || same_ipv4_endpoint(peer, mine)) break;
        // Someone else's connection: not ours to keep.
        ::closesocket(server);
        server = invalid_handle;
    }
    ::closesocket(listener);
    if (ec) {
        if (client != invalid_handle) ::closesocket(client);
        if (server != invalid_handle) ::closesocket(server);
        return;
    }
    // Pairs carry small messages (wake-ups, tests): send them at once.
    std::error_code ignored;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one, ignored);
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one, ignored);
    out[0] = client;
    out[1] = server;
    clear(ec);
}

// ---- name services: return the resolver's own codes (WSA values); the caller maps them ----

inline int getaddrinfo(const char* host, const char* service, const addrinfo* hints,
                       addrinfo** out) noexcept {
    std::error_code ec;
    if (!ensure_winsock(ec)) return ec.value();
    return ::getaddrinfo(host, service, hints, out);
}

inline void freeaddrinfo(addrinfo* list) noexcept {
    if (list) ::freeaddrinfo(list);
}

inline int getnameinfo(const sockaddr* addr, socklen len, char* host, std::size_t host_size,
                       char* serv, std::size_t serv_size, int flags) noexcept {
    std::error_code ec;
    if (!ensure_winsock(ec)) return ec.value();
    return ::getnameinfo(addr, len, host, static_cast<DWORD>(host_size), serv,
                         static_cast<DWORD>(serv_size), flags);
}

inline void gethostname(char* out, std::size_t size, std::error_code& ec) noexcept {
    if (!ensure_winsock(ec)) return;
    if (::gethostname(out, clamp_length(size)) != 0) return void(ec = last_error());
    out[size - 1] = '\0';
    clear(ec);
}

/// 0 when no interface has that name.
inline unsigned interface_index(const char* name) noexcept {
    return static_cast<unsigned>(::if_nametoindex(name));
}

/// Copies Winsock's per-thread result into the caller's storage so that it outlives the next call.
inline int copy_servent(const servent* from, servent* out, char* buf, std::size_t size,
                        servent** found) noexcept {
    *found = nullptr;
    if (!from) return 0;
    std::size_t n = 0;
    while (from->s_name[n] != '\0') ++n;
    if (n + 1 > size) return ERANGE;
    for (std::size_t i = 0; i <= n; ++i) buf[i] = from->s_name[i];
    *out = servent{};
    out->s_name = buf;
    out->s_port = from->s_port;
    *found = out;
    return 0;
}

/// Looks service `name` up for `proto` ("tcp" / "udp") in the services database. Returns 0 with
/// `*found` = `out`, or nullptr when the service is unknown; otherwise an errno value, where
/// ERANGE means `buf` is too small: grow it and call again.
inline int getservbyname(const char* name, const char* proto, servent* out, char* buf,
                         std::size_t size, servent** found) noexcept {
    std::error_code ec;
    if (!ensure_winsock(ec)) return ENETDOWN;
    return copy_servent(::getservbyname(name, proto), out, buf, size, found);
}

/// As `getservbyname`, by port; `port_network_order` as `servent::s_port` holds it.
inline int getservbyport(int port_network_order, const char* proto, servent* out, char* buf,
                         std::size_t size, servent** found) noexcept {
    std::error_code ec;
    if (!ensure_winsock(ec)) return ENETDOWN;
    return copy_servent(::getservbyport(port_network_order, proto), out, buf, size, found);
}

}  // namespace netlite::detail::ops

#endif  // _WIN32

#endif  // NETLITE_DETAIL_SOCKET_OPS_WIN_HPP
