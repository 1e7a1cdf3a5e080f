// SPDX-License-Identifier: MIT
// endpoint_check: the tutorial's "ask the user for an IP and port", with real validation.
// Each argument (or, with none, each non-blank line of stdin) must be a numeric endpoint,
// `a.b.c.d:port` or `[ipv6]:port`; the answer is "Thanks! <canonical form>" or "Wrong! <reason>".
// Exit status: 0 if every input was valid, 1 otherwise, 2 for bad usage.
// Try: ./endpoint_check 127.0.0.1:8080 '[::1]:443' 10.0.0.1:99999 localhost:80
#include "cli.hpp"

#include <netlite/endpoint.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

const cli::program program{"endpoint_check", "usage: endpoint_check [--] [ENDPOINT...]\n",
                           "Checks numeric endpoints such as 192.0.2.1:80 or [2001:db8::1]:443.\n"
                           "With no ENDPOINT, reads one per line from standard input.\n"};

// Prints the verdict for one input; returns true if it was a valid endpoint.
bool check(std::string_view text) {
    std::error_code ec;
    const auto endpoint = netlite::endpoint::parse(text, ec);
    if (!endpoint) {
        std::cout << "Wrong! " << ec.message() << '\n';
        return false;
    }
    std::cout << "Thanks! " << endpoint->to_string() << '\n';
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    cli::arguments args(program, argc, argv, /*options_first=*/true);
    while (args.next()) args.unknown();

    bool all_valid = true;
    if (!args.operands().empty()) {
        for (const std::string_view text : args.operands()) all_valid = check(text) && all_valid;
    } else {
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF input
            if (line.empty()) continue;
            all_valid = check(line) && all_valid;
        }
        if (std::cin.bad()) return program.fail("standard input", "cannot read");
    }
    std::cout.flush();
    return all_valid && std::cout ? 0 : 1;
}
