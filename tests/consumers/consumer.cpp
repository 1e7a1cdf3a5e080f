// SPDX-License-Identifier: MIT
// The program every package consumer test builds against an installed, fetched or
// add_subdirectory'd netlite, then runs: it must compile, link and exit 0.
#include <netlite/error.hpp>
#include <netlite/version.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

int main() {
    const std::error_code ec = netlite::error::eof;
    const std::string message = ec.message();
    std::printf("netlite %s (NETLITE_VERSION %d): %s: %s\n", netlite::version_string,
                NETLITE_VERSION, ec.category().name(), message.c_str());
    if (message.empty() || std::strcmp(ec.category().name(), "netlite") != 0) {
        return 1;
    }
    return 0;
}
