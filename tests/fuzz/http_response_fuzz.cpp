// SPDX-License-Identifier: MIT
//
// Fuzzes netlite::http::response_parser (include/netlite/http.hpp), the parser behind
// examples/http_get. Input: bytes 0-2 choose small limits (so that every limit is reached),
// byte 3 the HEAD flag and the largest chunk, bytes 4-7 seed the chunk sizes; the rest is what
// the server sent. The response is parsed twice, in one piece and in random pieces. Checked:
//   - no crash, and the two parses agree: same error (line_too_long and head_too_large may
//     swap, as which limit is crossed first depends on where a line is cut), and without an
//     error the same bytes used, completion, framing, status line, fields and body;
//   - feed uses all of a piece unless the response ended in it or failed; after an error every
//     feed and finish report it again and use nothing; after the end feed uses nothing;
//   - the result obeys the contract: final status 200-599, at most max_fields fields, names of
//     token characters, trimmed values without control bytes, no body for HEAD, 204 and 304,
//     a Content-Length body never longer than announced.

#include <netlite/http.hpp>

#include "fuzz_common.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace {

namespace http = netlite::http;

struct outcome {
    std::error_code error;
    std::size_t used = 0;  // bytes of the input that feed used
    bool complete = false;
    bool head_complete = false;
    http::body_framing framing = http::body_framing::none;
    http::response_head head;
    std::string body;
};

/// Feeds `response` in pieces from `sizes` (or all at once), then `finish()` if it has not
/// ended, checking the per-call rules on the way.
outcome parse(std::string_view response, const http::parse_limits& limits, bool head_request,
              netlite_fuzz::chunker sizes) {
    http::response_parser parser(limits);
    if (head_request) parser.expect_no_body();
    outcome out;
    std::size_t pos = 0;
    while (pos < response.size() && !out.error && !parser.complete()) {
        const std::size_t n = sizes.next(response.size() - pos);
        const std::size_t body_before = out.body.size();
        const std::size_t used = parser.feed(response.substr(pos, n), out.body, out.error);
        NETLITE_FUZZ_CHECK(used <= n);
        NETLITE_FUZZ_CHECK(out.body.size() - body_before <= used);
        if (!out.error && !parser.complete()) NETLITE_FUZZ_CHECK(used == n);
        pos += used;
        if (used < n) break;
    }
    out.used = pos;
    if (out.error) {
        // Sticky: the same error again, nothing used, nothing appended.
        std::error_code again;
        const std::size_t body_size = out.body.size();
        NETLITE_FUZZ_CHECK(parser.feed("HTTP/1.1 200 OK\r\n\r\n", out.body, again) == 0);
        NETLITE_FUZZ_CHECK(again == out.error && out.body.size() == body_size);
        parser.finish(again);
        NETLITE_FUZZ_CHECK(again == out.error);
    } else if (parser.complete()) {
        std::error_code again;
        const std::size_t body_size = out.body.size();
        NETLITE_FUZZ_CHECK(parser.feed("more", out.body, again) == 0);
        NETLITE_FUZZ_CHECK(!again && out.body.size() == body_size);
    } else {
        NETLITE_FUZZ_CHECK(pos == response.size());
        parser.finish(out.error);
        NETLITE_FUZZ_CHECK(!out.error || out.error == http::parse_error::truncated);
        NETLITE_FUZZ_CHECK(parser.complete() == !out.error);
    }
    NETLITE_FUZZ_CHECK(!out.error || out.error.category() == http::parse_error_category());
    out.complete = parser.complete();
    out.head_complete = parser.head_complete();
    if (out.head_complete) {
        out.framing = parser.framing();
        out.head = parser.head();
    }
    NETLITE_FUZZ_CHECK(!out.complete || out.head_complete);
    if (out.head_complete && parser.framing() == http::body_framing::content_length) {
        const std::string* length = out.head.find("Content-Length");
        NETLITE_FUZZ_CHECK(length != nullptr);
        NETLITE_FUZZ_CHECK(out.body.size() + parser.remaining() == std::stoull(*length));
    }
    return out;
}

bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_clean_text(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
    }
    return true;
}

