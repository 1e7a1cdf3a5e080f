// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_WINSOCK_HPP
#define NETLITE_DETAIL_WINSOCK_HPP

/// \file
/// Winsock only (this header is empty elsewhere): the error category that keeps WSA codes and
/// maps them to `std::errc`, the lazy thread-safe `WSAStartup`, and `last_error()`. Included by
/// `platform.hpp`, which holds the OS includes.

#include <netlite/detail/platform.hpp>

#if defined(_WIN32)

#include <cstddef>
#include <string>
#include <system_error>

namespace netlite::detail {

/// The category of Winsock (and Win32) error values; its name is "netlite.winsock". Codes keep
/// the native value; `default_error_condition` maps them to `std::errc`, so
/// `ec == std::errc::connection_refused` holds for WSAECONNREFUSED.
const std::error_category& winsock_category() noexcept;

/// Starts Winsock 2.2 on first use, once per process, thread-safely. Every call that needs
/// Winsock before it has a socket (socket creation, name services, gethostname) calls it.
bool ensure_winsock(std::error_code& ec) noexcept;

/// The error of the Winsock call that just failed (WSAGetLastError), with its native value kept.
inline std::error_code last_error() noexcept { return {::WSAGetLastError(), winsock_category()}; }

/// An OS error value (a WSA code, SO_ERROR's value, or GetLastError's) as an error code.
inline std::error_code os_error(int value) noexcept { return {value, winsock_category()}; }

inline bool is_would_block(int err) noexcept { return err == WSAEWOULDBLOCK; }

/// Whether `ec` (from a socket call) means "would block".
inline bool is_would_block(const std::error_code& ec) noexcept {
    return ec.category() == winsock_category() && ec.value() == WSAEWOULDBLOCK;
}

// ---- implementation ----

struct winsock_error_entry {
    int value;
    std::errc condition;
    const char* text;  // the POSIX wording, so messages read the same on every OS
};

// WSA codes with a std::errc meaning. Codes absent here stay in the category (their message
// comes from FormatMessage).
inline constexpr winsock_error_entry winsock_errors[] = {
    {WSAEINTR, std::errc::interrupted, "Interrupted function call"},
    {WSAEBADF, std::errc::bad_file_descriptor, "Bad file descriptor"},
    {WSAEACCES, std::errc::permission_denied, "Permission denied"},
    {WSAEFAULT, std::errc::bad_address, "Bad address"},
    {WSAEINVAL, std::errc::invalid_argument, "Invalid argument"},
    {WSAEMFILE, std::errc::too_many_files_open, "Too many open sockets"},
    {WSAEWOULDBLOCK, std::errc::operation_would_block, "Operation would block"},
    {WSAEINPROGRESS, std::errc::operation_in_progress, "Operation now in progress"},
    {WSAEALREADY, std::errc::connection_already_in_progress, "Operation already in progress"},
    {WSAENOTSOCK, std::errc::bad_file_descriptor, "Not a socket"},
    {WSAEDESTADDRREQ, std::errc::destination_address_required, "Destination address required"},
    {WSAEMSGSIZE, std::errc::message_size, "Message too long"},
    {WSAEPROTOTYPE, std::errc::wrong_protocol_type, "Protocol wrong type for socket"},
    {WSAENOPROTOOPT, std::errc::no_protocol_option, "Protocol not available"},
    {WSAEPROTONOSUPPORT, std::errc::protocol_not_supported, "Protocol not supported"},
    {WSAESOCKTNOSUPPORT, std::errc::not_supported, "Socket type not supported"},
    {WSAEOPNOTSUPP, std::errc::operation_not_supported, "Operation not supported"},
    {WSAEPFNOSUPPORT, std::errc::address_family_not_supported, "Protocol family not supported"},
    {WSAEAFNOSUPPORT, std::errc::address_family_not_supported,
     "Address family not supported by protocol"},
    {WSAEADDRINUSE, std::errc::address_in_use, "Address already in use"},
    {WSAEADDRNOTAVAIL, std::errc::address_not_available, "Cannot assign requested address"},
    {WSAENETDOWN, std::errc::network_down, "Network is down"},
    {WSAENETUNREACH, std::errc::network_unreachable, "Network is unreachable"},
    {WSAENETRESET, std::errc::network_reset, "Network dropped connection on reset"},
    {WSAECONNABORTED, std::errc::connection_aborted, "Software caused connection abort"},
    {WSAECONNRESET, std::errc::connection_reset, "Connection reset by peer"},
    {WSAENOBUFS, std::errc::no_buffer_space, "No buffer space available"},
    {WSAEISCONN, std::errc::already_connected, "Transport endpoint is already connected"},
    {WSAENOTCONN, std::errc::not_connected, "Transport endpoint is not connected"},
    // Sending after shutdown(send), or to a peer that is gone: POSIX says EPIPE.
    {WSAESHUTDOWN, std::errc::broken_pipe, "Cannot send after transport endpoint shutdown"},
    {WSAETIMEDOUT, std::errc::timed_out, "Connection timed out"},
    {WSAECONNREFUSED, std::errc::connection_refused, "Connection refused"},
    {WSAELOOP, std::errc::too_many_symbolic_link_levels, "Too many levels of symbolic links"},
    {WSAENAMETOOLONG, std::errc::filename_too_long, "Name too long"},
    {WSAEHOSTUNREACH, std::errc::host_unreachable, "No route to host"},
    {WSAENOTEMPTY, std::errc::directory_not_empty, "Directory not empty"},
    {WSAEPROCLIM, std::errc::resource_unavailable_try_again, "Too many processes"},
    {WSAECANCELLED, std::errc::operation_canceled, "Operation canceled"},
    {WSA_INVALID_HANDLE, std::errc::bad_file_descriptor, "Invalid handle"},
    {WSA_INVALID_PARAMETER, std::errc::invalid_argument, "Invalid argument"},
    {WSA_NOT_ENOUGH_MEMORY, std::errc::not_enough_memory, "Not enough memory"},
    {WSA_OPERATION_ABORTED, std::errc::operation_canceled, "Operation aborted"},
};

inline const winsock_error_entry* find_winsock_error(int value) noexcept {
    for (const winsock_error_entry& e : winsock_errors)
        if (e.value == value) return &e;
    return nullptr;
}

class winsock_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "netlite.winsock"; }

    std::string message(int value) const override {
        if (const winsock_error_entry* e = find_winsock_error(value)) return e->text;
        char text[512];
        const DWORD n = ::FormatMessageA(
            FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                FORMAT_MESSAGE_MAX_WIDTH_MASK,
            nullptr, static_cast<DWORD>(value), 0, text, static_cast<DWORD>(sizeof text), nullptr);
        std::string result(text, n);
        while (!result.empty() && (result.back() == ' ' || result.back() == '.' ||
                                   result.back() == '\r' || result.back() == '\n'))
            result.pop_back();
        if (result.empty()) result = "Winsock error " + std::to_string(value);
        return result;
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        if (const winsock_error_entry* e = find_winsock_error(value))
            return std::make_error_condition(e->condition);
        return {value, *this};
    }

    // Also the second name POSIX gives the same failure: EAGAIN beside EWOULDBLOCK, ENOTSOCK
    // beside the bad_file_descriptor that a closed handle reports.
    bool equivalent(int value, const std::error_condition& condition) const noexcept override {
        if (default_error_condition(value) == condition) return true;
        if (value == WSAEWOULDBLOCK) return condition == std::errc::resource_unavailable_try_again;
        if (value == WSAENOTSOCK) return condition == std::errc::not_a_socket;
        return false;
    }
};

