// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_PLATFORM_HPP
#define NETLITE_DETAIL_PLATFORM_HPP

/// \file
/// The only file that includes OS headers. Everything above `detail/` sees the OS through the
/// names defined here and the wrappers in `socket_ops.hpp`.

#if defined(_WIN32)
#error "netlite: the Winsock port is not in this tree yet (tracked as the Windows issue)"
#else

#include <arpa/inet.h>
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
#include <sys/un.h>
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

#include <system_error>

namespace netlite::detail {

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

}  // namespace netlite::detail

#endif  // NETLITE_DETAIL_PLATFORM_HPP
