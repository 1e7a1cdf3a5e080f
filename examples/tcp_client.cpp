// SPDX-License-Identifier: MIT
// tcp_client: the tutorial's interactive TCP client. Sends each line typed on stdin to HOST:PORT,
// waits for the server's one-line reply and prints `Received from server: <reply>`; `q` or the
// end of stdin quits. Every address HOST resolves to is tried in turn.
// Try: ./tcp_echo_server 9999 & ./tcp_client 127.0.0.1 9999
#include "cli.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/socket.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <string_view>

namespace {

const cli::program program{
    "tcp_client", "usage: tcp_client [--timeout SECS] HOST PORT\n",
    "Sends each stdin line and prints the server's reply; q quits.\n"
    "--timeout bounds connecting and waiting for each reply (default 30 s).\n"};

}  // namespace

int main(int argc, char** argv) {
    netlite::milliseconds timeout = std::chrono::seconds(30);
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--timeout"))
            timeout = std::chrono::seconds(args.number(1, 86400));
        else
            args.unknown();
    }
    if (args.operands().size() != 2) program.usage_error("HOST and PORT are required");
    const std::string host(args.operands()[0]), service(args.operands()[1]);
    program.port(service, 1);

    netlite::tcp_stream server;
    std::error_code ec;
    server.connect(host, service, timeout, ec);
    if (ec) return program.fail("connect to " + host + ":" + service, ec);
    server.set_timeout(timeout);  // for every reply

    netlite::line_reader replies(65536);  // a reply may arrive in pieces, or with the next one
    std::string line, reply;
    while (std::getline(std::cin, line) && line != "q") {
        server.send_all(netlite::buffer(line + '\n'), ec);
        if (ec) return program.fail("send", ec);
        if (!replies.read_line(server, reply, ec)) return program.fail("receive", ec);
        std::cout << "Received from server: " << reply << std::endl;
    }
    return 0;
}
