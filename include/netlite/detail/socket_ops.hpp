// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SOCKET_OPS_HPP
#define NETLITE_DETAIL_SOCKET_OPS_HPP

/// \file
/// The flat syscall layer: one noexcept wrapper per call, each reporting through
/// `std::error_code&`. EINTR, SIGPIPE, close-on-exec and length casts are handled here once.

#include <netlite/detail/platform.hpp>

#include <chrono>
#include <climits>
#include <cstddef>
#include <system_error>

namespace netlite::detail::ops {

using clock = std::chrono::steady_clock;
/// "No deadline": wait forever.
inline constexpr clock::time_point no_deadline = clock::time_point::max();

inline void clear(std::error_code& ec) noexcept { ec.clear(); }

/// Milliseconds left until `deadline`, rounded up so a short wait never becomes a busy loop;
/// -1 for no deadline; INT_MAX at most.
inline int remaining_ms(clock::time_point deadline) noexcept {
    if (deadline == no_deadline) return -1;
    const auto now = clock::now();
    if (now >= deadline) return 0;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    return left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

}  // namespace netlite::detail::ops

#if defined(_WIN32)
#include <netlite/detail/socket_ops_win.hpp>
#else

namespace netlite::detail::ops {

inline void set_cloexec(native_handle_type h) noexcept {
    // Best effort: only reached where SOCK_CLOEXEC is missing; there is no atomic alternative.
    const int flags = ::fcntl(h, F_GETFD);
    if (flags >= 0) ::fcntl(h, F_SETFD, flags | FD_CLOEXEC);
}

/// Per-socket set-up that the OS cannot do atomically at creation time.
inline void prepare_new_handle(native_handle_type h) noexcept {
#if !defined(NETLITE_HAS_SOCK_CLOEXEC)
    set_cloexec(h);
#endif
#if defined(NETLITE_HAS_SO_NOSIGPIPE)
    const int one = 1;
    ::setsockopt(h, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    (void)h;
}

inline native_handle_type open_socket(int family, int type, int protocol,
                                      std::error_code& ec) noexcept {
#if defined(NETLITE_HAS_SOCK_CLOEXEC)
    type |= SOCK_CLOEXEC;
#endif
    const native_handle_type h = ::socket(family, type, protocol);
    if (h == invalid_handle) {
        ec = last_error();
        return invalid_handle;
    }
    prepare_new_handle(h);
    clear(ec);
    return h;
}

inline void close_socket(native_handle_type h, std::error_code& ec) noexcept {
    // No retry on EINTR: on Linux the descriptor is already gone and may be reused by now.
    if (::close(h) != 0 && errno != EINTR) {
        ec = last_error();
        return;
    }
    clear(ec);
}

inline void set_nonblocking(native_handle_type h, bool on, std::error_code& ec) noexcept {
    const int flags = ::fcntl(h, F_GETFL);
    if (flags < 0) {
        ec = last_error();
        return;
    }
    const int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted != flags && ::fcntl(h, F_SETFL, wanted) < 0) {
        ec = last_error();
        return;
    }
    clear(ec);
}

inline bool is_nonblocking(native_handle_type h, std::error_code& ec) noexcept {
    const int flags = ::fcntl(h, F_GETFL);
    if (flags < 0) {
        ec = last_error();
        return false;
    }
    clear(ec);
    return (flags & O_NONBLOCK) != 0;
}

inline bool is_cloexec(native_handle_type h, std::error_code& ec) noexcept {
    const int flags = ::fcntl(h, F_GETFD);
    if (flags < 0) {
        ec = last_error();
        return false;
    }
    clear(ec);
    return (flags & FD_CLOEXEC) != 0;
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

/// Accepts one connection, close-on-exec, with O_NONBLOCK set as asked (never inherited).
/// Retries EINTR and the errors that only mean "that client gave up before we got to it"
/// (ECONNABORTED, EPROTO), so callers never see them.
inline native_handle_type accept(native_handle_type h, sockaddr* addr, socklen* len,
                                 bool nonblocking, std::error_code& ec) noexcept {
    for (;;) {
        const socklen capacity = len ? *len : 0;
#if defined(NETLITE_HAS_ACCEPT4)
        const native_handle_type s =
            ::accept4(h, addr, len, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
#else
        const native_handle_type s = ::accept(h, addr, len);
#endif
        if (s != invalid_handle) {
#if !defined(NETLITE_HAS_ACCEPT4)
            prepare_new_handle(s);
            // BSDs copy O_NONBLOCK from the listener; set it explicitly either way.
            set_nonblocking(s, nonblocking, ec);
            if (ec) {
                ::close(s);
                return invalid_handle;
            }
#endif
            clear(ec);
            return s;
        }
        const int err = errno;
        if (err == EINTR || err == ECONNABORTED
#if defined(EPROTO)
            || err == EPROTO
#endif
        ) {
            if (len) *len = capacity;
            continue;
        }
        ec = last_error();
        return invalid_handle;
    }
}

/// Starts a connect. Returns true when it completed at once; false with `ec` clear when it is
/// in progress (non-blocking socket, or EINTR on a blocking one: the caller waits for it).
inline bool connect(native_handle_type h, const sockaddr* addr, socklen len,
                    std::error_code& ec) noexcept {
    if (::connect(h, addr, len) == 0) {
        clear(ec);
        return true;
    }
    const int err = errno;
    if (err == EINPROGRESS || err == EINTR || err == EALREADY) {
        clear(ec);
        return false;
    }
    ec = last_error();
    return false;
}

/// send() that never raises SIGPIPE; EINTR retried. Returns bytes sent, or -1 with `ec` set.
inline ssize send(native_handle_type h, const void* data, std::size_t size, int flags,
                  std::error_code& ec) noexcept {
    for (;;) {
        const ssize n = ::send(h, data, size, flags | no_sigpipe_flag);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

/// recv(); EINTR retried. Returns bytes received (0 at end of stream), or -1 with `ec` set.
inline ssize recv(native_handle_type h, void* data, std::size_t size, int flags,
                  std::error_code& ec) noexcept {
    for (;;) {
        const ssize n = ::recv(h, data, size, flags);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

inline ssize sendto(native_handle_type h, const void* data, std::size_t size, int flags,
                    const sockaddr* addr, socklen len, std::error_code& ec) noexcept {
    for (;;) {
        const ssize n = ::sendto(h, data, size, flags | no_sigpipe_flag, addr, len);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

/// recvmsg() for one datagram. `truncated` is set when the datagram did not fit (MSG_TRUNC).
inline ssize recvfrom(native_handle_type h, void* data, std::size_t size, int flags, sockaddr* addr,
                      socklen* len, bool& truncated, std::error_code& ec) noexcept {
    iovec iov{data, size};
    msghdr msg{};
    msg.msg_name = addr;
    msg.msg_namelen = len ? *len : 0;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    for (;;) {
        const ssize n = ::recvmsg(h, &msg, flags);
        if (n >= 0) {
            if (len) *len = msg.msg_namelen;
            truncated = (msg.msg_flags & MSG_TRUNC) != 0;
            return clear(ec), n;
        }
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

#if defined(__linux__)
/// recvfrom with MSG_TRUNC, which on Linux returns a datagram's real length: truncation is
/// told without recvmsg. Datagram sockets only: on a stream socket MSG_TRUNC discards data.
inline ssize recvfrom_datagram(native_handle_type h, void* data, std::size_t size, int flags,
                               sockaddr* addr, socklen* len, bool& truncated,
                               std::error_code& ec) noexcept {
    for (;;) {
        const ssize n = ::recvfrom(h, data, size, flags | MSG_TRUNC, addr, len);
        if (n >= 0) {
            truncated = static_cast<std::size_t>(n) > size;
            return clear(ec), truncated ? static_cast<ssize>(size) : n;
        }
        if (errno != EINTR) return ec = last_error(), -1;
    }
}
#endif

inline void shutdown(native_handle_type h, int how, std::error_code& ec) noexcept {
    if (::shutdown(h, how) != 0) return void(ec = last_error());
    clear(ec);
}

inline void setsockopt(native_handle_type h, int level, int name, const void* value,
                       std::size_t size, std::error_code& ec) noexcept {
    if (::setsockopt(h, level, name, value, static_cast<socklen>(size)) != 0)
        return void(ec = last_error());
    clear(ec);
}

/// Returns the number of bytes the OS wrote into `value`.
inline std::size_t getsockopt(native_handle_type h, int level, int name, void* value,
                              std::size_t size, std::error_code& ec) noexcept {
    socklen len = static_cast<socklen>(size);
    if (::getsockopt(h, level, name, value, &len) != 0) return ec = last_error(), 0;
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
    int n = 0;
    if (::ioctl(h, FIONREAD, &n) != 0) return ec = last_error(), 0;
    clear(ec);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

inline void socketpair(int family, int type, native_handle_type out[2],
                       std::error_code& ec) noexcept {
#if defined(NETLITE_HAS_SOCK_CLOEXEC)
    type |= SOCK_CLOEXEC;
#endif
    if (::socketpair(family, type, 0, out) != 0) return void(ec = last_error());
    prepare_new_handle(out[0]);
    prepare_new_handle(out[1]);
    clear(ec);
}

/// Waits until `h` is readable (or writable when `for_write`) or `deadline` passes.
/// EINTR retried with the remaining time recomputed. Errors: timed_out.
inline void wait(native_handle_type h, bool for_write, clock::time_point deadline,
                 std::error_code& ec) noexcept {
    pollfd p{h, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    for (;;) {
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) return clear(ec);  // ready, or an error/hangup the next call will report
        if (r == 0) return void(ec = std::error_code(ETIMEDOUT, std::system_category()));
        if (errno != EINTR) return void(ec = last_error());
    }
}

// ---- name services: return the resolver's own codes; the caller maps them ----

inline int getaddrinfo(const char* host, const char* service, const addrinfo* hints,
                       addrinfo** out) noexcept {
    for (;;) {
        const int r = ::getaddrinfo(host, service, hints, out);
#if defined(EAI_SYSTEM)
        if (r == EAI_SYSTEM && errno == EINTR) continue;
#endif
        return r;
    }
}

inline void freeaddrinfo(addrinfo* list) noexcept {
    if (list) ::freeaddrinfo(list);
}

inline int getnameinfo(const sockaddr* addr, socklen len, char* host, std::size_t host_size,
                       char* serv, std::size_t serv_size, int flags) noexcept {
    return ::getnameinfo(addr, len, host, static_cast<socklen>(host_size), serv,
                         static_cast<socklen>(serv_size), flags);
}

inline void gethostname(char* out, std::size_t size, std::error_code& ec) noexcept {
    if (::gethostname(out, size) != 0) return void(ec = last_error());
    out[size - 1] = '\0';
    clear(ec);
}

/// 0 when no interface has that name.
inline unsigned interface_index(const char* name) noexcept { return ::if_nametoindex(name); }

// ---- name services: service database and resolver messages (added for resolver.hpp) ----

// The reentrant glibc-style getservby*_r exist on glibc, musl and FreeBSD; elsewhere the plain
// calls are used (macOS and Windows keep their results per thread) and copied out at once.
#if (defined(__linux__) && !defined(__ANDROID__)) || defined(__FreeBSD__)
#define NETLITE_HAS_GETSERV_R 1
#else
/// Copies the plain call's result into the caller's storage so that it outlives the next call.
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
#endif

/// Looks service `name` up for `proto` ("tcp" / "udp") in the services database
/// (/etc/services). Returns 0 with `*found` = `out`, or nullptr when the service is unknown;
/// otherwise an errno value, where ERANGE means `buf` is too small: grow it and call again.
inline int getservbyname(const char* name, const char* proto, servent* out, char* buf,
                         std::size_t size, servent** found) noexcept {
#if defined(NETLITE_HAS_GETSERV_R)
    return ::getservbyname_r(name, proto, out, buf, size, found);
#else
    return copy_servent(::getservbyname(name, proto), out, buf, size, found);
#endif
}

/// As `getservbyname`, by port; `port_network_order` as `servent::s_port` holds it.
inline int getservbyport(int port_network_order, const char* proto, servent* out, char* buf,
                         std::size_t size, servent** found) noexcept {
#if defined(NETLITE_HAS_GETSERV_R)
    return ::getservbyport_r(port_network_order, proto, out, buf, size, found);
#else
    return copy_servent(::getservbyport(port_network_order, proto), out, buf, size, found);
#endif
}

/// The OS text for a getaddrinfo / getnameinfo code; never null.
inline const char* gai_message(int code) noexcept {
    const char* text = ::gai_strerror(code);
    return text ? text : "unknown resolver error";
}

}  // namespace netlite::detail::ops

#endif  // _WIN32

#endif  // NETLITE_DETAIL_SOCKET_OPS_HPP
