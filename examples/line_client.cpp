// SPDX-License-Identifier: MIT
// line_client: the line protocol's client. Sends each COMMAND (or, with none, each line of
// stdin) to a line_server, waits for its answer and prints it, one answer per line. Exits 1 if
// the server closes or stays silent for --timeout SECS (default 10) before answering.
// Try: line_client 127.0.0.1 PORT CALC:6*7 PING:hello    (PORT printed by `line_server 0`)
#include <netlite/line_reader.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <chrono>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const char* const usage =
    "usage: line_client [--timeout SECS] HOST PORT [COMMAND...]\n"
    "  sends each COMMAND (or each stdin line) and prints the server's answer to it\n";

int bad_usage(const std::string& why) {
    std::cerr << "line_client: " << why << '\n' << usage;
    return 2;
}

int fail(const std::string& what, const std::string& why) {
    std::cerr << "line_client: " << what << ": " << why << '\n';
    return 1;
}

bool parse_number(std::string_view text, long min, long max, long& value) {
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    return err == std::errc() && end == text.data() + text.size() && value >= min && value <= max;
}

}  // namespace

int main(int argc, char** argv) {
    long timeout_s = 10;
    long port = 0;
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (!args.empty() || arg.size() < 2 || arg[0] != '-') {
            args.push_back(arg);  // HOST, PORT, then commands (which may start with '-')
        } else if (arg == "--help" || arg == "-h") {
            return std::cout << usage, 0;
        } else if (arg == "--timeout") {
            if (i + 1 == argc || !parse_number(argv[++i], 1, 86400, timeout_s))
                return bad_usage("--timeout needs a number of seconds 1-86400");
        } else {
            return bad_usage("unknown option " + std::string(arg));
        }
    }
    if (args.size() < 2) return bad_usage("HOST and PORT are required");
    if (!parse_number(args[1], 1, 65535, port))
        return bad_usage("not a port number 1-65535: " + std::string(args[1]));
    for (std::size_t i = 2; i < args.size(); ++i)
        if (args[i].find_first_of("\r\n") != std::string_view::npos)
            return bad_usage("a COMMAND cannot contain a line break");

    const netlite::milliseconds timeout = std::chrono::seconds(timeout_s);
    const std::string where = std::string(args[0]) + ":" + std::string(args[1]);
    std::error_code ec;
    netlite::tcp_stream stream;
    stream.connect(args[0], args[1], timeout, ec);
    if (ec) return fail("connect " + where, ec.message());
    stream.set_timeout(timeout, ec);
    if (ec) return fail("set_timeout", ec.message());

    netlite::line_reader reader(64 * 1024);
    std::string command, answer;
    for (std::size_t next = 2;; ++next) {
        if (args.size() > 2) {
            if (next == args.size()) break;
            command = args[next];
        } else if (!std::getline(std::cin, command)) {
            break;
        }
        command += '\n';
        stream.send_all(command, ec);
        if (ec) return fail("send to " + where, ec.message());
        if (!reader.read_line(stream, answer, ec)) {
            if (ec == netlite::error::eof) return fail(where, "server closed the connection early");
            if (ec == std::errc::timed_out) return fail(where, "no answer: timed out");
            return fail("receive from " + where, ec.message());
        }
        std::cout << answer << std::endl;
    }
    return 0;
}
