// SPDX-License-Identifier: MIT
#include <netlite/line_reader.hpp>

#include <doctest/doctest.h>

#include <netlite/socket.hpp>

#include <ostream>  // doctest prints std::error_code through it
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

static_assert(std::is_nothrow_move_constructible_v<netlite::line_reader>);

namespace {

using namespace std::chrono_literals;

/// Feeds `input` in pieces of `piece` bytes and collects every line and error.
struct outcome {
    std::vector<std::string> lines;
    int errors = 0;
};

outcome split(const std::string& input, std::size_t max_line, std::size_t piece) {
    netlite::line_reader reader(max_line);
    outcome out;
    for (std::size_t at = 0; at < input.size(); at += piece) {
        reader.feed(netlite::const_buffer(input.data() + at, std::min(piece, input.size() - at)));
        std::error_code ec;
        for (;;) {
            const auto line = reader.next_line(ec);
            if (ec) ++out.errors;
            if (!line && !ec) break;
            if (line) out.lines.emplace_back(*line);
        }
    }
    return out;
}

}  // namespace

TEST_SUITE_BEGIN("line_reader");

TEST_CASE("line_reader: splits LF and CRLF lines in order, whatever the read sizes") {
    const std::string input = "PING:a\nCALC:3+4\r\n\nlast\r\n";
    for (std::size_t piece : {1u, 2u, 3u, 5u, 7u, 64u}) {
        CAPTURE(piece);
        const outcome out = split(input, 64, piece);
        CHECK(out.errors == 0);
        CHECK(out.lines == std::vector<std::string>{"PING:a", "CALC:3+4", "", "last"});
    }
}

TEST_CASE("line_reader: a line of exactly the limit passes, one byte more is line_too_long") {
    for (const char* terminator : {"\n", "\r\n"}) {
        CAPTURE(terminator);
        const outcome ok = split(std::string(8, 'x') + terminator, 8, 3);
        CHECK(ok.errors == 0);
        CHECK(ok.lines == std::vector<std::string>{std::string(8, 'x')});
        const outcome bad = split(std::string(9, 'x') + terminator, 8, 3);
        CHECK(bad.errors == 1);
        CHECK(bad.lines.empty());
    }
}

TEST_CASE("line_reader: an over-long line is reported once and no fragment of it leaks") {
    const std::string input = "ok1\n" + std::string(10000, 'A') + "\nok2\n";
    for (std::size_t piece : {1u, 100u, 4096u, 20000u}) {
        CAPTURE(piece);
        const outcome out = split(input, 16, piece);
        CHECK(out.errors == 1);
        CHECK(out.lines == std::vector<std::string>{"ok1", "ok2"});
    }
}

TEST_CASE("line_reader: a line that never ends stays bounded in memory") {
    netlite::line_reader reader(64);
    std::error_code ec;
    int errors = 0;
    const std::string junk(1000, 'z');
    for (int i = 0; i < 1000; ++i) {  // 1 MB without a newline
        reader.feed(junk);
        if (!reader.next_line(ec) && ec) ++errors;
        CHECK(reader.pending().size() <= 64 + 1000);
    }
    CHECK(errors == 1);
    CHECK(reader.discarding());
    reader.feed("tail\nnext\n");  // "tail" ends the over-long line and is dropped with it
    const auto line = reader.next_line(ec);
    CHECK_FALSE(ec);
    REQUIRE(line);
    CHECK(*line == "next");
}

TEST_CASE("line_reader: in_line tells a started line from a finished one") {
    netlite::line_reader reader(4);
    std::error_code ec;
    CHECK_FALSE(reader.in_line());
    reader.feed("ab");
    CHECK_FALSE(reader.next_line(ec));
    CHECK(reader.in_line());
    reader.feed("\n");
    CHECK(reader.next_line(ec).value_or("?") == "ab");
    CHECK_FALSE(reader.in_line());
    reader.feed("toolong");  // over the limit: discarded, but still a line in progress
    CHECK_FALSE(reader.next_line(ec));
    CHECK(ec == netlite::error::line_too_long);
    CHECK(reader.pending().empty());
    CHECK(reader.in_line());
    reader.feed("x\n");
    CHECK_FALSE(reader.next_line(ec));
    CHECK_FALSE(reader.in_line());
}

