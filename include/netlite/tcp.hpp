// SPDX-License-Identifier: MIT
#ifndef NETLITE_TCP_HPP
#define NETLITE_TCP_HPP

/// \file
/// TCP: `tcp_stream` (a connection) and `tcp_listener` (accepts connections). Included by
/// `socket.hpp`; the address family is taken from the endpoint at run time.

#include <netlite/detail/socket_base.hpp>
#include <netlite/detail/socket_core.hpp>

#include <chrono>
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netlite {

/// TCP keep-alive probes. Unset fields keep the OS defaults; the OS rounds to whole seconds.
struct keep_alive_settings {
    std::optional<std::chrono::seconds> idle;      ///< quiet time before the first probe
    std::optional<std::chrono::seconds> interval;  ///< time between probes
    std::optional<int> count;                      ///< unanswered probes before the reset
};

/// A TCP connection. Move-only; closing is the destructor's job (or `close`, `graceful_close`,
/// `abortive_close`). Writes never raise SIGPIPE: a write to a closed peer is an error
/// (`broken_pipe` or `connection_reset`).
class tcp_stream : public detail::socket_base, public detail::io_calls<tcp_stream> {
  public:
    tcp_stream() noexcept = default;
    /// Wraps a connected stream socket (for example one from `socket::accept`).
    explicit tcp_stream(netlite::socket connected) noexcept : socket_base(std::move(connected)) {}
    /// Opens and connects; throws `std::system_error`.
    explicit tcp_stream(const endpoint& peer) { connect(peer); }
    tcp_stream(const endpoint& peer, milliseconds timeout) { connect(peer, timeout); }
    /// Resolves and connects to the first address that answers; throws `connect_error`.
    tcp_stream(std::string_view host, std::string_view service) { connect(host, service); }

    /// Opens a socket of `peer`'s family (unless already open, e.g. bound) and connects.
    /// Errors: `connection_refused`, `timed_out` (distinct), `network_unreachable`, ...
    /// On failure a socket opened by this call is closed again.
    void connect(const endpoint& peer, std::error_code& ec) noexcept;
    void connect(const endpoint& peer, milliseconds timeout, std::error_code& ec) noexcept;
    void connect(const endpoint& peer);
    void connect(const endpoint& peer, milliseconds timeout);
    /// Resolves `host`/`service` and tries each address in order, each for at most `timeout`
    /// when one is given. On failure `ec` is the last attempt's error and `attempts` (if given)
    /// lists every endpoint tried with its error; resolver failures come from name lookup.
    void connect(std::string_view host, std::string_view service, std::error_code& ec,
                 std::vector<connect_attempt>* attempts = nullptr) noexcept;
    void connect(std::string_view host, std::string_view service, milliseconds timeout,
                 std::error_code& ec, std::vector<connect_attempt>* attempts = nullptr) noexcept;
    void connect(std::string_view host, std::string_view service);
    void connect(std::string_view host, std::string_view service, milliseconds timeout);

    /// See `socket::send_all`: loops over partial writes; returns the bytes sent, also on error.
    std::size_t send_all(const_buffer data, std::error_code& ec) noexcept {
        return socket_.send_all(data, ec);
    }
    std::size_t send_all(const_buffer data, milliseconds timeout, std::error_code& ec) noexcept {
        return socket_.send_all(data, timeout, ec);
    }
    std::size_t send_all(const_buffer data) { return socket_.send_all(data); }
    std::size_t send_all(const_buffer data, milliseconds timeout) {
        return socket_.send_all(data, timeout);
    }
    /// See `socket::receive_exact`: fills `out` or reports `netlite::error::eof`.
    std::size_t receive_exact(mutable_buffer out, std::error_code& ec) noexcept {
        return socket_.receive_exact(out, ec);
    }
    std::size_t receive_exact(mutable_buffer out, milliseconds timeout,
                              std::error_code& ec) noexcept {
        return socket_.receive_exact(out, timeout, ec);
    }
    std::size_t receive_exact(mutable_buffer out) { return socket_.receive_exact(out); }
    std::size_t receive_exact(mutable_buffer out, milliseconds timeout) {
        return socket_.receive_exact(out, timeout);
    }

    /// Half-close: `send` makes the peer read EOF while this side can still receive.
    void shutdown(shutdown_type what, std::error_code& ec) noexcept { socket_.shutdown(what, ec); }
    void shutdown(shutdown_type what) { socket_.shutdown(what); }

    /// TCP_NODELAY: send small writes at once instead of coalescing them (Nagle).
    void set_no_delay(bool on, std::error_code& ec) noexcept;
    void set_no_delay(bool on);
    bool no_delay() const;
    /// SO_KEEPALIVE on or off.
    void set_keep_alive(bool on, std::error_code& ec) noexcept;
    void set_keep_alive(bool on);
    /// SO_KEEPALIVE on, with the timings the OS supports; others give `operation_not_supported`.
    void set_keep_alive(const keep_alive_settings& settings, std::error_code& ec) noexcept;
    void set_keep_alive(const keep_alive_settings& settings);
    /// TCP_USER_TIMEOUT (Linux): how long sent data may stay unacknowledged before the
    /// connection is dropped with `timed_out`. Elsewhere `operation_not_supported`.
    void set_user_timeout(milliseconds timeout, std::error_code& ec) noexcept;
    void set_user_timeout(milliseconds timeout);

    /// Closes with a reset (RST) instead of FIN: unsent data is discarded, the peer sees
    /// `connection_reset`. For rejecting a misbehaving client.
    void abortive_close(std::error_code& ec) noexcept;
    void abortive_close();
    /// The orderly goodbye: shutdown(send), read and discard until the peer's EOF or the
    /// deadline, then close. A deadline that passes first is `timed_out` (the socket is closed
    /// anyway).
    void graceful_close(milliseconds timeout, std::error_code& ec) noexcept;
    void graceful_close(milliseconds timeout);

  private:
    void connect_to(const endpoint& peer, std::optional<milliseconds> timeout,
                    std::error_code& ec) noexcept;
    void connect_to(std::string_view host, std::string_view service,
                    std::optional<milliseconds> timeout, std::error_code& ec,
                    std::vector<connect_attempt>* attempts) noexcept;
};

/// How `tcp_listener::bind` sets up the socket.
struct listen_options {
    int backlog = max_backlog;  ///< pending-connection queue length
    bool reuse_address = true;  ///< SO_REUSEADDR (POSIX only; on Windows it would allow stealing,
                                ///< so listeners there always take SO_EXCLUSIVEADDRUSE instead)
    bool dual_stack = false;    ///< on `[::]`, also accept IPv4 (IPV6_V6ONLY off)
    bool reuse_port = false;  ///< SO_REUSEPORT where the OS has it, else `operation_not_supported`
};

/// What `tcp_listener::accept` hands back.
struct accepted_connection {
    tcp_stream stream;
    endpoint peer;
};

/// A listening TCP socket.
class tcp_listener : public detail::socket_base {
  public:
    tcp_listener() noexcept = default;
    /// Wraps a listening stream socket, e.g. `socket::adopt` of a handle from a service manager.
    explicit tcp_listener(netlite::socket listening) noexcept : socket_base(std::move(listening)) {}
    /// Binds and listens; throws `std::system_error`.
    explicit tcp_listener(const endpoint& local, const listen_options& options = {}) {
        bind(local, options);
    }

    /// Opens a socket of `local`'s family, applies `options`, binds and listens. Port 0 picks a
    /// free port: read it back with `local_endpoint()`. Errors: `address_in_use`, ...
    void bind(const endpoint& local, const listen_options& options, std::error_code& ec) noexcept;
    void bind(const endpoint& local, std::error_code& ec) noexcept { bind(local, {}, ec); }
    void bind(const endpoint& local, const listen_options& options = {});

    /// Waits for a connection (default timeout, or `timeout` for this call). The stream
    /// inherits this listener's blocking mode and default timeout. Connections that were
    /// aborted while queued are skipped, never reported.
    accepted_connection accept(std::error_code& ec) noexcept;
    accepted_connection accept(milliseconds timeout, std::error_code& ec) noexcept;
    accepted_connection accept();
    accepted_connection accept(milliseconds timeout);
};

// ---- implementation ----

inline void tcp_stream::connect_to(const endpoint& peer, std::optional<milliseconds> timeout,
                                   std::error_code& ec) noexcept {
    const bool opened_here = !is_open();
    if (opened_here)
        reopen(peer.is_v6() ? address_family::ipv6 : address_family::ipv4, socket_type::stream, ec);
    if (ec) return;
    if (timeout)
        socket_.connect(peer, *timeout, ec);
    else
        socket_.connect(peer, ec);
    // In progress (non-blocking) is not a failure: the caller completes it.
    if (ec && opened_here && ec != std::errc::operation_in_progress) discard();
}

inline void tcp_stream::connect(const endpoint& peer, std::error_code& ec) noexcept {
    connect_to(peer, std::nullopt, ec);
}
inline void tcp_stream::connect(const endpoint& peer, milliseconds timeout,
                                std::error_code& ec) noexcept {
    connect_to(peer, timeout, ec);
}
inline void tcp_stream::connect(const endpoint& peer) {
    detail::or_throw("connect", [&](std::error_code& ec) { connect(peer, ec); });
}
inline void tcp_stream::connect(const endpoint& peer, milliseconds timeout) {
    detail::or_throw("connect", [&](std::error_code& ec) { connect(peer, timeout, ec); });
}

namespace detail {
/// Tries each endpoint in turn; `try_one` connects a closed stream to one endpoint.
template <typename TryOne>
void connect_each(const std::vector<endpoint>& candidates, std::error_code& ec,
                  std::vector<connect_attempt>* attempts, TryOne try_one) noexcept {
    if (attempts) attempts->clear();
    if (candidates.empty()) ec = detail::errc_error(std::errc::host_unreachable);
    for (const endpoint& candidate : candidates) {
        try_one(candidate, ec);
        if (!ec) return;
        if (attempts) {
            NETLITE_TRY { attempts->push_back({candidate, ec}); }
            NETLITE_CATCH_ALL {}
        }
    }
}

inline std::string describe_attempts(std::string_view host, std::string_view service,
                                     const std::vector<connect_attempt>& attempts) {
    std::string text = "connect ";
    text.append(host).append(":").append(service);
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        text += i == 0 ? ": " : "; ";
        text += attempts[i].peer.to_string();
        text += ": ";
        text += attempts[i].error.message();
    }
    return text;
}

template <typename Connect>
void connect_or_throw(std::string_view host, std::string_view service, Connect connect) {
    std::error_code ec;
    std::vector<connect_attempt> attempts;
    connect(ec, &attempts);
    if (!ec) return;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    if (attempts.empty()) throw_error(ec, "connect");  // name lookup failed: nothing was tried
    // Described before the vector is moved: argument evaluation order is unspecified.
    const std::string what = describe_attempts(host, service, attempts);
    throw connect_error(ec, what, std::move(attempts));
#else
    (void)host;
    (void)service;
    throw_error(ec, "connect");
#endif
}
}  // namespace detail

