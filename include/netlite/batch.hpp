// SPDX-License-Identifier: MIT
#ifndef NETLITE_BATCH_HPP
#define NETLITE_BATCH_HPP

/// \file
/// Batched UDP: `send_batch` / `receive_batch` move many datagrams per system call
/// (sendmmsg / recvmmsg on Linux; one call per datagram elsewhere, same results). Free
/// functions over `udp_socket`, which they use as it is: blocking mode and default timeout apply.

#include <netlite/detail/batch_ops.hpp>
#include <netlite/detail/sockaddr.hpp>
#include <netlite/detail/socket_ops.hpp>
#include <netlite/udp.hpp>

#include <cstddef>
#include <cstring>
#include <optional>
#include <system_error>
#include <type_traits>

namespace netlite {

/// One datagram for `send_batch`.
struct outgoing_datagram {
    const_buffer data;
    std::optional<endpoint> peer;  ///< the destination; nullopt: the connected peer
};

/// One slot for `receive_batch`: `buffer` is set by the caller, the rest by the call.
struct incoming_datagram {
    mutable_buffer buffer;   ///< where the datagram is stored
    std::size_t size = 0;    ///< bytes stored in `buffer`
    endpoint sender;         ///< where it came from
    bool truncated = false;  ///< it was larger than `buffer`; the rest is lost (not an error)
};

/// Sends the datagrams in order, as many per system call as the OS takes. Returns how many
/// were sent, from the front; an error is reported only when none was (call again with the
/// rest to see why a batch stopped early). A blocking socket waits for room, a non-blocking
/// one stops at `operation_would_block`; a timeout bounds the whole call (`timed_out`).
std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                       std::error_code& ec) noexcept;
std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                       milliseconds timeout, std::error_code& ec) noexcept;
std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count);
std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                       milliseconds timeout);

/// Receives up to `count` datagrams, filling `size`, `sender` and `truncated` of each slot
/// used. Waits (as the socket's mode and timeout say, or for `timeout`) only for the first
/// datagram, then takes what is already queued: returns how many slots were filled (at least
/// one unless there is an error: `operation_would_block`, `timed_out`, ...).
std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                          std::error_code& ec) noexcept;
std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                          milliseconds timeout, std::error_code& ec) noexcept;
std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count);
std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                          milliseconds timeout);

namespace detail {
// std::data / std::size without <iterator> (4k preprocessed lines for two one-liners).
template <typename C>
constexpr auto range_data(C& c) noexcept -> decltype(c.data()) {
    return c.data();
}
template <typename T, std::size_t N>
constexpr T* range_data(T (&array)[N]) noexcept {
    return array;
}
template <typename C>
constexpr auto range_size(const C& c) noexcept -> decltype(c.size()) {
    return c.size();
}
template <typename T, std::size_t N>
constexpr std::size_t range_size(const T (&)[N]) noexcept {
    return N;
}
template <typename Range, typename Element>
using if_range_of =
    std::enable_if_t<std::is_convertible_v<decltype(range_data(std::declval<Range&>())), Element*>,
                     int>;
}  // namespace detail

/// The same over a contiguous range: `std::vector`, `std::array`, a C array.
template <typename Range, detail::if_range_of<const Range, const outgoing_datagram> = 0>
std::size_t send_batch(udp_socket& s, const Range& datagrams, std::error_code& ec) noexcept {
    return send_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), ec);
}
template <typename Range, detail::if_range_of<const Range, const outgoing_datagram> = 0>
std::size_t send_batch(udp_socket& s, const Range& datagrams, milliseconds timeout,
                       std::error_code& ec) noexcept {
    return send_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), timeout, ec);
}
template <typename Range, detail::if_range_of<const Range, const outgoing_datagram> = 0>
std::size_t send_batch(udp_socket& s, const Range& datagrams) {
    return send_batch(s, detail::range_data(datagrams), detail::range_size(datagrams));
}
template <typename Range, detail::if_range_of<const Range, const outgoing_datagram> = 0>
std::size_t send_batch(udp_socket& s, const Range& datagrams, milliseconds timeout) {
    return send_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), timeout);
}
template <typename Range, detail::if_range_of<Range, incoming_datagram> = 0>
std::size_t receive_batch(udp_socket& s, Range& datagrams, std::error_code& ec) noexcept {
    return receive_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), ec);
}
template <typename Range, detail::if_range_of<Range, incoming_datagram> = 0>
std::size_t receive_batch(udp_socket& s, Range& datagrams, milliseconds timeout,
                          std::error_code& ec) noexcept {
    return receive_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), timeout,
                         ec);
}
template <typename Range, detail::if_range_of<Range, incoming_datagram> = 0>
std::size_t receive_batch(udp_socket& s, Range& datagrams) {
    return receive_batch(s, detail::range_data(datagrams), detail::range_size(datagrams));
}
template <typename Range, detail::if_range_of<Range, incoming_datagram> = 0>
std::size_t receive_batch(udp_socket& s, Range& datagrams, milliseconds timeout) {
    return receive_batch(s, detail::range_data(datagrams), detail::range_size(datagrams), timeout);
}

