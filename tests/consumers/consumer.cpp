// SPDX-License-Identifier: MIT
// The program every package consumer test builds against an installed, fetched or
// add_subdirectory'd netlite, then runs: it must compile, link and exit 0. It includes what
// users include, <netlite/socket.hpp>, and moves bytes through a real connected pair.
#include <netlite/socket.hpp>
#include <netlite/version.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

int main() {
    const std::error_code eof = netlite::error::eof;
    std::printf("netlite %s (NETLITE_VERSION %d): %s: %s\n", netlite::version_string,
                NETLITE_VERSION, eof.category().name(), eof.message().c_str());
    if (eof.message().empty() || std::strcmp(eof.category().name(), "netlite") != 0) return 1;

    std::error_code ec;
    auto [a, b] = netlite::socketpair(ec);
    if (ec) return std::printf("socketpair: %s\n", ec.message().c_str()), 1;
    a.set_timeout(netlite::milliseconds(10000));
    b.set_timeout(netlite::milliseconds(10000));
    char reply[4] = {};
    a.send_all("ping", ec);
    if (!ec) b.receive_exact(reply, ec);
    if (ec) return std::printf("send/receive: %s\n", ec.message().c_str()), 1;
    std::printf("socketpair carried \"%.4s\"\n", reply);
    return std::memcmp(reply, "ping", 4) == 0 ? 0 : 1;
}