inline void tcp_stream::connect_to(std::string_view host, std::string_view service,
                                   std::optional<milliseconds> timeout, std::error_code& ec,
                                   std::vector<connect_attempt>* attempts) noexcept {
    std::vector<endpoint> candidates;
    NETLITE_TRY {
        candidates = detail::resolve_endpoints(host, service, AF_UNSPEC, SOCK_STREAM, false, ec);
    }
    NETLITE_CATCH_ALL { ec = detail::errc_error(std::errc::not_enough_memory); }
    if (ec) return;
    detail::connect_each(candidates, ec, attempts, [&](const endpoint& ep, std::error_code& e) {
        discard();
        connect_to(ep, timeout, e);
    });
}

inline void tcp_stream::connect(std::string_view host, std::string_view service,
                                std::error_code& ec,
                                std::vector<connect_attempt>* attempts) noexcept {
    connect_to(host, service, std::nullopt, ec, attempts);
}
inline void tcp_stream::connect(std::string_view host, std::string_view service,
                                milliseconds timeout, std::error_code& ec,
                                std::vector<connect_attempt>* attempts) noexcept {
    connect_to(host, service, timeout, ec, attempts);
}

inline void tcp_stream::connect(std::string_view host, std::string_view service) {
    detail::connect_or_throw(host, service, [&](std::error_code& ec, auto* attempts) {
        connect(host, service, ec, attempts);
    });
}
inline void tcp_stream::connect(std::string_view host, std::string_view service,
                                milliseconds timeout) {
    detail::connect_or_throw(host, service, [&](std::error_code& ec, auto* attempts) {
        connect(host, service, timeout, ec, attempts);
    });
}

