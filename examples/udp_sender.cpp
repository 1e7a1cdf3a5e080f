// SPDX-License-Identifier: MIT
// udp_sender: the tutorial's UDP client. Sends each MESSAGE argument, or else each line of stdin
// (without its newline), as one datagram to HOST:PORT. HOST may be a name, an IPv4 or an IPv6
// address; nothing is received, so nothing confirms that the datagrams arrived.
// Try: ./udp_receiver --count 2 9999 & ./udp_sender 127.0.0.1 9999 hello world
#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>

namespace {

const char usage[] = "usage: udp_sender HOST PORT [MESSAGE...]\n";

// A port to send to: decimal, 1-65535, nothing else.
bool parse_port(std::string_view text, std::uint16_t& port) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || stop != end || value == 0 || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

int bad_usage(std::string_view why) {
    std::cerr << "udp_sender: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, const std::error_code& ec) {
    std::cerr << "udp_sender: " << what << ": " << ec.message() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "--help") {
        std::cout << usage << "Sends each MESSAGE, or else each line of stdin, as one datagram.\n";
        return 0;
    }
    std::uint16_t port = 0;
    if (argc < 3) return bad_usage("HOST and PORT are required");
    if (!parse_port(argv[2], port))
        return bad_usage(std::string("not a port number 1-65535: ") + argv[2]);

    // Look the host up for UDP; the first address it resolves to (never none) is the destination.
    std::error_code ec;
    const auto found = netlite::resolve(
        argv[1], argv[2], {netlite::resolve_family::any, netlite::transport::udp}, ec);
    if (ec) return fail(std::string("resolve ") + argv[1], ec);
    const netlite::endpoint peer = found.endpoints.front();

    netlite::udp_socket sock;  // opened by the first send_to, with the family of `peer`
    const auto send = [&](std::string_view message) {
        sock.send_to(netlite::buffer(message.data(), message.size()), peer, ec);
        return !ec;
    };
    if (argc > 3) {
        for (int i = 3; i < argc; ++i)
            if (!send(argv[i])) return fail("send to " + peer.to_string(), ec);
        return 0;
    }
    std::string line;
    while (std::getline(std::cin, line))
        if (!send(line)) return fail("send to " + peer.to_string(), ec);
    return 0;
}
