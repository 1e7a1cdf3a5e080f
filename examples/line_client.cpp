// SPDX-License-Identifier: MIT
// line_client: the line protocol's client. Sends each COMMAND (or, with none, each line of
// stdin) to a line_server, waits for its answer and prints it, one answer per line. Exits 1 if
// the server closes or stays silent for --timeout SECS (default 10) before answering.
// Try: line_client 127.0.0.1 PORT CALC:6*7 PING:hello    (PORT printed by `line_server 0`)
#include "cli.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/socket.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cli::program program{
    "line_client",
    "usage: line_client [--timeout SECS] HOST PORT [COMMAND...]\n"
    "  sends each COMMAND (or each stdin line) and prints the server's answer to it\n"};

}  // namespace

int main(int argc, char** argv) {
    netlite::milliseconds timeout = std::chrono::seconds(10);
    cli::arguments args(program, argc, argv, /*options_first=*/true);  // a COMMAND may be "-x"
    while (args.next()) {
        if (args.is("--timeout"))
            timeout = std::chrono::seconds(args.number(1, 86400));
        else
            args.unknown();
    }
    const std::vector<std::string_view>& ops = args.operands();  // HOST PORT [COMMAND...]
    if (ops.size() < 2) program.usage_error("HOST and PORT are required");
    program.port(ops[1], 1);
    for (std::size_t i = 2; i < ops.size(); ++i)
        if (ops[i].find_first_of("\r\n") != std::string_view::npos)
            program.usage_error("a COMMAND cannot contain a line break");

    const std::string where = std::string(ops[0]) + ":" + std::string(ops[1]);
    std::error_code ec;
    netlite::tcp_stream stream;
    stream.connect(ops[0], ops[1], timeout, ec);
    if (ec) return program.fail("connect " + where, ec);
    stream.set_timeout(timeout, ec);
    if (ec) return program.fail("set_timeout", ec);

    netlite::line_reader reader(64 * 1024);
    std::string command, answer;
    for (std::size_t next = 2;; ++next) {
        if (ops.size() > 2) {
            if (next == ops.size()) break;
            command = ops[next];
        } else if (!std::getline(std::cin, command)) {
            break;
        }
        command += '\n';
        stream.send_all(command, ec);
        if (ec) return program.fail("send to " + where, ec);
        if (!reader.read_line(stream, answer, ec)) {
            if (ec == netlite::error::eof)
                return program.fail(where, "server closed the connection early");
            if (ec == std::errc::timed_out) return program.fail(where, "no answer: timed out");
            return program.fail("receive from " + where, ec);
        }
        std::cout << answer << std::endl;
    }
    return 0;
}