inline void tcp_stream::set_no_delay(bool on, std::error_code& ec) noexcept {
    socket_.set_option(IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, ec);
}
inline void tcp_stream::set_no_delay(bool on) {
    detail::or_throw("set_no_delay", [&](std::error_code& ec) { set_no_delay(on, ec); });
}
inline bool tcp_stream::no_delay() const { return socket_.get_option(IPPROTO_TCP, TCP_NODELAY); }

inline void tcp_stream::set_keep_alive(bool on, std::error_code& ec) noexcept {
    socket_.set_option(SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, ec);
}
inline void tcp_stream::set_keep_alive(bool on) {
    detail::or_throw("set_keep_alive", [&](std::error_code& ec) { set_keep_alive(on, ec); });
}

inline void tcp_stream::set_keep_alive(const keep_alive_settings& s, std::error_code& ec) noexcept {
    set_keep_alive(true, ec);
    if (ec) return;
    const auto seconds = [](std::chrono::seconds v) {
        return v.count() > INT_MAX ? INT_MAX : static_cast<int>(v.count());
    };
    if (s.idle) {
        if (detail::keepalive_idle_option == 0)
            return void(ec = detail::errc_error(std::errc::operation_not_supported));
        socket_.set_option(IPPROTO_TCP, detail::keepalive_idle_option, seconds(*s.idle), ec);
        if (ec) return;
    }
    if (s.interval) {
        if (detail::keepalive_interval_option == 0)
            return void(ec = detail::errc_error(std::errc::operation_not_supported));
        socket_.set_option(IPPROTO_TCP, detail::keepalive_interval_option, seconds(*s.interval),
                           ec);
        if (ec) return;
    }
    if (s.count) {
        if (detail::keepalive_count_option == 0)
            return void(ec = detail::errc_error(std::errc::operation_not_supported));
        socket_.set_option(IPPROTO_TCP, detail::keepalive_count_option, *s.count, ec);
    }
}
inline void tcp_stream::set_keep_alive(const keep_alive_settings& settings) {
    detail::or_throw("set_keep_alive", [&](std::error_code& ec) { set_keep_alive(settings, ec); });
}

