// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SOCKET_CORE_HPP
#define NETLITE_DETAIL_SOCKET_CORE_HPP

/// \file
/// The generic `netlite::socket` (Python's `socket.socket`), `socketpair()` and the transfer
/// and connect exceptions. Include `<netlite/socket.hpp>` rather than this file.

#include <netlite/address.hpp>
#include <netlite/buffer.hpp>
#include <netlite/detail/platform.hpp>
#include <netlite/detail/resolve.hpp>
#include <netlite/detail/sockaddr.hpp>
#include <netlite/detail/socket_ops.hpp>
#include <netlite/endpoint.hpp>
#include <netlite/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace netlite {

/// The OS handle: a file descriptor on POSIX, a `SOCKET` on Windows.
using native_handle_type = detail::native_handle_type;
/// Timeouts. `std::nullopt` as a default timeout means "wait for ever".
using milliseconds = std::chrono::milliseconds;

enum class address_family { ipv4, ipv6 };
enum class socket_type { stream, datagram };
enum class shutdown_type { receive, send, both };

/// The OS's largest listen backlog (`SOMAXCONN`), the default for `listen`.
inline constexpr int max_backlog = SOMAXCONN;

/// Thrown by the throwing `send_all` / `receive_exact`: the error plus how many bytes moved.
class transfer_error : public std::system_error {
  public:
    transfer_error(std::error_code ec, const char* what, std::size_t transferred)
        : std::system_error(ec, what), transferred_(transferred) {}
    /// Bytes sent (or received) before the failure.
    std::size_t transferred() const noexcept { return transferred_; }

  private:
    std::size_t transferred_;
};

/// One failed attempt of `tcp_stream::connect(host, service)`.
struct connect_attempt {
    endpoint peer;
    std::error_code error;
};

/// Thrown by the throwing `connect(host, service)` when no address connected. `what()` lists
/// every attempt: "connect localhost:9: 127.0.0.1:9: Connection refused; [::1]:9: ...".
class connect_error : public std::system_error {
  public:
    connect_error(std::error_code ec, const std::string& what, std::vector<connect_attempt> a)
        : std::system_error(ec, what), attempts_(std::move(a)) {}
    const std::vector<connect_attempt>& attempts() const noexcept { return attempts_; }

  private:
    std::vector<connect_attempt> attempts_;
};

/// The generic socket, like Python's `socket.socket`: family and type chosen at run time,
/// move-only, closed by its destructor. Blocking by default with no timeout.
///
/// Waiting: a blocking call waits for the socket's default timeout (`set_timeout`, none by
/// default); the overloads taking `milliseconds` wait at most that long for this call, whatever
/// the blocking mode. A timeout is `std::errc::timed_out`; a non-blocking call that cannot
/// proceed is `std::errc::operation_would_block`. EINTR is retried with the time left.
class socket {
  public:
    /// A closed socket.
    socket() noexcept = default;
    /// Opens a socket (close-on-exec, never raises SIGPIPE).
    socket(address_family family, socket_type type);
    static socket open(address_family family, socket_type type, std::error_code& ec) noexcept;
    /// Takes ownership of an open OS handle; reads its type and blocking mode. (Windows cannot
    /// read the mode: the socket is made non-blocking in the kernel, as all netlite sockets are
    /// there, and starts blocking in netlite's sense.)
    static socket adopt(native_handle_type handle) noexcept;

    socket(socket&& other) noexcept;
    /// Closes the handle this socket held, then takes `other`'s.
    socket& operator=(socket&& other) noexcept;
    socket(const socket&) = delete;
    socket& operator=(const socket&) = delete;
    /// Closes; errors are swallowed (call `close(ec)` to see them).
    ~socket();

    bool is_open() const noexcept { return handle_ != detail::invalid_handle; }
    explicit operator bool() const noexcept { return is_open(); }
    native_handle_type native_handle() const noexcept { return handle_; }
    /// Gives up ownership: returns the handle and leaves this socket closed.
    native_handle_type release() noexcept;
    void close(std::error_code& ec) noexcept;
    void close();

    void bind(const endpoint& local, std::error_code& ec) noexcept;
    void bind(const endpoint& local);
    void listen(int backlog, std::error_code& ec) noexcept;
    void listen(int backlog = max_backlog);
    /// Accepts one connection; `peer` (if given) receives its address. The new socket inherits
    /// this socket's blocking mode and default timeout.
    socket accept(endpoint* peer, std::error_code& ec) noexcept;
    socket accept(endpoint* peer, milliseconds timeout, std::error_code& ec) noexcept;
    socket accept(endpoint* peer = nullptr);
    socket accept(endpoint* peer, milliseconds timeout);

    /// Connects. A non-blocking socket reports `std::errc::operation_in_progress`: wait for it
    /// to become writable, then read `pending_error()`. Refusal and timeout are distinct errors.
    void connect(const endpoint& peer, std::error_code& ec) noexcept;
    void connect(const endpoint& peer, milliseconds timeout, std::error_code& ec) noexcept;
    void connect(const endpoint& peer);
    void connect(const endpoint& peer, milliseconds timeout);
    /// Python's `connect_ex`: the error as a value, never an exception (empty on success).
    std::error_code connect_ex(const endpoint& peer) noexcept;

