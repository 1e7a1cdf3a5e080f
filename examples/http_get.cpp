// SPDX-License-Identifier: MIT
// http_get: downloads URL over plain HTTP/1.1 and writes the body, byte for byte, to stdout or
// FILE; each status line goes to stderr. Follows up to 5 redirects; reads Content-Length,
// chunked and close-delimited bodies. Exit 1 for a final status other than 2xx or a runtime
// failure; exit 2 for bad usage, a bad URL or an https:// URL (TLS is not supported).
// Try: python3 -m http.server --bind 127.0.0.1 8000 & ./http_get http://127.0.0.1:8000/
#include "cli.hpp"

#include <netlite/http.hpp>
#include <netlite/socket.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

const cli::program program{
    "http_get", "usage: http_get URL [-o FILE] [--timeout SECS]\n",
    "Downloads URL (http:// only); -o writes the body to FILE; --timeout bounds connecting\n"
    "and each wait for data (default 30 s).\n"};
const int max_redirects = 5;

}  // namespace

int main(int argc, char** argv) {
    std::string_view file;
    netlite::milliseconds timeout = std::chrono::seconds(30);
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("-o"))
            file = args.value();
        else if (args.is("--timeout"))
            timeout = std::chrono::seconds(args.number(1, 86400));
        else
            args.unknown();
    }
    const std::string_view url_text = args.operand("URL");
    std::optional<netlite::http::url> url = netlite::http::url::parse(url_text);
    if (!url) program.usage_error("not an http:// URL: " + std::string(url_text));
    if (url->scheme != "http") program.usage_error("https is not supported (no TLS): use http://");

    std::ios::sync_with_stdio(false);
    std::ofstream out_file;
    for (int redirects = 0;; ++redirects) {
        const std::string where = url->to_string();
        netlite::tcp_stream server;
        std::error_code ec;
        server.connect(url->host, std::to_string(url->port), timeout, ec);
        if (ec) return program.fail("connect to " + url->authority(), ec);
        server.set_timeout(timeout);  // for every wait for data
        const std::string request = "GET " + url->target +
                                    " HTTP/1.1\r\nHost: " + url->authority() +
                                    "\r\nUser-Agent: netlite-http_get\r\nAccept-Encoding: "
                                    "identity\r\nConnection: close\r\n\r\n";
        server.send_all(netlite::buffer(request), ec);
        if (ec) return program.fail("send to " + url->authority(), ec);

        // Feed the parser until the response ends; the body is written as it arrives.
        netlite::http::response_parser parser;
        std::string body;
        const std::string* location = nullptr;
        std::ostream* out = nullptr;
        char chunk[16384];
        while (!parser.complete() && !location) {
            const std::size_t n = server.receive(netlite::buffer(chunk), ec);
            if (ec) return program.fail("receive from " + url->authority(), ec);
            if (n == 0)
                parser.finish(ec);
            else
                parser.feed(std::string_view(chunk, n), body, ec);
            if (ec) return program.fail("bad response from " + where, ec);
            if (!parser.head_complete()) continue;
            const netlite::http::response_head& head = parser.head();
            if (!out) {
                std::cerr << "HTTP/1." << head.version_minor << ' ' << head.status << ' '
                          << head.reason << std::endl;
                location = head.status / 100 == 3 ? head.find("location") : nullptr;
                if (location) break;  // the body of a redirect is not read
                if (!file.empty()) out_file.open(std::string(file), std::ios::binary);
                if (!file.empty() && !out_file)
                    return program.fail(file, "cannot open for writing");
                out = file.empty() ? static_cast<std::ostream*>(&std::cout) : &out_file;
            }
            if (!out->write(body.data(), static_cast<std::streamsize>(body.size())))
                return program.fail("write " + (file.empty() ? "stdout" : std::string(file)),
                                    "cannot write");
            body.clear();
        }
        if (!location) {
            if (!out || !out->flush()) return program.fail("write", "cannot write the body");
            return parser.head().status / 100 == 2 ? 0 : 1;
        }
        if (redirects == max_redirects) return program.fail(where, "more than 5 redirects");
        url = url->resolve(*location);
        if (!url) return program.fail(where, "bad redirect target: " + *location);
        if (url->scheme != "http") return program.fail(url->to_string(), "https is not supported");
        std::cerr << "redirected to " << url->to_string() << '\n';
    }
}