void check_contract(const outcome& r, const http::parse_limits& limits, bool head_request) {
    if (!r.head_complete) {
        NETLITE_FUZZ_CHECK(r.body.empty());
        return;
    }
    const http::response_head& h = r.head;
    NETLITE_FUZZ_CHECK(h.status >= 200 && h.status <= 599);
    NETLITE_FUZZ_CHECK(h.version_minor >= 0 && h.version_minor <= 9);
    NETLITE_FUZZ_CHECK(is_clean_text(h.reason));
    NETLITE_FUZZ_CHECK(h.fields.size() <= limits.max_fields);
    for (const http::field& f : h.fields) {
        NETLITE_FUZZ_CHECK(!f.name.empty() && f.name.size() < limits.max_line);
        for (const char c : f.name) NETLITE_FUZZ_CHECK(is_token_char(c));
        NETLITE_FUZZ_CHECK(is_clean_text(f.value));
        if (!f.value.empty()) {
            NETLITE_FUZZ_CHECK(f.value.front() != ' ' && f.value.front() != '\t');
            NETLITE_FUZZ_CHECK(f.value.back() != ' ' && f.value.back() != '\t');
        }
    }
    if (head_request || h.status == 204 || h.status == 304) {
        NETLITE_FUZZ_CHECK(r.framing == http::body_framing::none && r.body.empty());
    }
}

bool too_large(const std::error_code& ec) {
    return ec == http::parse_error::line_too_long || ec == http::parse_error::head_too_large;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    netlite_fuzz::input in(data, size);
    http::parse_limits limits;
    const std::uint8_t line_code = in.byte();
    const std::uint8_t head_code = in.byte();
    const std::uint8_t fields_code = in.byte();
    if (line_code != 255) {  // 255: the default limits
        limits.max_line = 4 + line_code;
        limits.max_head = 8 + std::size_t{head_code} * 4;
        limits.max_fields = fields_code % 16;
    }
    const std::uint8_t flags = in.byte();
    const bool head_request = (flags & 1) != 0;
    const std::size_t max_chunk = (flags >> 1) >= 120 ? 0 : 1 + (flags >> 1);
    const netlite_fuzz::chunker sizes(in.word(), max_chunk);
    const std::string_view response = in.rest();
    netlite_fuzz::note("response", response);
    netlite_fuzz::context() += "max_line: " + std::to_string(limits.max_line) +
                               ", max_head: " + std::to_string(limits.max_head) +
                               ", max_fields: " + std::to_string(limits.max_fields) +
                               ", head request: " + std::to_string(head_request) +
                               ", max_chunk: " + std::to_string(max_chunk) + "\n";

    const outcome whole = parse(response, limits, head_request, netlite_fuzz::chunker(1, 0));
    const outcome pieces = parse(response, limits, head_request, sizes);
    netlite_fuzz::context() += "whole: " + whole.error.message() + ", used " +
                               std::to_string(whole.used) + "; pieces: " + pieces.error.message() +
                               ", used " + std::to_string(pieces.used) + "\n";
    check_contract(whole, limits, head_request);
    check_contract(pieces, limits, head_request);

    NETLITE_FUZZ_CHECK(whole.error == pieces.error ||
                       (too_large(whole.error) && too_large(pieces.error)));
    if (!whole.error) {
        NETLITE_FUZZ_CHECK(whole.used == pieces.used && whole.complete == pieces.complete);
        NETLITE_FUZZ_CHECK(whole.head_complete == pieces.head_complete);
        NETLITE_FUZZ_CHECK(whole.framing == pieces.framing);
        NETLITE_FUZZ_CHECK(whole.head.status == pieces.head.status);
        NETLITE_FUZZ_CHECK(whole.head.version_minor == pieces.head.version_minor);
        NETLITE_FUZZ_CHECK(whole.head.reason == pieces.head.reason);
        NETLITE_FUZZ_CHECK(whole.head.fields.size() == pieces.head.fields.size());
        for (std::size_t i = 0; i < whole.head.fields.size(); ++i) {
            NETLITE_FUZZ_CHECK(whole.head.fields[i].name == pieces.head.fields[i].name);
            NETLITE_FUZZ_CHECK(whole.head.fields[i].value == pieces.head.fields[i].value);
        }
        NETLITE_FUZZ_CHECK(whole.body == pieces.body);
    }
    return 0;
}