    /// Sends what the OS takes now (possibly less than all); see `send_all`.
    std::size_t send(const_buffer data, std::error_code& ec) noexcept;
    std::size_t send(const_buffer data, milliseconds timeout, std::error_code& ec) noexcept;
    std::size_t send(const_buffer data);
    std::size_t send(const_buffer data, milliseconds timeout);
    /// Receives up to `out.size()` bytes. Returns 0 at end of stream (not an error). On a
    /// datagram socket a datagram larger than `out` fills it and reports `message_size`.
    std::size_t receive(mutable_buffer out, std::error_code& ec) noexcept;
    std::size_t receive(mutable_buffer out, milliseconds timeout, std::error_code& ec) noexcept;
    std::size_t receive(mutable_buffer out);
    std::size_t receive(mutable_buffer out, milliseconds timeout);

    /// Sends everything, looping over partial writes. Returns the bytes sent, also on failure.
    /// A timeout bounds the whole call, not each write. Throwing form: `transfer_error`.
    std::size_t send_all(const_buffer data, std::error_code& ec) noexcept;
    std::size_t send_all(const_buffer data, milliseconds timeout, std::error_code& ec) noexcept;
    std::size_t send_all(const_buffer data);
    std::size_t send_all(const_buffer data, milliseconds timeout);
    /// Fills `out` completely. End of stream first is `netlite::error::eof`; returns the bytes
    /// received either way. A timeout bounds the whole call. Throwing form: `transfer_error`.
    std::size_t receive_exact(mutable_buffer out, std::error_code& ec) noexcept;
    std::size_t receive_exact(mutable_buffer out, milliseconds timeout,
                              std::error_code& ec) noexcept;
    std::size_t receive_exact(mutable_buffer out);
    std::size_t receive_exact(mutable_buffer out, milliseconds timeout);

    /// One datagram to `peer`.
    std::size_t send_to(const_buffer data, const endpoint& peer, std::error_code& ec) noexcept;
    std::size_t send_to(const_buffer data, const endpoint& peer, milliseconds timeout,
                        std::error_code& ec) noexcept;
    std::size_t send_to(const_buffer data, const endpoint& peer);
    std::size_t send_to(const_buffer data, const endpoint& peer, milliseconds timeout);
    /// One datagram and its sender. Too big for `out`: `out` is filled, `sender` set, and the
    /// error is `std::errc::message_size` (the rest of the datagram is gone).
    std::size_t receive_from(mutable_buffer out, endpoint& sender, std::error_code& ec) noexcept;
    std::size_t receive_from(mutable_buffer out, endpoint& sender, milliseconds timeout,
                             std::error_code& ec) noexcept;
    std::size_t receive_from(mutable_buffer out, endpoint& sender);
    std::size_t receive_from(mutable_buffer out, endpoint& sender, milliseconds timeout);

    void shutdown(shutdown_type what, std::error_code& ec) noexcept;
    void shutdown(shutdown_type what);

    endpoint local_endpoint(std::error_code& ec) const noexcept;
    endpoint local_endpoint() const;
    endpoint peer_endpoint(std::error_code& ec) const noexcept;
    endpoint peer_endpoint() const;

    /// Python's `setblocking`. A non-blocking call that cannot proceed at once reports
    /// `operation_would_block` (or `operation_in_progress` for connect).
    void set_blocking(bool blocking, std::error_code& ec) noexcept;
    void set_blocking(bool blocking);
    bool is_blocking() const noexcept { return blocking_; }
    /// Python's `settimeout`: the default wait of every blocking call; `std::nullopt` waits for
    /// ever; zero fails at once with `timed_out` when the call cannot proceed.
    void set_timeout(std::optional<milliseconds> timeout, std::error_code& ec) noexcept;
    void set_timeout(std::optional<milliseconds> timeout);
    std::optional<milliseconds> timeout() const noexcept { return timeout_; }

    /// Bytes readable without blocking (FIONREAD).
    std::size_t available(std::error_code& ec) const noexcept;
    std::size_t available() const;
    /// The pending socket error (SO_ERROR), cleared by reading: how a non-blocking connect ended.
    std::error_code pending_error() const noexcept;
    bool is_stream() const noexcept { return type_ == SOCK_STREAM; }
    /// The family chosen at open time (IPv6 for a dual-stack socket).
    address_family family() const noexcept {
        return family_ == AF_INET6 ? address_family::ipv6 : address_family::ipv4;
    }

    void set_reuse_address(bool on, std::error_code& ec) noexcept;
    void set_reuse_address(bool on);
    void set_receive_buffer_size(int bytes, std::error_code& ec) noexcept;
    void set_receive_buffer_size(int bytes);
    int receive_buffer_size() const;
    void set_send_buffer_size(int bytes, std::error_code& ec) noexcept;
    void set_send_buffer_size(int bytes);
    int send_buffer_size() const;