TEST_CASE("line_reader: NUL bytes and invalid UTF-8 are ordinary bytes") {
    const std::string input("a\0b\xff\xfe\n", 6);
    const outcome out = split(input, 16, 1);
    REQUIRE(out.lines.size() == 1);
    CHECK(out.lines[0] == std::string("a\0b\xff\xfe", 5));
}

TEST_CASE("line_reader: prepare and commit receive without a copy") {
    netlite::line_reader reader(32);
    const std::string text = "hello\nworld\n";
    netlite::mutable_buffer room = reader.prepare(text.size());
    REQUIRE(room.size() >= text.size());
    std::memcpy(room.data(), text.data(), text.size());
    reader.commit(text.size());
    std::error_code ec;
    CHECK(reader.next_line(ec).value_or("") == "hello");
    CHECK(reader.next_line(ec).value_or("") == "world");
    CHECK_FALSE(reader.next_line(ec));
    CHECK_FALSE(ec);
}

TEST_CASE("line_reader: shrink_to_fit keeps only what is pending, nothing when idle") {
    netlite::line_reader reader(4096);
    std::error_code ec;
    reader.prepare(16384);
    reader.commit(0);
    CHECK(reader.capacity() >= 16384);
    reader.shrink_to_fit();
    CHECK(reader.capacity() == 0);

    reader.feed("first\nsecond half");
    CHECK(reader.next_line(ec).value_or("") == "first");
    reader.prepare(16384);  // room for a big read that brought nothing
    reader.shrink_to_fit();
    CHECK(reader.capacity() == std::string("second half").size());
    CHECK(reader.pending() == "second half");
    reader.feed(" done\n");
    CHECK(reader.next_line(ec).value_or("") == "second half done");
    CHECK_FALSE(reader.next_line(ec));
    reader.shrink_to_fit();
    CHECK(reader.capacity() == 0);
    reader.feed("again\n");  // usable after giving everything back
    CHECK(reader.next_line(ec).value_or("") == "again");
}

TEST_CASE("line_reader: read_line reads lines from a socket and reports eof mid-line") {
    auto pair = netlite::socketpair();
    netlite::socket& a = pair.first;
    netlite::socket& b = pair.second;
    a.set_timeout(5s);
    b.set_timeout(5s);
    std::thread writer([&a] {
        a.send_all("first\r\nsec");
        a.send_all("ond\nunterminated");
        a.shutdown(netlite::shutdown_type::send);
    });
    netlite::line_reader reader(64);
    std::string line;
    std::error_code ec;
    CHECK(reader.read_line(b, line, ec));
    CHECK(line == "first");
    CHECK(reader.read_line(b, line, ec));
    CHECK(line == "second");
    CHECK_FALSE(reader.read_line(b, line, ec));
    CHECK(ec == netlite::error::eof);
    CHECK(reader.pending() == "unterminated");
    writer.join();
}

TEST_CASE("line_reader: read_line stops with line_too_long on a flood") {
    auto pair = netlite::socketpair();
    netlite::socket& a = pair.first;
    netlite::socket& b = pair.second;
    a.set_timeout(5s);
    b.set_timeout(5s);
    std::thread writer([&a] {
        std::error_code ignored;
        a.send_all(std::string(100000, 'x'), ignored);  // the reader may stop early
        a.shutdown(netlite::shutdown_type::send, ignored);
    });
    netlite::line_reader reader(1024);
    std::string line;
    std::error_code ec;
    CHECK_FALSE(reader.read_line(b, line, ec));
    CHECK(ec == netlite::error::line_too_long);
    b.close();
    writer.join();
}

TEST_SUITE_END();