// ---- implementation ----

namespace detail {

/// How long a batch call may wait for the first datagram (or for room to send).
struct batch_policy {
    bool wait = true;
    ops::clock::time_point deadline = ops::no_deadline;
    bool forever() const noexcept { return wait && deadline == ops::no_deadline; }
};

inline batch_policy batch_deadline(milliseconds timeout) noexcept {
    const auto now = ops::clock::now();
    const auto cap = std::chrono::duration_cast<milliseconds>(ops::no_deadline - now);
    if (timeout.count() < 0) timeout = milliseconds::zero();
    return {true, timeout >= cap ? ops::no_deadline : now + timeout};
}

inline batch_policy batch_default_policy(const udp_socket& s) noexcept {
    if (!s.is_blocking()) return {false, ops::no_deadline};
    if (!s.timeout()) return {};
    return batch_deadline(*s.timeout());
}

// Runs `attempt(flags, ec)` until it moves something or fails for real. A wait without end
// lets the kernel block (`blocking_flags`); anything else passes MSG_DONTWAIT and, where
// waiting is allowed, waits in poll() until the deadline, so the socket's O_NONBLOCK state
// never matters and is never changed.
template <typename Attempt>
int batch_io(native_handle_type h, bool for_write, const batch_policy& p, int blocking_flags,
             Attempt attempt, std::error_code& ec) noexcept {
    const int flags = p.forever() ? blocking_flags : dont_wait_flag;
    for (;;) {
        const int n = attempt(flags, ec);
        if (n >= 0) return n;
        if (!is_would_block(ec)) return -1;
        if (!p.wait) return -1;
        ops::wait(h, for_write, p.deadline, ec);
        if (ec) return -1;
    }
}

/// Datagrams per system call: bounded so the scratch space lives on the stack (about 14 KiB).
inline constexpr std::size_t batch_chunk = 64;

inline std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                              const batch_policy& p, std::error_code& ec) noexcept {
    ec.clear();
    if (!s.is_open()) return ec = detail::errc_error(std::errc::bad_file_descriptor), 0;
    const native_handle_type h = s.native_handle();
    std::size_t sent = 0;
#if defined(NETLITE_HAS_MMSG)
    mmsghdr messages[batch_chunk];
    iovec parts[batch_chunk];
    sockaddr_buffer peers[batch_chunk];
    while (sent < count) {
        const std::size_t todo = count - sent < batch_chunk ? count - sent : batch_chunk;
        std::size_t ready = 0;
        for (; ready < todo; ++ready) {
            const outgoing_datagram& d = datagrams[sent + ready];
            mmsghdr& m = messages[ready];
            m = mmsghdr{};
            parts[ready].iov_base = const_cast<std::byte*>(d.data.data());
            parts[ready].iov_len = d.data.size();
            m.msg_hdr.msg_iov = &parts[ready];
            m.msg_hdr.msg_iovlen = 1;
            if (d.peer) {
                to_sockaddr(*d.peer, peers[ready], ec);
                if (ec) break;  // send what precedes it; report it if it is first
                m.msg_hdr.msg_name = peers[ready].data();
                m.msg_hdr.msg_namelen = peers[ready].size;
            }
        }
        if (ready == 0) break;
        const int n = batch_io(
            h, true, p, 0,
            [&](int flags, std::error_code& e) {
                return ops::sendmmsg(h, messages, static_cast<unsigned>(ready), flags, e);
            },
            ec);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
        if (static_cast<std::size_t>(n) < todo) break;  // stopped early: the rest would fail
    }
#else
    for (; sent < count; ++sent) {
        const outgoing_datagram& d = datagrams[sent];
        sockaddr_buffer peer;
        if (d.peer) {
            to_sockaddr(*d.peer, peer, ec);
            if (ec) break;
        }
        const int n = batch_io(
            h, true, p, 0,
            [&](int flags, std::error_code& e) {
                const ssize r = d.peer ? ops::sendto(h, d.data.data(), d.data.size(), flags,
                                                     peer.data(), peer.size, e)
                                       : ops::send(h, d.data.data(), d.data.size(), flags, e);
                return r < 0 ? -1 : 1;
            },
            ec);
        if (n < 0) break;
    }
#endif
    if (sent > 0) ec.clear();
    return sent;
}