    /// The escape hatch: any integer option (`level`, `name` from the OS headers).
    void set_option(int level, int name, int value, std::error_code& ec) noexcept;
    void set_option(int level, int name, int value);
    int get_option(int level, int name, std::error_code& ec) const noexcept;
    int get_option(int level, int name) const;
    /// Any option as raw bytes. Returns the size the OS wrote.
    void set_option(int level, int name, const void* value, std::size_t size,
                    std::error_code& ec) noexcept;
    void set_option(int level, int name, const void* value, std::size_t size);
    std::size_t get_option(int level, int name, void* value, std::size_t size,
                           std::error_code& ec) const noexcept;

  private:
    struct wait_policy;
    wait_policy default_policy() const noexcept;
    static wait_policy timed_policy(milliseconds timeout) noexcept;
    template <typename Op>
    detail::ssize io(bool for_write, const wait_policy& policy, Op op,
                     std::error_code& ec) noexcept;
    socket accept(endpoint* peer, const wait_policy& p, std::error_code& ec) noexcept;
    void connect(const endpoint& peer, const wait_policy& p, std::error_code& ec) noexcept;
    std::size_t send(const_buffer data, const wait_policy& p, std::error_code& ec) noexcept;
    std::size_t receive(mutable_buffer out, const wait_policy& p, std::error_code& ec) noexcept;
    std::size_t send_all(const_buffer data, const wait_policy& p, std::error_code& ec) noexcept;
    std::size_t receive_exact(mutable_buffer out, const wait_policy& p,
                              std::error_code& ec) noexcept;
    std::size_t send_to(const_buffer data, const endpoint& peer, const wait_policy& p,
                        std::error_code& ec) noexcept;
    std::size_t receive_from(mutable_buffer out, endpoint& sender, const wait_policy& p,
                             std::error_code& ec) noexcept;
    bool os_timeout_fired() const noexcept;
    bool wants_nonblocking_kernel() const noexcept {
        return detail::always_nonblocking_kernel || !blocking_ || timeout_.has_value() ||
               listening_;
    }
    void sync_kernel_mode(std::error_code& ec) noexcept;
    void reset_state() noexcept;

    native_handle_type handle_ = detail::invalid_handle;
    int family_ = 0;                   // AF_INET / AF_INET6 / AF_UNIX
    int type_ = 0;                     // SOCK_STREAM / SOCK_DGRAM
    bool blocking_ = true;             // what the user asked for
    bool kernel_nonblocking_ = false;  // what O_NONBLOCK is set to
    bool listening_ = false;
    std::optional<milliseconds> timeout_;
};

/// A connected pair of stream sockets (AF_UNIX on POSIX; on Windows two TCP sockets over
/// 127.0.0.1, checked to be connected to each other), e.g. to wake a thread or to test.
std::pair<socket, socket> socketpair(std::error_code& ec) noexcept;
std::pair<socket, socket> socketpair();

}  // namespace netlite

// ---- implementation ----

namespace netlite {

namespace detail {
inline int os_family(address_family f) noexcept {
    return f == address_family::ipv6 ? AF_INET6 : AF_INET;
}
inline int os_type(socket_type t) noexcept {
    return t == socket_type::datagram ? SOCK_DGRAM : SOCK_STREAM;
}
inline std::error_code would_block_error() noexcept { return os_error(would_block_value); }
inline std::size_t count(ssize n) noexcept { return n < 0 ? 0 : static_cast<std::size_t>(n); }

[[noreturn]] inline void throw_transfer(const std::error_code& ec, const char* what,
                                        std::size_t n) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw transfer_error(ec, what, n);
#else
    (void)n;
    throw_error(ec, what);
#endif
}

/// Like `or_throw`, for the calls whose exception also carries the byte count.
template <typename F>
std::size_t transfer_or_throw(const char* what, F&& f) {
    std::error_code ec;
    const std::size_t n = f(ec);
    if (ec) throw_transfer(ec, what, n);
    return n;
}
}  // namespace detail

/// How long a call may wait: `wait` false means "fail with would-block at once".
struct socket::wait_policy {
    bool wait = true;
    detail::ops::clock::time_point deadline = detail::ops::no_deadline;

    bool may_block_in_kernel() const noexcept {
        return wait && deadline == detail::ops::no_deadline;
    }
};

inline socket::wait_policy socket::default_policy() const noexcept {
    if (!blocking_) return {false, detail::ops::no_deadline};
    if (!timeout_) return {};
    return timed_policy(*timeout_);
}

inline socket::wait_policy socket::timed_policy(milliseconds timeout) noexcept {
    const auto now = detail::ops::clock::now();
    // Clamp so that an absurd timeout cannot overflow the time point.
    const auto cap = std::chrono::duration_cast<milliseconds>(detail::ops::no_deadline - now);
    if (timeout.count() < 0) timeout = milliseconds::zero();
    return {true, timeout >= cap ? detail::ops::no_deadline : now + timeout};
}

