// SPDX-License-Identifier: MIT
// Windows port: Winsock versions of the small OS helpers that socket_test, tcp_test and udp_test
// define with fcntl/poll on POSIX. Included by those files under _WIN32 only; the names match
// the POSIX helpers so that the test cases read the same on both.
#ifndef NETLITE_TESTS_WINSOCK_TEST_HELPERS_HPP
#define NETLITE_TESTS_WINSOCK_TEST_HELPERS_HPP

#include <netlite/socket.hpp>  // <winsock2.h> through detail/platform.hpp

#include <chrono>
#include <cstddef>
#include <system_error>

#if defined(_WIN32)

namespace winsock_test {

using handle = netlite::native_handle_type;

// True when `h` is no longer a socket (WSAENOTSOCK). Call it right after the close under test:
// the handle value may be reused by the next open.
inline bool is_closed_descriptor(handle h) {
    int type = 0;
    int size = sizeof type;
    return ::getsockopt(h, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &size) != 0 &&
           ::WSAGetLastError() == WSAENOTSOCK;
}

// Windows' close-on-exec: the handle is not inherited by child processes.
inline bool has_cloexec(handle h) {
    DWORD flags = 0;
    return ::GetHandleInformation(reinterpret_cast<HANDLE>(h), &flags) != 0 &&
           (flags & HANDLE_FLAG_INHERIT) == 0;
}

// Waits until `h` is readable (POLLIN) or writable (POLLOUT); false on timeout. select(), which
// also reports a failed connect (as an exception), where WSAPoll did not before Windows 10 2004.
inline bool wait_ready(handle h, short events, std::chrono::milliseconds timeout) {
    fd_set ready;
    fd_set failed;
    FD_ZERO(&ready);
    FD_ZERO(&failed);
    FD_SET(h, &ready);
    FD_SET(h, &failed);
    const bool for_write = (events & POLLOUT) != 0;
    const auto ms = static_cast<long>(timeout.count());
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    return ::select(0, for_write ? nullptr : &ready, for_write ? &ready : nullptr, &failed, &tv) >
           0;
}

inline int close_handle(handle h) { return ::closesocket(h); }

// Wine's ntdll exports wine_get_version; Windows' does not. For the few places where Wine's
// Winsock differs from Windows (each one says how).
inline bool running_under_wine() {
    const HMODULE ntdll = ::GetModuleHandleA("ntdll.dll");
    return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// A socket made without netlite (as another library would), non-inheritable; FIONBIO on when
// `nonblocking`. Starts Winsock first: this may be the process's first socket.
inline handle raw_socket(int family, int type, bool nonblocking) {
    std::error_code ec;
    if (!netlite::detail::ensure_winsock(ec)) return INVALID_SOCKET;
    const handle h =
        ::WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    u_long on = 1;
    if (h != INVALID_SOCKET && nonblocking) ::ioctlsocket(h, FIONBIO, &on);
    return h;
}

// Handles open in this process (sockets are handles), like counting /proc/self/fd on Linux.
inline std::size_t open_descriptor_count() {
    DWORD n = 0;
    ::GetProcessHandleCount(::GetCurrentProcess(), &n);
    return n;
}

}  // namespace winsock_test

#endif  // _WIN32

#endif  // NETLITE_TESTS_WINSOCK_TEST_HELPERS_HPP
