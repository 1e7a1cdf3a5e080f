// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_SOCKET_BASE_HPP
#define NETLITE_DETAIL_SOCKET_BASE_HPP

/// \file
/// The holder that `tcp_stream`, `tcp_listener` and `udp_socket` are built on: it owns the one
/// `netlite::socket` and forwards the calls every kind of socket shares, so each typed class
/// only adds what is its own. No virtual functions; the typed classes are not polymorphic.

#include <netlite/detail/socket_core.hpp>

namespace netlite::detail {

class socket_base {
  public:
    bool is_open() const noexcept { return socket_.is_open(); }
    explicit operator bool() const noexcept { return socket_.is_open(); }
    native_handle_type native_handle() const noexcept { return socket_.native_handle(); }
    /// Gives up ownership of the handle; this object is closed afterwards.
    native_handle_type release() noexcept { return socket_.release(); }
    void close(std::error_code& ec) noexcept { socket_.close(ec); }
    void close() { socket_.close(); }
    /// The generic socket underneath, for anything the typed class does not spell out.
    netlite::socket& as_socket() noexcept { return socket_; }
    const netlite::socket& as_socket() const noexcept { return socket_; }
    address_family family() const noexcept { return socket_.family(); }

    endpoint local_endpoint(std::error_code& ec) const noexcept {
        return socket_.local_endpoint(ec);
    }
    endpoint local_endpoint() const { return socket_.local_endpoint(); }

    /// See `socket::set_blocking`; a setting made while closed applies once opened.
    void set_blocking(bool on, std::error_code& ec) noexcept { socket_.set_blocking(on, ec); }
    void set_blocking(bool on) { socket_.set_blocking(on); }
    bool is_blocking() const noexcept { return socket_.is_blocking(); }
    /// See `socket::set_timeout`; a setting made while closed applies once opened.
    void set_timeout(std::optional<milliseconds> t, std::error_code& ec) noexcept {
        socket_.set_timeout(t, ec);
    }
    void set_timeout(std::optional<milliseconds> t) { socket_.set_timeout(t); }
    std::optional<milliseconds> timeout() const noexcept { return socket_.timeout(); }

    std::size_t available(std::error_code& ec) const noexcept { return socket_.available(ec); }
    std::size_t available() const { return socket_.available(); }
    std::error_code pending_error() const noexcept { return socket_.pending_error(); }

    /// SO_RCVBUF / SO_SNDBUF. The OS may round or double the request (Linux doubles it);
    /// read it back for the size in effect.
    void set_receive_buffer_size(int bytes, std::error_code& ec) noexcept {
        socket_.set_receive_buffer_size(bytes, ec);
    }
    void set_receive_buffer_size(int bytes) { socket_.set_receive_buffer_size(bytes); }
    int receive_buffer_size() const { return socket_.receive_buffer_size(); }
    void set_send_buffer_size(int bytes, std::error_code& ec) noexcept {
        socket_.set_send_buffer_size(bytes, ec);
    }
    void set_send_buffer_size(int bytes) { socket_.set_send_buffer_size(bytes); }
    int send_buffer_size() const { return socket_.send_buffer_size(); }

    void set_option(int level, int name, int value, std::error_code& ec) noexcept {
        socket_.set_option(level, name, value, ec);
    }
    void set_option(int level, int name, int value) { socket_.set_option(level, name, value); }
    int get_option(int level, int name, std::error_code& ec) const noexcept {
        return socket_.get_option(level, name, ec);
    }
    int get_option(int level, int name) const { return socket_.get_option(level, name); }

  protected:
    socket_base() noexcept = default;
    explicit socket_base(netlite::socket s) noexcept : socket_(std::move(s)) {}
    ~socket_base() = default;
    socket_base(socket_base&&) noexcept = default;
    socket_base& operator=(socket_base&&) noexcept = default;

    /// Opens a fresh socket for `family`, keeping the blocking mode and timeout chosen so far
    /// (also when opening fails: the handle held before is closed either way).
    void reopen(address_family family, socket_type type, std::error_code& ec) noexcept {
        netlite::socket fresh = netlite::socket::open(family, type, ec);
        if (!ec) fresh.set_blocking(socket_.is_blocking(), ec);
        if (!ec) fresh.set_timeout(socket_.timeout(), ec);
        if (ec) return discard();
        socket_ = std::move(fresh);
    }

    /// Closes the handle after a failed set-up, keeping the blocking mode and timeout for the
    /// next `reopen` (a plain `close` resets them, and a retry would lose its timeout).
    void discard() noexcept {
        const bool blocking = socket_.is_blocking();
        const auto timeout = socket_.timeout();
        std::error_code ignored;
        socket_.close(ignored);
        socket_.set_blocking(blocking, ignored);
        socket_.set_timeout(timeout, ignored);
    }

    netlite::socket socket_;
};

/// `send` / `receive` with per-call timeouts, shared by the stream and the datagram socket.
template <typename Derived>
class io_calls {
  public:
    /// Sends what the OS takes now (stream: possibly part; datagram: one whole datagram).
    std::size_t send(const_buffer data, std::error_code& ec) noexcept {
        return sock().send(data, ec);
    }
    std::size_t send(const_buffer data, milliseconds timeout, std::error_code& ec) noexcept {
        return sock().send(data, timeout, ec);
    }
    std::size_t send(const_buffer data) { return sock().send(data); }
    std::size_t send(const_buffer data, milliseconds timeout) { return sock().send(data, timeout); }
    /// Stream: up to `out.size()` bytes, 0 at end of stream. Datagram: one datagram;
    /// `message_size` when it did not fit.
    std::size_t receive(mutable_buffer out, std::error_code& ec) noexcept {
        return sock().receive(out, ec);
    }
    std::size_t receive(mutable_buffer out, milliseconds timeout, std::error_code& ec) noexcept {
        return sock().receive(out, timeout, ec);
    }
    std::size_t receive(mutable_buffer out) { return sock().receive(out); }
    std::size_t receive(mutable_buffer out, milliseconds timeout) {
        return sock().receive(out, timeout);
    }
    endpoint peer_endpoint(std::error_code& ec) const noexcept {
        return static_cast<const Derived&>(*this).as_socket().peer_endpoint(ec);
    }
    endpoint peer_endpoint() const {
        return static_cast<const Derived&>(*this).as_socket().peer_endpoint();
    }

  protected:
    ~io_calls() = default;

  private:
    netlite::socket& sock() noexcept { return static_cast<Derived&>(*this).as_socket(); }
};

}  // namespace netlite::detail

#endif  // NETLITE_DETAIL_SOCKET_BASE_HPP