// The one retry loop behind every call that can wait: try; on would-block either report it
// (non-blocking) or wait for readiness until the deadline and try again. When O_NONBLOCK is off
// and this call must not block, MSG_DONTWAIT makes the attempt itself non-blocking, so a
// per-call timeout never has to flip the socket's mode. (Windows has no MSG_DONTWAIT: there
// every socket stays non-blocking in the kernel and even a wait for ever is done in select.)
template <typename Op>
detail::ssize socket::io(bool for_write, const wait_policy& policy, Op op,
                         std::error_code& ec) noexcept {
    if (!is_open()) {
        ec = detail::errc_error(std::errc::bad_file_descriptor);
        return -1;
    }
    const int flags =
        (!policy.may_block_in_kernel() && !kernel_nonblocking_) ? detail::dont_wait_flag : 0;
    for (;;) {
        const detail::ssize n = op(flags, ec);
        if (n >= 0) return n;
        if (!detail::is_would_block(ec)) return -1;
        if (!policy.wait) {
            ec = detail::would_block_error();
            return -1;
        }
        if (flags == 0 && !kernel_nonblocking_ && os_timeout_fired()) {
            ec = detail::os_error(detail::timed_out_value);
            return -1;
        }
        detail::ops::wait(handle_, for_write, policy.deadline, ec);
        if (ec) return -1;
    }
}

// An attempt that was allowed to block in the kernel came back would-block: either the OS's own
// SO_RCVTIMEO / SO_SNDTIMEO (set through `set_option` or on an adopted handle) expired, which is
// a timeout, or someone made the handle O_NONBLOCK behind netlite's back, and then waiting in
// poll is right. Only this rare path pays for the fcntl that tells them apart.
inline bool socket::os_timeout_fired() const noexcept {
#if defined(_WIN32)
    return false;  // every Winsock socket is non-blocking in the kernel: never gets here
#else
    std::error_code ec;
    return !detail::ops::is_nonblocking(handle_, ec) && !ec;
#endif
}

inline socket::socket(address_family family, socket_type type) {
    *this = detail::or_throw("socket", [&](std::error_code& ec) { return open(family, type, ec); });
}

inline socket socket::open(address_family family, socket_type type, std::error_code& ec) noexcept {
    socket s;
    s.handle_ = detail::ops::open_socket(detail::os_family(family), detail::os_type(type), 0, ec);
    if (ec) return s;
    s.family_ = detail::os_family(family);
    s.type_ = detail::os_type(type);
    s.kernel_nonblocking_ = detail::always_nonblocking_kernel;
    return s;
}

inline socket socket::adopt(native_handle_type handle) noexcept {
    socket s;
    s.handle_ = handle;
    std::error_code ec;
    s.type_ = s.get_option(SOL_SOCKET, SO_TYPE, ec);
    if (ec) s.type_ = SOCK_STREAM;
    detail::sockaddr_buffer sa;
    detail::ops::getsockname(handle, sa.data(), &sa.size, ec);
    s.family_ = ec ? AF_UNSPEC : sa.family();
#if defined(_WIN32)
    // Winsock's getsockname fails on an unbound socket; the protocol info always has the family.
    WSAPROTOCOL_INFOW info{};
    s.get_option(SOL_SOCKET, SO_PROTOCOL_INFOW, &info, sizeof info, ec);
    if (!ec) s.family_ = info.iAddressFamily;
    // Winsock cannot report whether FIONBIO is set. Every netlite socket on Windows is
    // non-blocking in the kernel, so the adopted one is made so too; in netlite's sense it
    // starts blocking (call set_blocking(false) for a non-blocking one).
    detail::ops::set_nonblocking(handle, true, ec);
    s.kernel_nonblocking_ = !ec;
    s.blocking_ = true;
#else
    s.kernel_nonblocking_ = detail::ops::is_nonblocking(handle, ec);
    s.blocking_ = !s.kernel_nonblocking_;
#endif
    s.listening_ = s.get_option(SOL_SOCKET, SO_ACCEPTCONN, ec) != 0 && !ec;
    // accept() has no MSG_DONTWAIT: a listener must be O_NONBLOCK (as `listen` makes it) or a
    // per-call timeout would block in the kernel.
    if (s.listening_) s.sync_kernel_mode(ec);
    return s;
}

inline void socket::reset_state() noexcept {
    handle_ = detail::invalid_handle;
    family_ = 0;
    type_ = 0;
    blocking_ = true;
    kernel_nonblocking_ = false;
    listening_ = false;
    timeout_.reset();
}

inline socket::socket(socket&& other) noexcept
    : handle_(other.handle_),
      family_(other.family_),
      type_(other.type_),
      blocking_(other.blocking_),
      kernel_nonblocking_(other.kernel_nonblocking_),
      listening_(other.listening_),
      timeout_(other.timeout_) {
    other.reset_state();
}