inline void tcp_stream::set_user_timeout(milliseconds timeout, std::error_code& ec) noexcept {
    if (detail::user_timeout_option == 0)
        return void(ec = detail::errc_error(std::errc::operation_not_supported));
    if (timeout.count() < 0 || timeout.count() > UINT_MAX)
        return void(ec = error::invalid_argument);
    const auto value = static_cast<unsigned>(timeout.count());
    socket_.set_option(IPPROTO_TCP, detail::user_timeout_option, &value, sizeof value, ec);
}
inline void tcp_stream::set_user_timeout(milliseconds timeout) {
    detail::or_throw("set_user_timeout",
                     [&](std::error_code& ec) { set_user_timeout(timeout, ec); });
}

inline void tcp_stream::abortive_close(std::error_code& ec) noexcept {
    if (!is_open()) return ec.clear();
    const linger hard{1, 0};
    socket_.set_option(SOL_SOCKET, SO_LINGER, &hard, sizeof hard, ec);
    std::error_code close_ec;
    socket_.close(close_ec);
    if (!ec) ec = close_ec;
}
inline void tcp_stream::abortive_close() {
    detail::or_throw("abortive_close", [&](std::error_code& ec) { abortive_close(ec); });
}

inline void tcp_stream::graceful_close(milliseconds timeout, std::error_code& ec) noexcept {
    if (!is_open()) return ec.clear();
    const auto deadline = detail::ops::clock::now() + timeout;
    socket_.shutdown(shutdown_type::send, ec);
    char sink[4096];
    while (!ec) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(deadline - detail::ops::clock::now());
        const std::size_t n =
            socket_.receive(sink, left > milliseconds::zero() ? left : milliseconds::zero(), ec);
        if (n == 0 && !ec) break;  // the peer's EOF: both directions are finished
    }
    // A peer that reset or is already gone is as finished as one that sent EOF.
    if (ec == std::errc::not_connected || ec == std::errc::connection_reset) ec.clear();
    std::error_code close_ec;
    socket_.close(close_ec);
    if (!ec) ec = close_ec;
}
inline void tcp_stream::graceful_close(milliseconds timeout) {
    detail::or_throw("graceful_close", [&](std::error_code& ec) { graceful_close(timeout, ec); });
}

