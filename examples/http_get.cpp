// SPDX-License-Identifier: MIT
// http_get: downloads URL over plain HTTP/1.1 and writes the body, byte for byte, to stdout or
// FILE; each status line goes to stderr. Follows up to 5 redirects; reads Content-Length,
// chunked and close-delimited bodies. Exit 1 for a final status other than 2xx or a runtime
// failure; exit 2 for bad usage, a bad URL or an https:// URL (TLS is not supported).
// Try: python3 -m http.server --bind 127.0.0.1 8000 & ./http_get http://127.0.0.1:8000/
#include <netlite/http.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

const char usage[] = "usage: http_get URL [-o FILE] [--timeout SECS]\n";
const int max_redirects = 5;

int bad_usage(std::string_view why) {
    std::cerr << "http_get: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, std::string_view why) {
    std::cerr << "http_get: " << what << ": " << why << '\n';
    return 1;
}

bool parse_number(std::string_view text, long low, long high, long& out) {
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && stop == end && out >= low && out <= high;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view url_text, file;
    long seconds = 30;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help") {
            std::cout << usage << "Downloads URL (http:// only); -o writes the body to FILE; "
                      << "--timeout bounds connecting and each wait for data (default 30 s).\n";
            return 0;
        } else if (arg == "-o" && has_value) {
            file = argv[++i];
        } else if (arg == "--timeout") {
            if (!has_value || !parse_number(argv[++i], 1, 86400, seconds))
                return bad_usage("--timeout needs a number of seconds 1-86400");
        } else if (url_text.empty() && !arg.empty() && arg[0] != '-') {
            url_text = arg;
        } else {
            return bad_usage("unexpected argument: " + std::string(arg));
        }
    }
    if (url_text.empty()) return bad_usage("URL is required");
    std::optional<netlite::http::url> url = netlite::http::url::parse(url_text);
    if (!url) return bad_usage("not an http:// URL: " + std::string(url_text));
    if (url->scheme != "http") return bad_usage("https is not supported (no TLS): use http://");
    const netlite::milliseconds timeout(1000 * seconds);

    std::ios::sync_with_stdio(false);
    std::ofstream out_file;
    for (int redirects = 0;; ++redirects) {
        const std::string where = url->to_string();
        netlite::tcp_stream server;
        std::error_code ec;
        server.connect(url->host, std::to_string(url->port), timeout, ec);
        if (ec) return fail("connect to " + url->authority(), ec.message());
        server.set_timeout(timeout);  // for every wait for data
        const std::string request = "GET " + url->target +
                                    " HTTP/1.1\r\nHost: " + url->authority() +
                                    "\r\nUser-Agent: netlite-http_get\r\nAccept-Encoding: "
                                    "identity\r\nConnection: close\r\n\r\n";
        server.send_all(netlite::buffer(request), ec);
        if (ec) return fail("send to " + url->authority(), ec.message());

        // Feed the parser until the response ends; the body is written as it arrives.
        netlite::http::response_parser parser;
        std::string body;
        const std::string* location = nullptr;
        std::ostream* out = nullptr;
        char chunk[16384];
        while (!parser.complete() && !location) {
            const std::size_t n = server.receive(netlite::buffer(chunk), ec);
            if (ec) return fail("receive from " + url->authority(), ec.message());
            if (n == 0)
                parser.finish(ec);
            else
                parser.feed(std::string_view(chunk, n), body, ec);
            if (ec) return fail("bad response from " + where, ec.message());
            if (!parser.head_complete()) continue;
            const netlite::http::response_head& head = parser.head();
            if (!out) {
                std::cerr << "HTTP/1." << head.version_minor << ' ' << head.status << ' '
                          << head.reason << std::endl;
                location = head.status / 100 == 3 ? head.find("location") : nullptr;
                if (location) break;  // the body of a redirect is not read
                if (!file.empty()) out_file.open(std::string(file), std::ios::binary);
                if (!file.empty() && !out_file) return fail(file, "cannot open for writing");
                out = file.empty() ? static_cast<std::ostream*>(&std::cout) : &out_file;
            }
            if (!out->write(body.data(), static_cast<std::streamsize>(body.size())))
                return fail("write " + (file.empty() ? "stdout" : std::string(file)),
                            "cannot write");
            body.clear();
        }
        if (!location) {
            if (!out || !out->flush()) return fail("write", "cannot write the body");
            return parser.head().status / 100 == 2 ? 0 : 1;
        }
        if (redirects == max_redirects) return fail(where, "more than 5 redirects");
        url = url->resolve(*location);
        if (!url) return fail(where, "bad redirect target: " + *location);
        if (url->scheme != "http") return fail(url->to_string(), "https is not supported");
        std::cerr << "redirected to " << url->to_string() << '\n';
    }
}