inline socket& socket::operator=(socket&& other) noexcept {
    if (this != &other) {
        std::error_code ignored;
        close(ignored);
        handle_ = other.handle_;
        family_ = other.family_;
        type_ = other.type_;
        blocking_ = other.blocking_;
        kernel_nonblocking_ = other.kernel_nonblocking_;
        listening_ = other.listening_;
        timeout_ = other.timeout_;
        other.reset_state();
    }
    return *this;
}

inline socket::~socket() {
    std::error_code ignored;
    close(ignored);
}

inline native_handle_type socket::release() noexcept {
    const native_handle_type h = handle_;
    reset_state();
    return h;
}

inline void socket::close(std::error_code& ec) noexcept {
    if (!is_open()) return ec.clear();
    detail::ops::close_socket(release(), ec);
}
inline void socket::close() {
    detail::or_throw("close", [&](std::error_code& ec) { close(ec); });
}

inline void socket::bind(const endpoint& local, std::error_code& ec) noexcept {
    detail::sockaddr_buffer sa;
    detail::to_sockaddr(local, sa, ec);
    if (!ec) detail::ops::bind(handle_, sa.data(), sa.size, ec);
}
inline void socket::bind(const endpoint& local) {
    detail::or_throw("bind", [&](std::error_code& ec) { bind(local, ec); });
}

inline void socket::listen(int backlog, std::error_code& ec) noexcept {
    detail::ops::listen(handle_, backlog, ec);
    if (ec) return;
    // A listener only ever accepts, so it is kept O_NONBLOCK and waits in poll(): that gives
    // every accept a timeout without changing the mode per call.
    listening_ = true;
    sync_kernel_mode(ec);
}
inline void socket::listen(int backlog) {
    detail::or_throw("listen", [&](std::error_code& ec) { listen(backlog, ec); });
}

inline socket socket::accept(endpoint* peer, const wait_policy& p, std::error_code& ec) noexcept {
    socket child;
    detail::sockaddr_buffer sa;
    // The child inherits this socket's modes; asking accept4 for O_NONBLOCK saves two fcntl
    // calls per connection in a non-blocking server.
    const bool child_nonblocking =
        detail::always_nonblocking_kernel || !blocking_ || timeout_.has_value();
    const detail::ssize r = io(
        false, p,
        [&](int, std::error_code& e) -> detail::ssize {
            sa.size = sizeof sa.storage;
            child.handle_ = detail::ops::accept(handle_, sa.data(), &sa.size, child_nonblocking, e);
            return child.handle_ == detail::invalid_handle ? -1 : 0;
        },
        ec);
    if (r < 0) return socket{};
    child.family_ = family_;
    child.type_ = type_;
    child.blocking_ = blocking_;
    child.timeout_ = timeout_;
    child.kernel_nonblocking_ = child_nonblocking;
    if (peer) {
        std::error_code ignored;
        *peer = detail::from_sockaddr(sa, ignored);
    }
    return child;
}

inline socket socket::accept(endpoint* peer, std::error_code& ec) noexcept {
    return accept(peer, default_policy(), ec);
}
inline socket socket::accept(endpoint* peer, milliseconds timeout, std::error_code& ec) noexcept {
    return accept(peer, timed_policy(timeout), ec);
}
inline socket socket::accept(endpoint* peer) {
    return detail::or_throw("accept", [&](std::error_code& ec) { return accept(peer, ec); });
}
inline socket socket::accept(endpoint* peer, milliseconds timeout) {
    return detail::or_throw("accept",
                            [&](std::error_code& ec) { return accept(peer, timeout, ec); });
}

inline void socket::connect(const endpoint& peer, const wait_policy& p,
                            std::error_code& ec) noexcept {
    detail::sockaddr_buffer sa;
    detail::to_sockaddr(peer, sa, ec);
    if (ec) return;
    // connect() has no MSG_DONTWAIT: switch O_NONBLOCK on for this call if it must not block.
    const bool toggled = !p.may_block_in_kernel() && !kernel_nonblocking_;
    if (toggled) {
        detail::ops::set_nonblocking(handle_, true, ec);
        if (ec) return;
    }
    if (!detail::ops::connect(handle_, sa.data(), sa.size, ec) && !ec) {
        if (!p.wait) {
            ec = detail::errc_error(std::errc::operation_in_progress);
        } else {
            detail::ops::wait(handle_, true, p.deadline, ec);
            if (!ec) ec = pending_error();
        }
    }
    if (toggled) {
        std::error_code restore;
        detail::ops::set_nonblocking(handle_, false, restore);
        if (!ec) ec = restore;
    }
}

inline void socket::connect(const endpoint& peer, std::error_code& ec) noexcept {
    connect(peer, default_policy(), ec);
}
inline void socket::connect(const endpoint& peer, milliseconds timeout,
                            std::error_code& ec) noexcept {
    connect(peer, timed_policy(timeout), ec);
}
inline void socket::connect(const endpoint& peer) {
    detail::or_throw("connect", [&](std::error_code& ec) { connect(peer, ec); });
}
inline void socket::connect(const endpoint& peer, milliseconds timeout) {
    detail::or_throw("connect", [&](std::error_code& ec) { connect(peer, timeout, ec); });
}
inline std::error_code socket::connect_ex(const endpoint& peer) noexcept {
    std::error_code ec;
    connect(peer, ec);
    return ec;
}

