// SPDX-License-Identifier: MIT
// tcp_client: the tutorial's interactive TCP client. Sends each line typed on stdin to HOST:PORT,
// waits for the server's one-line reply and prints `Received from server: <reply>`; `q` or the
// end of stdin quits. Every address HOST resolves to is tried in turn.
// Try: ./tcp_echo_server 9999 & ./tcp_client 127.0.0.1 9999
#include <netlite/line_reader.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>

namespace {

const char usage[] = "usage: tcp_client [--timeout SECS] HOST PORT\n";

int bad_usage(std::string_view why) {
    std::cerr << "tcp_client: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, const std::error_code& ec) {
    std::cerr << "tcp_client: " << what << ": " << ec.message() << '\n';
    return 1;
}

// A decimal number in [low, high], nothing else.
bool parse_number(std::string_view text, long low, long high, long& out) {
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && stop == end && out >= low && out <= high;
}

}  // namespace

int main(int argc, char** argv) {
    long seconds = 30, port = 0;
    int first = 1;  // HOST
    if (argc == 2 && std::string_view(argv[1]) == "--help") {
        std::cout << usage << "Sends each stdin line and prints the server's reply; q quits.\n"
                  << "--timeout bounds connecting and waiting for each reply (default 30 s).\n";
        return 0;
    }
    if (argc > 1 && std::string_view(argv[1]) == "--timeout") {
        if (argc < 3 || !parse_number(argv[2], 1, 86400, seconds))
            return bad_usage("--timeout needs a number of seconds 1-86400");
        first = 3;
    }
    if (argc - first != 2) return bad_usage("HOST and PORT are required");
    if (!parse_number(argv[first + 1], 1, 65535, port))
        return bad_usage(std::string("not a port number 1-65535: ") + argv[first + 1]);
    const std::string host = argv[first], service = argv[first + 1];
    const netlite::milliseconds timeout(1000 * seconds);

    netlite::tcp_stream server;
    std::error_code ec;
    server.connect(host, service, timeout, ec);
    if (ec) return fail("connect to " + host + ":" + service, ec);
    server.set_timeout(timeout);  // for every reply

    netlite::line_reader replies(65536);  // a reply may arrive in pieces, or with the next one
    std::string line, reply;
    while (std::getline(std::cin, line) && line != "q") {
        server.send_all(netlite::buffer(line + '\n'), ec);
        if (ec) return fail("send", ec);
        if (!replies.read_line(server, reply, ec)) return fail("receive", ec);
        std::cout << "Received from server: " << reply << std::endl;
    }
    return 0;
}