/// The sender's endpoint from the address the kernel filled in (0.0.0.0:0 if not IPv4/IPv6).
inline endpoint sender_of(const sockaddr_storage& name, socklen size) noexcept {
    sockaddr_buffer copy;
    if (size <= 0 || static_cast<std::size_t>(size) > sizeof copy.storage) return {};
    std::memcpy(&copy.storage, &name, static_cast<std::size_t>(size));
    copy.size = size;
    std::error_code ignored;
    return from_sockaddr(copy, ignored);
}

inline void fill_received(incoming_datagram& d, std::size_t size, const sockaddr_storage& from,
                          socklen from_size, bool truncated) noexcept {
    d.size = size;
    d.truncated = truncated;
    d.sender = sender_of(from, from_size);
}

inline std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                                 const batch_policy& p, std::error_code& ec) noexcept {
    ec.clear();
    if (!s.is_open()) return ec = detail::errc_error(std::errc::bad_file_descriptor), 0;
    const native_handle_type h = s.native_handle();
    std::size_t got = 0;
#if defined(NETLITE_HAS_MMSG)
    mmsghdr messages[batch_chunk];
    iovec parts[batch_chunk];
    sockaddr_storage senders[batch_chunk];  // written by the kernel: left uninitialised
    while (got < count) {
        const std::size_t todo = count - got < batch_chunk ? count - got : batch_chunk;
        for (std::size_t i = 0; i < todo; ++i) {
            mmsghdr& m = messages[i];
            m = mmsghdr{};
            parts[i].iov_base = datagrams[got + i].buffer.data();
            parts[i].iov_len = datagrams[got + i].buffer.size();
            m.msg_hdr.msg_iov = &parts[i];
            m.msg_hdr.msg_iovlen = 1;
            m.msg_hdr.msg_name = &senders[i];
            m.msg_hdr.msg_namelen = sizeof senders[i];
        }
        const auto attempt = [&](int flags, std::error_code& e) {
            return ops::recvmmsg(h, messages, static_cast<unsigned>(todo), flags, e);
        };
        // Only the first datagram is waited for; after it, take what is queued.
        const int n = got == 0 ? batch_io(h, false, p, MSG_WAITFORONE, attempt, ec)
                               : attempt(dont_wait_flag, ec);
        if (n <= 0) break;
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            fill_received(datagrams[got + i], messages[i].msg_len, senders[i],
                          messages[i].msg_hdr.msg_namelen,
                          (messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
        }
        got += static_cast<std::size_t>(n);
        if (static_cast<std::size_t>(n) < todo) break;
    }
#else
    for (; got < count; ++got) {
        incoming_datagram& d = datagrams[got];
        sockaddr_buffer from;
        bool truncated = false;
        ssize size = 0;
        const auto attempt = [&](int flags, std::error_code& e) {
            from.size = sizeof from.storage;
            size = ops::recvfrom(h, d.buffer.data(), d.buffer.size(), flags, from.data(),
                                 &from.size, truncated, e);
            return size < 0 ? -1 : 1;
        };
        const int n =
            got == 0 ? batch_io(h, false, p, 0, attempt, ec) : attempt(dont_wait_flag, ec);
        if (n < 0) break;
        fill_received(d, static_cast<std::size_t>(size), from.storage, from.size, truncated);
    }
#endif
    if (got > 0) ec.clear();
    return got;
}

}  // namespace detail

inline std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                              std::error_code& ec) noexcept {
    return detail::send_batch(s, datagrams, count, detail::batch_default_policy(s), ec);
}
inline std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                              milliseconds timeout, std::error_code& ec) noexcept {
    return detail::send_batch(s, datagrams, count, detail::batch_deadline(timeout), ec);
}
inline std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams,
                              std::size_t count) {
    return detail::or_throw(
        "send_batch", [&](std::error_code& ec) { return send_batch(s, datagrams, count, ec); });
}
inline std::size_t send_batch(udp_socket& s, const outgoing_datagram* datagrams, std::size_t count,
                              milliseconds timeout) {
    return detail::or_throw("send_batch", [&](std::error_code& ec) {
        return send_batch(s, datagrams, count, timeout, ec);
    });
}

inline std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                                 std::error_code& ec) noexcept {
    return detail::receive_batch(s, datagrams, count, detail::batch_default_policy(s), ec);
}
inline std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                                 milliseconds timeout, std::error_code& ec) noexcept {
    return detail::receive_batch(s, datagrams, count, detail::batch_deadline(timeout), ec);
}
inline std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count) {
    return detail::or_throw("receive_batch", [&](std::error_code& ec) {
        return receive_batch(s, datagrams, count, ec);
    });
}
inline std::size_t receive_batch(udp_socket& s, incoming_datagram* datagrams, std::size_t count,
                                 milliseconds timeout) {
    return detail::or_throw("receive_batch", [&](std::error_code& ec) {
        return receive_batch(s, datagrams, count, timeout, ec);
    });
}

}  // namespace netlite

#endif  // NETLITE_BATCH_HPP
