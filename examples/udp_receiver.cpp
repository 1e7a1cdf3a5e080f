// SPDX-License-Identifier: MIT
// udp_receiver: the tutorial's UDP server. Binds ADDR:PORT (default 0.0.0.0; PORT 0 picks a free
// port), prints `listening on <endpoint>`, then `[<sender>] <payload>` for every datagram, and
// exits after N datagrams with --count N, or on SIGINT/SIGTERM.
// Try: ./udp_receiver --bind 127.0.0.1 9999 & ./udp_sender 127.0.0.1 9999 hello
#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <csignal>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const char usage[] = "usage: udp_receiver [--bind ADDR] [--count N] PORT\n";

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }

// A decimal number in [low, high], nothing else.
bool parse_number(std::string_view text, unsigned long low, unsigned long high,
                  unsigned long& out) {
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && stop == end && out >= low && out <= high;
}

int bad_usage(std::string_view why) {
    std::cerr << "udp_receiver: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, const std::error_code& ec) {
    std::cerr << "udp_receiver: " << what << ": " << ec.message() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bind_address = "0.0.0.0", port_text;
    unsigned long count = 0, port = 0;  // count 0: no limit
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help") {
            std::cout << usage << "Prints [<sender>] <payload> for each datagram received.\n";
            return 0;
        }
        if (arg == "--bind" || arg == "--count") {
            if (i + 1 == argc) return bad_usage(std::string(arg) + " needs a value");
            if (arg == "--bind")
                bind_address = argv[++i];
            else if (!parse_number(argv[++i], 1, 1000000000, count))
                return bad_usage("--count needs a number 1-1000000000");
        } else if (!port_text.empty() || !parse_number(arg, 0, 65535, port)) {
            return bad_usage("unexpected argument (PORT is a number 0-65535): " + std::string(arg));
        } else {
            port_text = arg;
        }
    }
    if (port_text.empty()) return bad_usage("PORT is required");

    std::error_code ec;
    const netlite::resolve_hints hints{netlite::resolve_family::any, netlite::transport::udp,
                                       /*passive=*/true};
    const auto found = netlite::resolve(bind_address, port_text, hints, ec);
    if (ec) return fail("resolve " + bind_address, ec);
    netlite::udp_socket sock;
    sock.bind(found.endpoints.front(), ec);
    if (ec) return fail("bind " + found.endpoints.front().to_string(), ec);
    // netlite retries calls interrupted by a signal, so wait in short slices and check the flag.
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "listening on " << sock.local_endpoint() << std::endl;
    std::vector<char> datagram(65536);  // larger than any UDP payload
    for (unsigned long received = 0; !stop_requested && (count == 0 || received < count);) {
        netlite::endpoint sender;
        const std::size_t n =
            sock.receive_from(netlite::buffer(datagram), sender, netlite::milliseconds(200), ec);
        if (ec == std::errc::timed_out) continue;
        if (ec && ec != std::errc::message_size) return fail("receive", ec);
        std::cout << '[' << sender << "] ";
        std::cout.write(datagram.data(), static_cast<std::streamsize>(n)) << std::endl;
        ++received;
    }
    return 0;
}