inline const std::error_category& winsock_category() noexcept {
    static const winsock_category_impl category;
    return category;
}

// WSAStartup's result, computed once by the first caller (a function-local static: C++11
// makes its initialisation thread-safe). WSACleanup is never called: the process exit releases
// Winsock anyway, and a cleanup from a static destructor would pull Winsock from under sockets
// that other static objects or still-running threads own. WSAStartup is reference counted, so
// an application that pairs its own WSAStartup/WSACleanup is unaffected.
inline int winsock_startup_result() noexcept {
    static const int result = [] {
        WSADATA data;
        return ::WSAStartup(MAKEWORD(2, 2), &data);
    }();
    return result;
}

// MinGW's C runtime has no text for most socket errno values ("Unknown error"), so a failure
// netlite detects itself is reported with the WSA value of the same meaning when there is one.
inline std::error_code errc_error(std::errc e) noexcept {
    if (e == std::errc::not_supported) return std::make_error_code(e);  // (not "socket type")
    for (const winsock_error_entry& entry : winsock_errors)
        if (entry.condition == e) return {entry.value, winsock_category()};
    return std::make_error_code(e);
}

inline bool ensure_winsock(std::error_code& ec) noexcept {
    const int result = winsock_startup_result();
    if (result == 0) return true;
    ec = os_error(result);
    return false;
}

}  // namespace netlite::detail

#endif  // _WIN32

#endif  // NETLITE_DETAIL_WINSOCK_HPP
