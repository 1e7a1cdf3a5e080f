// SPDX-License-Identifier: MIT
#include <netlite/http.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <optional>
#include <ostream>  // doctest prints std::error_code with operator<<
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

using netlite::http::body_framing;
using netlite::http::parse_error;
using netlite::http::parse_limits;
using netlite::http::response_parser;
using netlite::http::url;

static_assert(std::is_error_code_enum<parse_error>::value);
static_assert(std::is_nothrow_move_constructible_v<response_parser>);

namespace {

struct outcome {
    std::error_code ec;
    std::string body;
    bool complete = false;
    std::size_t consumed = 0;  // bytes of the input the parser used
    int status = 0;
    body_framing framing = body_framing::none;
};

// Feeds `input` in pieces of `piece` bytes (the parser must not care where the cuts are), then
// reports the end of the connection unless the response ended first.
outcome parse(std::string_view input, std::size_t piece = std::string_view::npos,
              parse_limits limits = {}, bool head_request = false) {
    response_parser p(limits);
    if (head_request) p.expect_no_body();
    outcome r;
    for (std::size_t pos = 0; pos < input.size() && !r.ec && !p.complete(); pos += piece) {
        const std::string_view part = input.substr(pos, piece);
        const std::size_t used = p.feed(part, r.body, r.ec);
        r.consumed += used;
        if (!r.ec && !p.complete()) REQUIRE(used == part.size());
        if (used < part.size()) break;
    }
    if (!r.ec && !p.complete()) p.finish(r.ec);
    r.complete = p.complete();
    if (p.head_complete()) {
        r.status = p.head().status;
        r.framing = p.framing();
    }
    return r;
}

const std::size_t every_size[] = {1, 2, 3, 7, 64, std::string_view::npos};

}  // namespace

TEST_SUITE_BEGIN("http");

TEST_CASE("response_parser: well-formed responses give the same result in pieces of any size") {
    struct good {
        const char* name;
        std::string_view input;
        int status;
        std::string_view body;
        body_framing framing;
    };
    const good cases[] = {
        {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello",
         body_framing::content_length},
        {"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "",
         body_framing::content_length},
        {"chunked",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
         "6\r\n world\r\n0\r\n\r\n",
         200, "hello world", body_framing::chunked},
        {"chunked, mixed-case hex, leading zeros, extensions, trailers",
         "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n000A;name=value\r\n0123456789"
         "\r\nb ; a=\"q\"\r\nabcdefghijk\r\n0;last\r\nX-Trailer: yes\r\nOther: 1\r\n\r\n",
         200, "0123456789abcdefghijk", body_framing::chunked},
        {"close-delimited", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the end", 200,
         "until the end", body_framing::until_close},
        {"HTTP/1.0, no fields", "HTTP/1.0 200 OK\r\n\r\nold", 200, "old",
         body_framing::until_close},
        {"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 200, "hi",
         body_framing::content_length},
        {"no reason phrase", "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\nx", 404, "x",
         body_framing::content_length},
        {"empty reason phrase", "HTTP/1.1 500 \r\nContent-Length: 1\r\n\r\nx", 500, "x",
         body_framing::content_length},
        {"interim 100 and 103 skipped",
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
         "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
         201, "ok", body_framing::content_length},
        {"204 ignores Content-Length", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 204,
         "", body_framing::none},
        {"304 has no body", "HTTP/1.1 304 Not Modified\r\n\r\n", 304, "", body_framing::none},
        {"repeated equal Content-Length",
         "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
         "content-length:3\r\n\r\nabc",
         200, "abc", body_framing::content_length},
        {"field values trimmed, obs-text kept",
         "HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\nX:  \t v\xff \t\r\nContent-Length:\t2 \r\n\r\nab", 200,
         "ab", body_framing::content_length},
        {"binary body",
         std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0\r\n\xff", 42), 200,
         std::string_view("\0\r\n\xff", 4), body_framing::content_length},
    };
    for (const good& c : cases) {
        for (const std::size_t piece : every_size) {
            CAPTURE(c.name);
            CAPTURE(piece);
            const outcome r = parse(c.input, piece);
            REQUIRE_MESSAGE(!r.ec, r.ec.message());
            CHECK(r.complete);
            CHECK(r.status == c.status);
            CHECK(r.body == c.body);
            CHECK(r.framing == c.framing);
            CHECK(r.consumed == c.input.size());
        }
    }
}

