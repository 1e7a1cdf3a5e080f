// SPDX-License-Identifier: MIT
// udp_sender: the tutorial's UDP client. Sends each MESSAGE argument, or else each line of stdin
// (without its newline), as one datagram to HOST:PORT. HOST may be a name, an IPv4 or an IPv6
// address; nothing is received, so nothing confirms that the datagrams arrived.
// Try: ./udp_receiver --count 2 9999 & ./udp_sender 127.0.0.1 9999 hello world
#include "cli.hpp"

#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cli::program program{"udp_sender", "usage: udp_sender HOST PORT [MESSAGE...]\n",
                           "Sends each MESSAGE, or else each line of stdin, as one datagram.\n"};

}  // namespace

int main(int argc, char** argv) {
    cli::arguments args(program, argc, argv, /*options_first=*/true);  // a MESSAGE may be "-x"
    while (args.next()) args.unknown();
    const std::vector<std::string_view>& operands = args.operands();
    if (operands.size() < 2) program.usage_error("HOST and PORT are required");
    const std::string host(operands[0]);
    program.port(operands[1], 1);

    // Look the host up for UDP; the first address it resolves to (never none) is the destination.
    std::error_code ec;
    const auto found = netlite::resolve(
        host, operands[1], {netlite::resolve_family::any, netlite::transport::udp}, ec);
    if (ec) return program.fail("resolve " + host, ec);
    const netlite::endpoint peer = found.endpoints.front();

    netlite::udp_socket sock;  // opened by the first send_to, with the family of `peer`
    const auto send = [&](std::string_view message) {
        sock.send_to(netlite::buffer(message.data(), message.size()), peer, ec);
        return !ec;
    };
    if (operands.size() > 2) {
        for (std::size_t i = 2; i < operands.size(); ++i)
            if (!send(operands[i])) return program.fail("send to " + peer.to_string(), ec);
        return 0;
    }
    std::string line;
    while (std::getline(std::cin, line))
        if (!send(line)) return program.fail("send to " + peer.to_string(), ec);
    return 0;
}