inline std::size_t socket::send(const_buffer data, const wait_policy& p,
                                std::error_code& ec) noexcept {
    return detail::count(io(
        true, p,
        [&](int flags, std::error_code& e) {
            return detail::ops::send(handle_, data.data(), data.size(), flags, e);
        },
        ec));
}
inline std::size_t socket::send(const_buffer data, std::error_code& ec) noexcept {
    return send(data, default_policy(), ec);
}
inline std::size_t socket::send(const_buffer data, milliseconds timeout,
                                std::error_code& ec) noexcept {
    return send(data, timed_policy(timeout), ec);
}
inline std::size_t socket::send(const_buffer data) {
    return detail::or_throw("send", [&](std::error_code& ec) { return send(data, ec); });
}
inline std::size_t socket::send(const_buffer data, milliseconds timeout) {
    return detail::or_throw("send", [&](std::error_code& ec) { return send(data, timeout, ec); });
}

inline std::size_t socket::receive(mutable_buffer out, const wait_policy& p,
                                   std::error_code& ec) noexcept {
    if (type_ == SOCK_DGRAM) {
#if defined(__linux__)
        // recv with MSG_TRUNC returns the datagram's real length: the cheapest call that still
        // tells a truncated datagram (recvmsg costs a third more per datagram here).
        const detail::ssize n = io(
            false, p,
            [&](int flags, std::error_code& e) {
                return detail::ops::recv(handle_, out.data(), out.size(), flags | MSG_TRUNC, e);
            },
            ec);
        if (n < 0) return 0;
        if (static_cast<std::size_t>(n) <= out.size()) return static_cast<std::size_t>(n);
        ec = detail::errc_error(std::errc::message_size);
        return out.size();
#else
        endpoint ignored;
        return receive_from(out, ignored, p, ec);
#endif
    }
    // recv() into 0 bytes waits for data on a TCP socket; an empty buffer needs no wait.
    if (out.empty() && is_open()) {
        ec.clear();
        return 0;
    }
    return detail::count(io(
        false, p,
        [&](int flags, std::error_code& e) {
            return detail::ops::recv(handle_, out.data(), out.size(), flags, e);
        },
        ec));
}
inline std::size_t socket::receive(mutable_buffer out, std::error_code& ec) noexcept {
    return receive(out, default_policy(), ec);
}
inline std::size_t socket::receive(mutable_buffer out, milliseconds timeout,
                                   std::error_code& ec) noexcept {
    return receive(out, timed_policy(timeout), ec);
}
inline std::size_t socket::receive(mutable_buffer out) {
    return detail::or_throw("receive", [&](std::error_code& ec) { return receive(out, ec); });
}
inline std::size_t socket::receive(mutable_buffer out, milliseconds timeout) {
    return detail::or_throw("receive",
                            [&](std::error_code& ec) { return receive(out, timeout, ec); });
}

inline std::size_t socket::send_all(const_buffer data, const wait_policy& p,
                                    std::error_code& ec) noexcept {
    std::size_t sent = 0;
    ec.clear();
    while (sent < data.size()) {
        const std::size_t n = send(data + sent, p, ec);
        if (ec) break;
        sent += n;
    }
    return sent;
}
inline std::size_t socket::send_all(const_buffer data, std::error_code& ec) noexcept {
    return send_all(data, default_policy(), ec);
}
inline std::size_t socket::send_all(const_buffer data, milliseconds timeout,
                                    std::error_code& ec) noexcept {
    return send_all(data, timed_policy(timeout), ec);
}
inline std::size_t socket::send_all(const_buffer data) {
    return detail::transfer_or_throw("send_all",
                                     [&](std::error_code& ec) { return send_all(data, ec); });
}
inline std::size_t socket::send_all(const_buffer data, milliseconds timeout) {
    return detail::transfer_or_throw(
        "send_all", [&](std::error_code& ec) { return send_all(data, timeout, ec); });
}

inline std::size_t socket::receive_exact(mutable_buffer out, const wait_policy& p,
                                         std::error_code& ec) noexcept {
    std::size_t got = 0;
    ec.clear();
    while (got < out.size()) {
        const std::size_t n = receive(out + got, p, ec);
        if (ec) break;
        if (n == 0) {
            ec = error::eof;
            break;
        }
        got += n;
    }
    return got;
}
inline std::size_t socket::receive_exact(mutable_buffer out, std::error_code& ec) noexcept {
    return receive_exact(out, default_policy(), ec);
}
inline std::size_t socket::receive_exact(mutable_buffer out, milliseconds timeout,
                                         std::error_code& ec) noexcept {
    return receive_exact(out, timed_policy(timeout), ec);
}
inline std::size_t socket::receive_exact(mutable_buffer out) {
    return detail::transfer_or_throw("receive_exact",
                                     [&](std::error_code& ec) { return receive_exact(out, ec); });
}
inline std::size_t socket::receive_exact(mutable_buffer out, milliseconds timeout) {
    return detail::transfer_or_throw(
        "receive_exact", [&](std::error_code& ec) { return receive_exact(out, timeout, ec); });
}