TEST_CASE("response_parser: malformed responses are rejected with the matching error") {
    struct bad {
        std::string_view input;
        parse_error error;
    };
    const bad cases[] = {
        {"garbage\r\n\r\n", parse_error::bad_status_line},
        {"SSH-2.0-OpenSSH\r\n", parse_error::bad_status_line},
        {"http/1.1 200 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1  200 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 20 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 2000 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 099 x\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 600 x\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 2x0 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1.1 200 OK\r\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/1 200 OK\r\n\r\n", parse_error::bad_status_line},
        {"HTTP/2.0 200 OK\r\n\r\n", parse_error::unsupported_version},
        {"HTTP/0.9 200 OK\r\n\r\n", parse_error::unsupported_version},
        {"HTTP/1.1 200 OK\r\nName : v\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nNa me: v\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\n: v\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nA: x\x7fy\r\n\r\n", parse_error::bad_field},
        {std::string_view("HTTP/1.1 200 OK\r\nA: x\0y\r\n\r\n", 29), parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n", parse_error::bad_field},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
         parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
         parse_error::bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
         parse_error::conflicting_framing},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
         parse_error::unsupported_transfer_coding},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
         parse_error::unsupported_transfer_coding},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n",
         parse_error::unsupported_transfer_coding},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", parse_error::truncated},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", parse_error::truncated},
        {"HTTP/1.1 200 OK", parse_error::truncated},
        {"", parse_error::truncated},
    };
    for (const bad& c : cases) {
        for (const std::size_t piece : every_size) {
            CAPTURE(c.input);
            CAPTURE(piece);
            const outcome r = parse(c.input, piece);
            CHECK(r.ec == c.error);
            CHECK_FALSE(r.complete);
        }
    }
}