inline void tcp_listener::bind(const endpoint& local, const listen_options& options,
                               std::error_code& ec) noexcept {
    reopen(local.is_v6() ? address_family::ipv6 : address_family::ipv4, socket_type::stream, ec);
    if (ec) return;
    if (options.reuse_address && detail::reuse_address_is_safe)
        socket_.set_option(SOL_SOCKET, SO_REUSEADDR, 1, ec);
    // Windows: SO_EXCLUSIVEADDRUSE, so that no other socket can bind over this listener's port.
    if (!ec && detail::exclusive_address_option != 0)
        socket_.set_option(SOL_SOCKET, detail::exclusive_address_option, 1, ec);
    if (!ec && options.reuse_port) {
        if (detail::reuse_port_option == 0)
            ec = detail::errc_error(std::errc::operation_not_supported);
        else
            socket_.set_option(SOL_SOCKET, detail::reuse_port_option, 1, ec);
    }
    if (!ec && local.is_v6())
        socket_.set_option(IPPROTO_IPV6, IPV6_V6ONLY, options.dual_stack ? 0 : 1, ec);
    if (!ec) socket_.bind(local, ec);
    if (!ec) socket_.listen(options.backlog, ec);
    if (ec) discard();
}
inline void tcp_listener::bind(const endpoint& local, const listen_options& options) {
    detail::or_throw("bind", [&](std::error_code& ec) { bind(local, options, ec); });
}

inline accepted_connection tcp_listener::accept(std::error_code& ec) noexcept {
    accepted_connection result;
    result.stream = tcp_stream(socket_.accept(&result.peer, ec));
    return result;
}
inline accepted_connection tcp_listener::accept(milliseconds timeout,
                                                std::error_code& ec) noexcept {
    accepted_connection result;
    result.stream = tcp_stream(socket_.accept(&result.peer, timeout, ec));
    return result;
}
inline accepted_connection tcp_listener::accept() {
    return detail::or_throw("accept", [&](std::error_code& ec) { return accept(ec); });
}
inline accepted_connection tcp_listener::accept(milliseconds timeout) {
    return detail::or_throw("accept", [&](std::error_code& ec) { return accept(timeout, ec); });
}

}  // namespace netlite

#endif  // NETLITE_TCP_HPP