inline std::size_t socket::send_to(const_buffer data, const endpoint& peer, const wait_policy& p,
                                   std::error_code& ec) noexcept {
    detail::sockaddr_buffer sa;
    detail::to_sockaddr(peer, sa, ec);
    if (ec) return 0;
    return detail::count(io(
        true, p,
        [&](int flags, std::error_code& e) {
            return detail::ops::sendto(handle_, data.data(), data.size(), flags, sa.data(), sa.size,
                                       e);
        },
        ec));
}
inline std::size_t socket::send_to(const_buffer data, const endpoint& peer,
                                   std::error_code& ec) noexcept {
    return send_to(data, peer, default_policy(), ec);
}
inline std::size_t socket::send_to(const_buffer data, const endpoint& peer, milliseconds timeout,
                                   std::error_code& ec) noexcept {
    return send_to(data, peer, timed_policy(timeout), ec);
}
inline std::size_t socket::send_to(const_buffer data, const endpoint& peer) {
    return detail::or_throw("send_to",
                            [&](std::error_code& ec) { return send_to(data, peer, ec); });
}
inline std::size_t socket::send_to(const_buffer data, const endpoint& peer, milliseconds timeout) {
    return detail::or_throw("send_to",
                            [&](std::error_code& ec) { return send_to(data, peer, timeout, ec); });
}

inline std::size_t socket::receive_from(mutable_buffer out, endpoint& sender, const wait_policy& p,
                                        std::error_code& ec) noexcept {
    detail::sockaddr_buffer sa;
    bool truncated = false;
    const detail::ssize n = io(
        false, p,
        [&](int flags, std::error_code& e) {
            sa.size = sizeof sa.storage;
#if defined(__linux__)
            if (type_ == SOCK_DGRAM)
                return detail::ops::recvfrom_datagram(handle_, out.data(), out.size(), flags,
                                                      sa.data(), &sa.size, truncated, e);
#endif
            return detail::ops::recvfrom(handle_, out.data(), out.size(), flags, sa.data(),
                                         &sa.size, truncated, e);
        },
        ec);
    if (n < 0) return 0;
    std::error_code ignored;
    sender = sa.size > 0 ? detail::from_sockaddr(sa, ignored) : endpoint{};
    if (truncated) ec = detail::errc_error(std::errc::message_size);
    return static_cast<std::size_t>(n);
}
inline std::size_t socket::receive_from(mutable_buffer out, endpoint& sender,
                                        std::error_code& ec) noexcept {
    return receive_from(out, sender, default_policy(), ec);
}
inline std::size_t socket::receive_from(mutable_buffer out, endpoint& sender, milliseconds timeout,
                                        std::error_code& ec) noexcept {
    return receive_from(out, sender, timed_policy(timeout), ec);
}
inline std::size_t socket::receive_from(mutable_buffer out, endpoint& sender) {
    return detail::or_throw("receive_from",
                            [&](std::error_code& ec) { return receive_from(out, sender, ec); });
}
inline std::size_t socket::receive_from(mutable_buffer out, endpoint& sender,
                                        milliseconds timeout) {
    return detail::or_throw("receive_from", [&](std::error_code& ec) {
        return receive_from(out, sender, timeout, ec);
    });
}

inline void socket::shutdown(shutdown_type what, std::error_code& ec) noexcept {
    const int how = what == shutdown_type::receive ? detail::shutdown_receive
                    : what == shutdown_type::send  ? detail::shutdown_send
                                                   : detail::shutdown_both;
    detail::ops::shutdown(handle_, how, ec);
}
inline void socket::shutdown(shutdown_type what) {
    detail::or_throw("shutdown", [&](std::error_code& ec) { shutdown(what, ec); });
}

inline endpoint socket::local_endpoint(std::error_code& ec) const noexcept {
    detail::sockaddr_buffer sa;
    detail::ops::getsockname(handle_, sa.data(), &sa.size, ec);
    return ec ? endpoint{} : detail::from_sockaddr(sa, ec);
}
inline endpoint socket::local_endpoint() const {
    return detail::or_throw("local_endpoint",
                            [&](std::error_code& ec) { return local_endpoint(ec); });
}
inline endpoint socket::peer_endpoint(std::error_code& ec) const noexcept {
    detail::sockaddr_buffer sa;
    detail::ops::getpeername(handle_, sa.data(), &sa.size, ec);
    return ec ? endpoint{} : detail::from_sockaddr(sa, ec);
}
inline endpoint socket::peer_endpoint() const {
    return detail::or_throw("peer_endpoint",
                            [&](std::error_code& ec) { return peer_endpoint(ec); });
}