TEST_CASE("response_parser: chunk sizes and chunk ends are checked, without overflow") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    struct chunked {
        std::string_view body;
        std::error_code error;
    };
    const chunked cases[] = {
        {"zz\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {"\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {" 5\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {"0x5\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {"-5\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {"5 x\r\nhello\r\n0\r\n\r\n", parse_error::bad_chunk_size},
        {"ffffffffffffffff\r\n", parse_error::bad_chunk_size},   // 2^64 - 1
        {"10000000000000000\r\n", parse_error::bad_chunk_size},  // 2^64
        {"8000000000000000\r\n", parse_error::bad_chunk_size},   // 2^63
        {"ffffffffffffffffffffffff\r\nhello\r\n", parse_error::bad_chunk_size},
        {"7fffffffffffffff\r\nabc", parse_error::truncated},            // 2^63 - 1: fine
        {"0000000000000000000000000000005\r\nhello\r\n0\r\n\r\n", {}},  // leading zeros
        {"5 ; ext\r\nhello\r\n0\r\n\r\n", {}},
        {"5\r\nhelloX\r\n0\r\n\r\n", parse_error::bad_chunk_end},
        {"5\r\nhello0\r\n\r\n", parse_error::bad_chunk_end},
        {"5\r\nhello\r\n0\r\nBad trailer\r\n\r\n", parse_error::bad_field},
        {"5\r\nhello\r\n0\r\n", parse_error::truncated},
        {"5\r\nhel", parse_error::truncated},
        {"5\r\nhello\r\n", parse_error::truncated},
    };
    for (const chunked& c : cases) {
        for (const std::size_t piece : every_size) {
            CAPTURE(c.body);
            CAPTURE(piece);
            const outcome r = parse(head + std::string(c.body), piece);
            CHECK(r.ec == c.error);
            CHECK(r.complete == !c.error);
            if (!c.error) CHECK(r.body == "hello");
        }
    }
}

TEST_CASE("response_parser: lines, heads and field counts are bounded") {
    parse_limits limits;
    limits.max_line = 64;
    limits.max_head = 256;
    limits.max_fields = 5;
    const std::string status = "HTTP/1.1 200 OK\r\n";
    const auto with_fields = [&](const std::string& fields) {
        return status + fields + "Content-Length: 0\r\n\r\n";
    };
    SUBCASE("a line of exactly max_line bytes (CRLF included) is accepted") {
        const std::string field = "X: " + std::string(64 - 5, 'a') + "\r\n";
        REQUIRE(field.size() == 64);
        limits.max_fields = 10;
        const outcome r = parse(with_fields(field), 7, limits);
        CHECK_MESSAGE(!r.ec, r.ec.message());
    }
    SUBCASE("one byte more is line_too_long, also with an LF that never comes") {
        const std::string field = "X: " + std::string(64 - 4, 'a') + "\r\n";
        CHECK(parse(with_fields(field), 7, limits).ec == parse_error::line_too_long);
        CHECK(parse(status + std::string(100000, 'a'), 4096, limits).ec ==
              parse_error::line_too_long);
    }
    SUBCASE("more fields than max_fields") {
        std::string fields;
        for (int i = 0; i < 5; ++i) fields += "F" + std::to_string(i) + ": v\r\n";
        CHECK(parse(with_fields(fields), 3, limits).ec == parse_error::too_many_fields);
    }
    SUBCASE("a head over max_head, every line short") {
        limits.max_fields = 100;
        std::string fields;
        for (int i = 0; i < 15; ++i) fields += "Field-" + std::to_string(i) + ": 0123456789\r\n";
        CHECK(parse(with_fields(fields), std::string_view::npos, limits).ec ==
              parse_error::head_too_large);
        CHECK(parse(with_fields(fields), 5, limits).ec == parse_error::head_too_large);
    }
    SUBCASE("endless interim responses count against max_head") {
        std::string input;
        for (int i = 0; i < 100; ++i) input += "HTTP/1.1 100 Continue\r\n\r\n";
        CHECK(parse(input, 11, limits).ec == parse_error::head_too_large);
    }
    SUBCASE("trailers have the same limits") {
        std::string input = status + "Transfer-Encoding: chunked\r\n\r\n0\r\n";
        for (int i = 0; i < 6; ++i) input += "T" + std::to_string(i) + ": v\r\n";
        CHECK(parse(input + "\r\n", 9, limits).ec == parse_error::too_many_fields);
        CHECK(parse(status + "Transfer-Encoding: chunked\r\n\r\n1;" + std::string(80, 'e') +
                        "\r\nx\r\n0\r\n\r\n",
                    9, limits)
                  .ec == parse_error::line_too_long);
    }
    SUBCASE("the default limits: 64 KiB of head, 8 KiB lines") {
        const parse_limits defaults;
        CHECK(defaults.max_head == 64 * 1024);
        CHECK(defaults.max_line == 8 * 1024);
        std::string fields;
        for (int i = 0; i < 20; ++i)
            fields += "X" + std::to_string(i) + ": " + std::string(4000, 'v') + "\r\n";
        CHECK(parse(with_fields(fields), 1000).ec == parse_error::head_too_large);
    }
}

TEST_CASE("response_parser: a response to HEAD has no body") {
    const outcome r =
        parse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", std::string_view::npos, {}, true);
    CHECK(!r.ec);
    CHECK(r.complete);
    CHECK(r.framing == body_framing::none);
    CHECK(r.body.empty());
}

TEST_CASE("response_parser: bytes after the end of the response are not consumed") {
    const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    const std::string chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    for (const std::string& response : {first, chunked}) {
        response_parser p;
        std::string body;
        std::error_code ec;
        CHECK(p.feed(response + "HTTP/1.1 200 OK\r\n", body, ec) == response.size());
        CHECK(!ec);
        CHECK(p.complete());
        CHECK(body == "abc");
        CHECK(p.feed("more", body, ec) == 0);
        CHECK(!ec);
    }
}

TEST_CASE("response_parser: errors are sticky, finish ends only close-delimited bodies") {
    response_parser p;
    std::string body;
    std::error_code ec;
    p.feed("HTTP/1.1 200 OK\r\nBad Field\r\n", body, ec);
    CHECK(ec == parse_error::bad_field);
    ec.clear();
    CHECK(p.feed("X: y\r\n\r\n", body, ec) == 0);
    CHECK(ec == parse_error::bad_field);
    p.finish(ec);
    CHECK(ec == parse_error::bad_field);

    response_parser until_close;
    until_close.feed("HTTP/1.1 200 OK\r\n\r\nabc", body, ec);
    CHECK(!ec);
    CHECK_FALSE(until_close.complete());
    until_close.finish(ec);
    CHECK(!ec);
    CHECK(until_close.complete());
}

TEST_CASE("response_parser: head gives the status line and fields; find ignores case") {
    response_parser p;
    std::string body;
    p.feed("HTTP/1.0 301 Moved Permanently\r\nLocation: /a\r\nX-A: 1\r\nx-a: 2\r\n\r\n", body);
    REQUIRE(p.head_complete());
    CHECK(p.head().version_minor == 0);
    CHECK(p.head().status == 301);
    CHECK(p.head().reason == "Moved Permanently");
    REQUIRE(p.head().fields.size() == 3);
    REQUIRE(p.head().find("LOCATION"));
    CHECK(*p.head().find("location") == "/a");
    CHECK(*p.head().find("x-a") == "1");
    CHECK(p.head().find("Content-Length") == nullptr);
}

TEST_CASE("response_parser: the throwing overloads throw std::system_error with the code") {
    response_parser p;
    std::string body;
    try {
        p.feed("nonsense\r\n", body);
        FAIL("no exception");
    } catch (const std::system_error& e) {
        CHECK(e.code() == parse_error::bad_status_line);
    }
    response_parser q;
    q.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", body);
    CHECK_THROWS_AS(q.finish(), std::system_error);
}

TEST_CASE("parse_error: the category is netlite.http and every value has its own message") {
    CHECK(std::string(netlite::http::parse_error_category().name()) == "netlite.http");
    std::string previous;
    for (int v = 1; v <= static_cast<int>(parse_error::truncated); ++v) {
        CAPTURE(v);
        const std::string text = std::error_code(static_cast<parse_error>(v)).message();
        CHECK(!text.empty());
        CHECK(text != previous);
        CHECK(text.find("unknown") == std::string::npos);
        previous = text;
    }
}

TEST_CASE("url: parse splits absolute http and https URLs") {
    struct good {
        std::string_view text;
        std::string_view scheme, host;
        std::uint16_t port;
        std::string_view target, authority;
    };
    const good cases[] = {
        {"http://example.com", "http", "example.com", 80, "/", "example.com"},
        {"HTTP://Example.com:8080/a/b?c=d#frag", "http", "Example.com", 8080, "/a/b?c=d",
         "Example.com:8080"},
        {"https://h/", "https", "h", 443, "/", "h"},
        {"https://h:80/", "https", "h", 80, "/", "h:80"},
        {"http://127.0.0.1:65535?q", "http", "127.0.0.1", 65535, "/?q", "127.0.0.1:65535"},
        {"http://[::1]:8000/x", "http", "::1", 8000, "/x", "[::1]:8000"},
        {"http://[2001:db8::1]/", "http", "2001:db8::1", 80, "/", "[2001:db8::1]"},
        {"http://h/%20encoded;p", "http", "h", 80, "/%20encoded;p", "h"},
    };
    for (const good& c : cases) {
        CAPTURE(c.text);
        const std::optional<url> u = url::parse(c.text);
        REQUIRE(u);
        CHECK(u->scheme == c.scheme);
        CHECK(u->host == c.host);
        CHECK(u->port == c.port);
        CHECK(u->target == c.target);
        CHECK(u->authority() == c.authority);
        CHECK(url::parse(u->to_string())->to_string() == u->to_string());
    }
}

TEST_CASE("url: parse rejects what cannot be requested safely") {
    const std::string_view bad[] = {
        "",
        "example.com",
        "ftp://h/",
        "http:/h",
        "http://",
        "http:///x",
        "http://h:/",
        "http://h:0/",
        "http://h:65536/",
        "http://h:99999999999999999999/",
        "http://h:8o/",
        "http://user@h/",
        "http://user:pw@h/",
        "http://[::1/",
        "http://[zz]/",
        "http://[::1]x/",
        "http://[fe80::1%25eth0]/",
        "http://h h/",
        "http://h/a b",
        "http://h/\r\nX: y",
        "http://h/\x7f",
        "http://h\t/",
    };
    for (const std::string_view text : bad) {
        CAPTURE(text);
        CHECK_FALSE(url::parse(text));
    }
}

TEST_CASE("url: resolve follows RFC 3986 section 5.4 (fragments dropped)") {
    const url base = *url::parse("http://a/b/c/d;p?q");
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g#s/../x", "http://a/b/c/g"},
        {"http://other:81/z", "http://other:81/z"},
        {"HTTPS://s/", "https://s/"},
    };
    for (const auto& c : cases) {
        const std::string_view reference = c.first;
        CAPTURE(reference);
        const std::optional<url> u = base.resolve(reference);
        REQUIRE(u);
        CHECK(u->to_string() == c.second);
    }
    for (const std::string_view bad :
         {"http:g", "ftp://x/", "g h", "/a\r\nSet-Cookie: x", "//user@h/", "mailto:someone"}) {
        CAPTURE(bad);
        CHECK_FALSE(base.resolve(bad));
    }
}

TEST_SUITE_END();
