// SPDX-License-Identifier: MIT
// endpoint_check: the tutorial's "ask the user for an IP and port", with real validation.
// Each argument (or, with none, each non-blank line of stdin) must be a numeric endpoint,
// `a.b.c.d:port` or `[ipv6]:port`; the answer is "Thanks! <canonical form>" or "Wrong! <reason>".
// Exit status: 0 if every input was valid, 1 otherwise, 2 for bad usage.
// Try: ./endpoint_check 127.0.0.1:8080 '[::1]:443' 10.0.0.1:99999 localhost:80

#include <netlite/endpoint.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr const char* usage_text =
    "usage: endpoint_check [--] [ENDPOINT...]\n"
    "Checks numeric endpoints such as 192.0.2.1:80 or [2001:db8::1]:443.\n"
    "With no ENDPOINT, reads one per line from standard input.\n";

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
    int first = 1;
    if (argc > 1) {
        const std::string_view arg = argv[1];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage_text;
            return 0;
        }
        if (arg == "--") {
            first = 2;
        } else if (arg.size() > 1 && arg[0] == '-') {
            std::cerr << "endpoint_check: unknown option '" << arg << "'\n" << usage_text;
            return 2;
        }
    }

    bool all_valid = true;
    if (first < argc) {
        for (int i = first; i < argc; ++i) all_valid = check(argv[i]) && all_valid;
    } else {
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF input
            if (line.empty()) continue;
            all_valid = check(line) && all_valid;
        }
        if (std::cin.bad()) {
            std::cerr << "endpoint_check: error reading standard input\n";
            return 1;
        }
    }
    std::cout.flush();
    return all_valid && std::cout ? 0 : 1;
}
