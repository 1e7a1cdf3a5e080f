// SPDX-License-Identifier: MIT
// udp_receiver: the tutorial's UDP server. Binds ADDR:PORT (default 0.0.0.0; PORT 0 picks a free
// port), prints `listening on <endpoint>`, then `[<sender>] <payload>` for every datagram, and
// exits after N datagrams with --count N, or on SIGINT/SIGTERM.
// Try: ./udp_receiver --bind 127.0.0.1 9999 & ./udp_sender 127.0.0.1 9999 hello
#include "cli.hpp"

#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cli::program program{"udp_receiver", "usage: udp_receiver [--bind ADDR] [--count N] PORT\n",
                           "Prints [<sender>] <payload> for each datagram received.\n"};

}  // namespace

int main(int argc, char** argv) {
    std::string bind_address = "0.0.0.0";
    unsigned long count = 0;  // 0: no limit
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--bind"))
            bind_address = args.value();
        else if (args.is("--count"))
            count = args.number(1UL, 1000000000UL);
        else
            args.unknown();
    }
    const std::string port(args.operand("PORT"));
    program.port(port);

    std::error_code ec;
    const netlite::resolve_hints hints{netlite::resolve_family::any, netlite::transport::udp,
                                       /*passive=*/true};
    const auto found = netlite::resolve(bind_address, port, hints, ec);
    if (ec) return program.fail("resolve " + bind_address, ec);
    netlite::udp_socket sock;
    sock.bind(found.endpoints.front(), ec);
    if (ec) return program.fail("bind " + found.endpoints.front().to_string(), ec);
    cli::stop_on_signals();  // checked between the 200 ms slices below
    std::cout << "listening on " << sock.local_endpoint() << std::endl;
    std::vector<char> datagram(65536);  // larger than any UDP payload
    for (unsigned long received = 0; !cli::stop_requested() && (count == 0 || received < count);) {
        netlite::endpoint sender;
        const std::size_t n =
            sock.receive_from(netlite::buffer(datagram), sender, netlite::milliseconds(200), ec);
        if (ec == std::errc::timed_out) continue;
        if (ec && ec != std::errc::message_size) return program.fail("receive", ec);
        std::cout << '[' << sender << "] ";
        std::cout.write(datagram.data(), static_cast<std::streamsize>(n)) << std::endl;
        ++received;
    }
    return 0;
}
