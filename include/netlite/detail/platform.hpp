// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_PLATFORM_HPP
#define NETLITE_DETAIL_PLATFORM_HPP

/// \file
/// The only file that includes OS headers. Everything above `detail/` sees the OS through the
/// names defined here and the wrappers in `socket_ops.hpp`.

#if defined(_WIN32)

// <windows.h> without WIN32_LEAN_AND_MEAN pulls in Winsock 1 (<winsock.h>), which cannot be
// mixed with <winsock2.h>: stop with a clear message first. The fix: include netlite (or
// <winsock2.h>) before <windows.h>, or define WIN32_LEAN_AND_MEAN before <windows.h>.
#if defined(_WINSOCKAPI_) && !defined(_WINSOCK2API_)
#error "netlite: <winsock.h> came first; include netlite or <winsock2.h> before <windows.h>"
#endif
// Keep <windows.h> from defining min/max macros and from pulling in Winsock 1, but only where
// the user has not decided already; only the macros defined here are undefined again below.
#if !defined(NOMINMAX)
#define NOMINMAX
#define NETLITE_DEFINED_NOMINMAX
#endif
#if !defined(WIN32_LEAN_AND_MEAN)
#define WIN32_LEAN_AND_MEAN
#define NETLITE_DEFINED_WIN32_LEAN_AND_MEAN
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
// After Winsock 2: if_nametoindex (netioapi.h declares it only when included by iphlpapi.h).
#include <iphlpapi.h>

#if defined(NETLITE_DEFINED_NOMINMAX)
#undef NOMINMAX
#undef NETLITE_DEFINED_NOMINMAX
#endif
#if defined(NETLITE_DEFINED_WIN32_LEAN_AND_MEAN)
#undef WIN32_LEAN_AND_MEAN
#undef NETLITE_DEFINED_WIN32_LEAN_AND_MEAN
#endif

#if defined(_WIN32_WINNT) && _WIN32_WINNT < 0x0600
#error "netlite: needs _WIN32_WINNT >= 0x0600 (Windows Vista) for WSAPoll and if_nametoindex"
#endif

#include <cerrno>

#else

#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#define NETLITE_HAS_EPOLL 1
#define NETLITE_HAS_ACCEPT4 1
#define NETLITE_HAS_MMSG 1
#define NETLITE_HAS_IP_MREQN 1
#endif

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#include <sys/event.h>
#define NETLITE_HAS_KQUEUE 1
#endif

#if defined(__APPLE__)
#define NETLITE_HAS_SO_NOSIGPIPE 1
#endif

#if defined(SOCK_CLOEXEC)
#define NETLITE_HAS_SOCK_CLOEXEC 1
#endif

#endif  // _WIN32

#include <cstddef>
#include <system_error>

