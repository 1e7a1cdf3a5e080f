// SPDX-License-Identifier: MIT
#ifndef NETLITE_ERROR_HPP
#define NETLITE_ERROR_HPP

/// \file
/// netlite's own error conditions (`netlite::error`) and their category, plus the helper that
/// turns an `std::error_code` into an exception. OS errors keep their native values in
/// `std::system_category()`; this header covers what the OS does not. No OS headers.

#include <string>
#include <system_error>

namespace netlite {

/// Library conditions. Values start at 1 so that a default `std::error_code` stays "no error".
enum class error {
    eof = 1,              ///< the peer closed the stream before the requested bytes arrived
    line_too_long,        ///< a line exceeded the reader's limit
    frame_too_large,      ///< a length-prefixed frame exceeded the reader's limit
    invalid_argument,     ///< an argument was outside what the operation accepts
    not_an_address,       ///< text is neither an IPv4 nor an IPv6 address
    not_an_ipv4_address,  ///< text is not a strict dotted-quad IPv4 address
    not_an_ipv6_address,  ///< text is not an RFC 4291 IPv6 address
    invalid_zone,         ///< an IPv6 `%zone` suffix is empty or malformed
    missing_port,         ///< an endpoint has no `:port` part
    invalid_port,         ///< a port is empty or contains something other than digits
    port_out_of_range,    ///< a port is larger than 65535
    bad_brackets,         ///< `[` / `]` around an IPv6 endpoint are missing or misplaced
    family_mismatch,      ///< an IPv4 value was given where IPv6 is required, or vice versa
    not_connected,        ///< the socket has no peer (or is closed)
    already_open,         ///< the object already holds an open handle
    already_registered,   ///< the handle is already registered with this selector
    not_registered,       ///< the handle is not registered with this selector
    handle_out_of_range,  ///< select() backend: a handle >= FD_SETSIZE (Windows: a full set)
    all_attempts_failed,  ///< every resolved address was tried and none connected
    protocol_error,       ///< the peer broke the application protocol
};

/// The category of `netlite::error`; its name is "netlite".
inline const std::error_category& error_category() noexcept;

/// Makes `netlite::error` values usable as `std::error_code` (found by ADL).
inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace netlite

namespace std {
template <>
struct is_error_code_enum<netlite::error> : true_type {};
}  // namespace std

// ---- implementation ----

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace netlite {
namespace detail {

class netlite_category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "netlite"; }

    std::string message(int value) const override {
        switch (static_cast<error>(value)) {
            case error::eof: return "end of stream: the peer closed the connection";
            case error::line_too_long: return "line too long";
            case error::frame_too_large: return "frame too large";
            case error::invalid_argument: return "invalid argument";
            case error::not_an_address: return "not an IPv4 or IPv6 address";
            case error::not_an_ipv4_address: return "not an IPv4 address";
            case error::not_an_ipv6_address: return "not an IPv6 address";
            case error::invalid_zone: return "invalid IPv6 zone";
            case error::missing_port: return "missing port";
            case error::invalid_port: return "invalid port";
            case error::port_out_of_range: return "port out of range";
            case error::bad_brackets: return "bad brackets around IPv6 address";
            case error::family_mismatch: return "address family mismatch";
            case error::not_connected: return "socket is not connected";
            case error::already_open: return "socket is already open";
            case error::already_registered: return "handle is already registered";
            case error::not_registered: return "handle is not registered";
            case error::handle_out_of_range:
                return "handle does not fit select()'s FD_SETSIZE limit";
            case error::all_attempts_failed: return "could not connect to any address";
            case error::protocol_error: return "protocol error";
        }
        return "unknown netlite error";
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<error>(value)) {
            case error::invalid_argument:
            case error::not_an_address:
            case error::not_an_ipv4_address:
            case error::not_an_ipv6_address:
            case error::invalid_zone:
            case error::missing_port:
            case error::invalid_port:
            case error::bad_brackets: return std::errc::invalid_argument;
            case error::port_out_of_range: return std::errc::result_out_of_range;
            case error::family_mismatch: return std::errc::address_family_not_supported;
            case error::not_connected: return std::errc::not_connected;
            case error::line_too_long:
            case error::frame_too_large: return std::errc::message_size;
            default: return {value, *this};
        }
    }
};

// NETLITE_TRY / NETLITE_CATCH_ALL: `try` / `catch (...)` that also compile with exceptions off
// (-fno-exceptions), where a failed allocation aborts anyway and the handler is dead code.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define NETLITE_TRY try
#define NETLITE_CATCH_ALL catch (...)
#else
#define NETLITE_TRY if (true)
#define NETLITE_CATCH_ALL else
#endif

/// Throws `std::system_error(ec, what)`; with exceptions disabled, prints and aborts.
[[noreturn]] inline void throw_error(const std::error_code& ec, const char* what) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw std::system_error(ec, what);
#else
    std::fprintf(stderr, "netlite: %s: %s\n", what, ec.message().c_str());
    std::abort();
#endif
}

/// The throwing overloads call this right after their `error_code&` twin.
inline void throw_if(const std::error_code& ec, const char* what) {
    if (ec) throw_error(ec, what);
}

/// Runs `f(ec)` (the `error_code&` overload) and throws `std::system_error(ec, what)` if it
/// failed; otherwise returns what `f` returned. Every throwing overload is this one line.
template <typename F>
auto or_throw(const char* what, F&& f) {
    std::error_code ec;
    if constexpr (std::is_void_v<decltype(f(ec))>) {
        f(ec);
        throw_if(ec, what);
    } else {
        auto result = f(ec);
        throw_if(ec, what);
        return result;
    }
}

}  // namespace detail

inline const std::error_category& error_category() noexcept {
    static const detail::netlite_category category;
    return category;
}

}  // namespace netlite

#endif  // NETLITE_ERROR_HPP
