// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SELECTOR_OPS_HPP
#define NETLITE_DETAIL_SELECTOR_OPS_HPP

/// \file
/// The multiplexing syscalls behind `selector.hpp`: select, poll, epoll, kqueue, the wake-up
/// channel (eventfd on Linux, a socketpair elsewhere) and the spare descriptor of
/// `accept_guard`. One noexcept wrapper per call; the waits retry EINTR with the time left.

#include <netlite/detail/platform.hpp>
#include <netlite/detail/socket_ops.hpp>

#include <cstddef>
#include <cstdint>
#include <system_error>

#if defined(_WIN32)
#include <netlite/detail/selector_ops_win.hpp>
#else

namespace netlite::detail::ops {

/// Whether a select() backend can take `h` besides the `registered` handles it has: on POSIX
/// an fd_set is a bitmap, so the handle's value must be below FD_SETSIZE.
inline bool select_can_hold(native_handle_type h, std::size_t registered) noexcept {
    (void)registered;
    return h < FD_SETSIZE;
}

/// Closes a non-socket descriptor (epoll, kqueue, eventfd, /dev/null); errors are ignored
/// because there is nothing a caller could do about them.
inline void close_file(native_handle_type h) noexcept {
    if (h != invalid_handle) ::close(h);
}

/// Whether `h` names an open descriptor (EBADF otherwise). Used where the backend itself
/// would not notice (select, poll) so that registering a closed handle fails up front.
inline void check_open(native_handle_type h, std::error_code& ec) noexcept {
    if (h < 0) return void(ec = detail::errc_error(std::errc::bad_file_descriptor));
    if (::fcntl(h, F_GETFD) < 0) return void(ec = last_error());
    clear(ec);
}

/// Opens /dev/null read-only, close-on-exec: the spare descriptor of `accept_guard`.
inline native_handle_type open_null_device(std::error_code& ec) noexcept {
    for (;;) {
        const native_handle_type h = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (h >= 0) return clear(ec), h;
        if (errno != EINTR) return ec = last_error(), invalid_handle;
    }
}

// ---- wake-up channel: [0] is watched for reading, [1] is written by wake_signal ----

/// Opens the channel non-blocking and close-on-exec. On Linux both ends are one eventfd.
inline void wake_open(native_handle_type out[2], std::error_code& ec) noexcept {
    out[0] = out[1] = invalid_handle;
#if defined(NETLITE_HAS_EPOLL)
    const native_handle_type h = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (h < 0) return void(ec = last_error());
    out[0] = out[1] = h;
    clear(ec);
#else
    socketpair(AF_UNIX, SOCK_STREAM, out, ec);
    if (!ec) set_nonblocking(out[0], true, ec);
    if (!ec) set_nonblocking(out[1], true, ec);
    if (ec) {
        close_file(out[0]);
        close_file(out[1]);
        out[0] = out[1] = invalid_handle;
    }
#endif
}

inline void wake_close(native_handle_type h[2]) noexcept {
    if (h[1] != h[0]) close_file(h[1]);
    close_file(h[0]);
    h[0] = h[1] = invalid_handle;
}

/// Makes the read end readable. Only write(2)/send(2), so it is async-signal-safe; errno is
/// preserved for the interrupted code. A full channel (EAGAIN) is already readable: ignored.
inline void wake_signal(native_handle_type write_end) noexcept {
    const int saved = errno;
#if defined(NETLITE_HAS_EPOLL)
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize n = ::write(write_end, &one, sizeof one);
#else
    const char byte = 0;
    [[maybe_unused]] const ssize n = ::send(write_end, &byte, 1, no_sigpipe_flag);
#endif
    errno = saved;
}

/// Consumes every pending wake-up so that the channel stops being readable.
inline void wake_drain(native_handle_type read_end) noexcept {
#if defined(NETLITE_HAS_EPOLL)
    std::uint64_t value = 0;
    [[maybe_unused]] const ssize n = ::read(read_end, &value, sizeof value);  // resets to 0
#else
    char sink[64];
    for (;;) {
        const ssize n = ::recv(read_end, sink, sizeof sink, 0);
        if (n == static_cast<ssize>(sizeof sink)) continue;
        if (n < 0 && errno == EINTR) continue;
        break;
    }
#endif
}

// ---- select ----

/// select() for reading and writing. The working sets are copied from `want_*` before every
/// try because an interrupted select leaves them unspecified. Returns the number of ready bits
/// (0 on timeout) or -1 with `ec` set.
inline int select(int nfds, const fd_set& want_read, const fd_set& want_write, fd_set& read,
                  fd_set& write, clock::time_point deadline, std::error_code& ec) noexcept {
    for (;;) {
        read = want_read;
        write = want_write;
        const int ms = remaining_ms(deadline);
        timeval tv{};
        tv.tv_sec = ms / 1000;
        tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms % 1000) * 1000);
        const int n = ::select(nfds, &read, &write, nullptr, ms < 0 ? nullptr : &tv);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

// ---- poll ----

/// poll(); returns the number of entries with events (0 on timeout) or -1 with `ec` set.
inline int poll(pollfd* fds, std::size_t count, clock::time_point deadline,
                std::error_code& ec) noexcept {
    for (;;) {
        const int n = ::poll(fds, static_cast<nfds_t>(count), remaining_ms(deadline));
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

// ---- epoll (Linux) ----

#if defined(NETLITE_HAS_EPOLL)
inline native_handle_type epoll_create(std::error_code& ec) noexcept {
    const native_handle_type h = ::epoll_create1(EPOLL_CLOEXEC);
    if (h < 0) return ec = last_error(), invalid_handle;
    return clear(ec), h;
}

/// EPOLL_CTL_ADD / _MOD / _DEL with the handle itself as the event's data.
inline void epoll_ctl(native_handle_type epfd, int op, native_handle_type h, std::uint32_t mask,
                      std::error_code& ec) noexcept {
    epoll_event ev{};
    ev.events = mask;
    ev.data.fd = h;
    if (::epoll_ctl(epfd, op, h, &ev) != 0) return void(ec = last_error());
    clear(ec);
}

/// epoll_wait(); returns the number of events (0 on timeout) or -1 with `ec` set.
inline int epoll_wait(native_handle_type epfd, epoll_event* out, int capacity,
                      clock::time_point deadline, std::error_code& ec) noexcept {
    for (;;) {
        const int n = ::epoll_wait(epfd, out, capacity, remaining_ms(deadline));
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}
#endif

// ---- kqueue (macOS, BSD) ----

#if defined(NETLITE_HAS_KQUEUE)
inline native_handle_type kqueue_create(std::error_code& ec) noexcept {
    const native_handle_type h = ::kqueue();
    if (h < 0) return ec = last_error(), invalid_handle;
    set_cloexec(h);  // kqueue() has no flag for it (kqueues are not inherited by fork anyway)
    return clear(ec), h;
}

/// Applies `count` changes. A change that fails makes the call fail with its errno.
inline void kevent_change(native_handle_type kq, const struct kevent* changes, int count,
                          std::error_code& ec) noexcept {
    for (;;) {
        if (::kevent(kq, changes, count, nullptr, 0, nullptr) == 0) return clear(ec);
        if (errno != EINTR) return void(ec = last_error());
    }
}

/// Waits for events; returns their number (0 on timeout) or -1 with `ec` set.
inline int kevent_wait(native_handle_type kq, struct kevent* out, int capacity,
                       clock::time_point deadline, std::error_code& ec) noexcept {
    for (;;) {
        const int ms = remaining_ms(deadline);
        timespec ts{};
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
        const int n = ::kevent(kq, nullptr, 0, out, capacity, ms < 0 ? nullptr : &ts);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}
#endif

}  // namespace netlite::detail::ops

#endif  // _WIN32

#endif  // NETLITE_DETAIL_SELECTOR_OPS_HPP