inline void socket::sync_kernel_mode(std::error_code& ec) noexcept {
    const bool want = wants_nonblocking_kernel();
    if (want == kernel_nonblocking_) return ec.clear();
    detail::ops::set_nonblocking(handle_, want, ec);
    if (!ec) kernel_nonblocking_ = want;
}

inline void socket::set_blocking(bool blocking, std::error_code& ec) noexcept {
    blocking_ = blocking;
    if (!is_open()) return ec.clear();
    sync_kernel_mode(ec);
}
inline void socket::set_blocking(bool blocking) {
    detail::or_throw("set_blocking", [&](std::error_code& ec) { set_blocking(blocking, ec); });
}

inline void socket::set_timeout(std::optional<milliseconds> timeout, std::error_code& ec) noexcept {
    if (timeout && timeout->count() < 0) return void(ec = error::invalid_argument);
    timeout_ = timeout;
    if (!is_open()) return ec.clear();
    sync_kernel_mode(ec);
}
inline void socket::set_timeout(std::optional<milliseconds> timeout) {
    detail::or_throw("set_timeout", [&](std::error_code& ec) { set_timeout(timeout, ec); });
}

inline std::size_t socket::available(std::error_code& ec) const noexcept {
    return detail::ops::available(handle_, ec);
}
inline std::size_t socket::available() const {
    return detail::or_throw("available", [&](std::error_code& ec) { return available(ec); });
}

inline std::error_code socket::pending_error() const noexcept {
    std::error_code ec;
    const int value = get_option(SOL_SOCKET, SO_ERROR, ec);
    if (ec) return ec;
    return value == 0 ? std::error_code{} : detail::os_error(value);
}

inline void socket::set_option(int level, int name, const void* value, std::size_t size,
                               std::error_code& ec) noexcept {
    detail::ops::setsockopt(handle_, level, name, value, size, ec);
}
inline std::size_t socket::get_option(int level, int name, void* value, std::size_t size,
                                      std::error_code& ec) const noexcept {
    return detail::ops::getsockopt(handle_, level, name, value, size, ec);
}
inline void socket::set_option(int level, int name, const void* value, std::size_t size) {
    detail::or_throw("set_option",
                     [&](std::error_code& ec) { set_option(level, name, value, size, ec); });
}
inline void socket::set_option(int level, int name, int value, std::error_code& ec) noexcept {
    set_option(level, name, &value, sizeof value, ec);
}
inline void socket::set_option(int level, int name, int value) {
    detail::or_throw("set_option",
                     [&](std::error_code& ec) { set_option(level, name, value, ec); });
}
inline int socket::get_option(int level, int name, std::error_code& ec) const noexcept {
    int value = 0;
    get_option(level, name, &value, sizeof value, ec);
    return value;
}
inline int socket::get_option(int level, int name) const {
    return detail::or_throw("get_option",
                            [&](std::error_code& ec) { return get_option(level, name, ec); });
}

inline void socket::set_reuse_address(bool on, std::error_code& ec) noexcept {
    set_option(SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0, ec);
}
inline void socket::set_reuse_address(bool on) { set_option(SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0); }
// A negative size would reach the kernel as a huge unsigned one (Linux clamps it to the maximum).
inline void socket::set_receive_buffer_size(int bytes, std::error_code& ec) noexcept {
    if (bytes < 0) return void(ec = error::invalid_argument);
    set_option(SOL_SOCKET, SO_RCVBUF, bytes, ec);
}
inline void socket::set_receive_buffer_size(int bytes) {
    detail::or_throw("set_receive_buffer_size",
                     [&](std::error_code& ec) { set_receive_buffer_size(bytes, ec); });
}
inline int socket::receive_buffer_size() const { return get_option(SOL_SOCKET, SO_RCVBUF); }
inline void socket::set_send_buffer_size(int bytes, std::error_code& ec) noexcept {
    if (bytes < 0) return void(ec = error::invalid_argument);
    set_option(SOL_SOCKET, SO_SNDBUF, bytes, ec);
}
inline void socket::set_send_buffer_size(int bytes) {
    detail::or_throw("set_send_buffer_size",
                     [&](std::error_code& ec) { set_send_buffer_size(bytes, ec); });
}
inline int socket::send_buffer_size() const { return get_option(SOL_SOCKET, SO_SNDBUF); }

inline std::pair<socket, socket> socketpair(std::error_code& ec) noexcept {
    native_handle_type h[2] = {detail::invalid_handle, detail::invalid_handle};
    detail::ops::socketpair(AF_UNIX, SOCK_STREAM, h, ec);
    if (ec) return {};
    return {socket::adopt(h[0]), socket::adopt(h[1])};
}
inline std::pair<socket, socket> socketpair() {
    return detail::or_throw("socketpair", [](std::error_code& ec) { return socketpair(ec); });
}

}  // namespace netlite

#endif  // NETLITE_DETAIL_SOCKET_CORE_HPP