namespace netlite::detail {

#if defined(_WIN32)

using native_handle_type = SOCKET;
inline constexpr native_handle_type invalid_handle = INVALID_SOCKET;
using socklen = int;
using ssize = std::ptrdiff_t;

/// Winsock has no MSG_NOSIGNAL and raises no SIGPIPE; no MSG_DONTWAIT either, which is why every
/// Winsock socket is kept non-blocking in the kernel (`always_nonblocking_kernel`).
inline constexpr int no_sigpipe_flag = 0;
inline constexpr int dont_wait_flag = 0;
/// Every netlite socket on Windows is FIONBIO in the kernel and waits in select/WSAPoll: the
/// mode cannot be read back, and there is no per-call MSG_DONTWAIT to fall back on.
inline constexpr bool always_nonblocking_kernel = true;

inline constexpr int shutdown_receive = SD_RECEIVE;
inline constexpr int shutdown_send = SD_SEND;
inline constexpr int shutdown_both = SD_BOTH;

/// Windows 10 (1709+) values; the MinGW headers do not name them all.
#if defined(TCP_KEEPIDLE)
inline constexpr int keepalive_idle_option = TCP_KEEPIDLE;
#else
inline constexpr int keepalive_idle_option = 3;  // TCP_KEEPALIVE: idle seconds
#endif
#if defined(TCP_KEEPINTVL)
inline constexpr int keepalive_interval_option = TCP_KEEPINTVL;
#else
inline constexpr int keepalive_interval_option = 17;
#endif
#if defined(TCP_KEEPCNT)
inline constexpr int keepalive_count_option = TCP_KEEPCNT;
#else
inline constexpr int keepalive_count_option = 16;
#endif
inline constexpr int user_timeout_option = 0;
inline constexpr int reuse_port_option = 0;
/// On Windows SO_REUSEADDR lets another socket bind the same port and steal its connections;
/// listeners take SO_EXCLUSIVEADDRUSE instead.
inline constexpr bool reuse_address_is_safe = false;
inline constexpr int exclusive_address_option = SO_EXCLUSIVEADDRUSE;
/// The native values behind `operation_would_block` and `timed_out`.
inline constexpr int would_block_value = WSAEWOULDBLOCK;
inline constexpr int timed_out_value = WSAETIMEDOUT;

/// Whether `h` cannot be a handle at all (INVALID_SOCKET).
inline bool is_bad_handle(native_handle_type h) noexcept { return h == invalid_handle; }

// last_error(), os_error() and is_would_block() live in winsock.hpp with the error category.

#else  // POSIX

using native_handle_type = int;
inline constexpr native_handle_type invalid_handle = -1;
using socklen = socklen_t;
using ssize = ::ssize_t;

/// `MSG_NOSIGNAL` where it exists; elsewhere `SO_NOSIGPIPE` is set on every socket instead.
#if defined(MSG_NOSIGNAL)
inline constexpr int no_sigpipe_flag = MSG_NOSIGNAL;
#else
inline constexpr int no_sigpipe_flag = 0;
#endif

/// Socket options that only some systems have; 0 where missing (callers report
/// `operation_not_supported`).
#if defined(TCP_KEEPIDLE)
inline constexpr int keepalive_idle_option = TCP_KEEPIDLE;
#elif defined(TCP_KEEPALIVE)
inline constexpr int keepalive_idle_option = TCP_KEEPALIVE;  // the macOS spelling
#else
inline constexpr int keepalive_idle_option = 0;
#endif
#if defined(TCP_KEEPINTVL)
inline constexpr int keepalive_interval_option = TCP_KEEPINTVL;
#else
inline constexpr int keepalive_interval_option = 0;
#endif
#if defined(TCP_KEEPCNT)
inline constexpr int keepalive_count_option = TCP_KEEPCNT;
#else
inline constexpr int keepalive_count_option = 0;
#endif
#if defined(TCP_USER_TIMEOUT)
inline constexpr int user_timeout_option = TCP_USER_TIMEOUT;
#else
inline constexpr int user_timeout_option = 0;
#endif
#if defined(SO_REUSEPORT)
inline constexpr int reuse_port_option = SO_REUSEPORT;
#else
inline constexpr int reuse_port_option = 0;
#endif
/// SO_REUSEADDR only lets a listener rebind past TIME_WAIT on POSIX; on Windows it would let
/// another process steal the port, so the Windows port leaves it off.
inline constexpr bool reuse_address_is_safe = true;

/// The error of the syscall that just failed, with its native value kept.
inline std::error_code last_error() noexcept { return {errno, std::system_category()}; }

inline bool is_would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK; }

// ---- shared names with a Windows twin (added for the Winsock port) ----

#if defined(MSG_DONTWAIT)
inline constexpr int dont_wait_flag = MSG_DONTWAIT;
#else
inline constexpr int dont_wait_flag = 0;
#endif
/// POSIX sockets follow the mode the caller asked for (see socket::wants_nonblocking_kernel).
inline constexpr bool always_nonblocking_kernel = false;
inline constexpr int shutdown_receive = SHUT_RD;
inline constexpr int shutdown_send = SHUT_WR;
inline constexpr int shutdown_both = SHUT_RDWR;
/// 0: POSIX has no exclusive-bind option (SO_REUSEADDR is safe there).
inline constexpr int exclusive_address_option = 0;
/// The native values behind `operation_would_block` and `timed_out`.
inline constexpr int would_block_value = EWOULDBLOCK;
inline constexpr int timed_out_value = ETIMEDOUT;

/// Whether `h` cannot be a descriptor at all (negative).
inline bool is_bad_handle(native_handle_type h) noexcept { return h < 0; }

/// An OS error value (errno, or SO_ERROR's value) as an error code.
inline std::error_code os_error(int value) noexcept { return {value, std::system_category()}; }
/// A failure netlite detects itself (a std::errc), in the category that names it best here.
inline std::error_code errc_error(std::errc e) noexcept { return std::make_error_code(e); }

/// Whether `ec` (from a socket call) means "would block".
inline bool is_would_block(const std::error_code& ec) noexcept {
    return ec.category() == std::system_category() && is_would_block(ec.value());
}

#endif  // _WIN32

}  // namespace netlite::detail

#if defined(_WIN32)
#include <netlite/detail/winsock.hpp>
#endif

#endif  // NETLITE_DETAIL_PLATFORM_HPP
