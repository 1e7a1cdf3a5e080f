// SPDX-License-Identifier: MIT
#include "../examples/line_protocol.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

TEST_SUITE_BEGIN("line_protocol");

namespace {
struct row {
    std::string_view request;
    std::string_view expected;
};

void check_table(const row* rows, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        CAPTURE(rows[i].request);
        CHECK(line_protocol::answer(rows[i].request) == rows[i].expected);
    }
}
}  // namespace

TEST_CASE("line_protocol: CALC evaluates every operator on signed 64-bit integers") {
    const row rows[] = {
        {"CALC:3+4", "CALC:7"},    {"CALC:3-4", "CALC:-1"},
        {"CALC:6*7", "CALC:42"},   {"CALC:7/2", "CALC:3"},
        {"CALC:7%3", "CALC:1"},    {"CALC:0+0", "CALC:0"},
        {"CALC:0*-5", "CALC:0"},   {"CALC:-3*-4", "CALC:12"},
        {"CALC:-3+-4", "CALC:-7"}, {"CALC:3--4", "CALC:7"},
        {"CALC:-3-4", "CALC:-7"},  {"CALC:007+1", "CALC:8"},
        {"CALC:-0+0", "CALC:0"},   {"CALC:123456789*1000000000", "CALC:123456789000000000"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: division and remainder truncate toward zero as in C++") {
    const row rows[] = {
        {"CALC:-7/2", "CALC:-3"}, {"CALC:7/-2", "CALC:-3"},  {"CALC:-7/-2", "CALC:3"},
        {"CALC:-7%2", "CALC:-1"}, {"CALC:7%-2", "CALC:1"},   {"CALC:-7%-2", "CALC:-1"},
        {"CALC:0/-3", "CALC:0"},  {"CALC:1/2", "CALC:0"},    {"CALC:-1/2", "CALC:0"},
        {"CALC:5%5", "CALC:0"},   {"CALC:-8%-3", "CALC:-2"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
    // The same results as the compiler's own arithmetic, for a spread of operands.
    for (std::int64_t a = -20; a <= 20; a += 3) {
        for (std::int64_t b = -7; b <= 7; ++b) {
            if (b == 0) continue;
            const std::string text = std::to_string(a) + "/" + std::to_string(b);
            CAPTURE(text);
            CHECK(line_protocol::answer("CALC:" + text) == "CALC:" + std::to_string(a / b));
            CHECK(line_protocol::answer("CALC:" + std::to_string(a) + "%" + std::to_string(b)) ==
                  "CALC:" + std::to_string(a % b));
        }
    }
}

TEST_CASE("line_protocol: the int64 limits are accepted as literals and reached exactly") {
    const row rows[] = {
        {"CALC:9223372036854775807+0", "CALC:9223372036854775807"},
        {"CALC:-9223372036854775808+0", "CALC:-9223372036854775808"},
        {"CALC:9223372036854775806+1", "CALC:9223372036854775807"},
        {"CALC:-9223372036854775807-1", "CALC:-9223372036854775808"},
        {"CALC:-9223372036854775808/1", "CALC:-9223372036854775808"},
        {"CALC:-9223372036854775808%1", "CALC:0"},
        {"CALC:-9223372036854775808*1", "CALC:-9223372036854775808"},
        {"CALC:4611686018427387904*-2", "CALC:-9223372036854775808"},
        {"CALC:-4611686018427387904*2", "CALC:-9223372036854775808"},
        {"CALC:3037000499*3037000499", "CALC:9223372030926249001"},
        {"CALC:9223372036854775807-9223372036854775807", "CALC:0"},
        {"CALC:-9223372036854775808--9223372036854775808", "CALC:0"},
        {"CALC:9223372036854775807/-1", "CALC:-9223372036854775807"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: overflow of an operand or of the result answers ERR:overflow") {
    const row rows[] = {
        {"CALC:99999999999999999999+1", "ERR:overflow"},
        {"CALC:1+99999999999999999999", "ERR:overflow"},
        {"CALC:9223372036854775808+0", "ERR:overflow"},
        {"CALC:-9223372036854775809+0", "ERR:overflow"},
        {"CALC:9223372036854775807+1", "ERR:overflow"},
        {"CALC:-9223372036854775808+-1", "ERR:overflow"},
        {"CALC:-9223372036854775808-1", "ERR:overflow"},
        {"CALC:9223372036854775807--1", "ERR:overflow"},
        {"CALC:0--9223372036854775808", "ERR:overflow"},
        {"CALC:-2-9223372036854775807", "ERR:overflow"},
        {"CALC:4611686018427387904*2", "ERR:overflow"},
        {"CALC:-4611686018427387905*2", "ERR:overflow"},
        {"CALC:4611686018427387905*-2", "ERR:overflow"},
        {"CALC:-4611686018427387904*-2", "ERR:overflow"},
        {"CALC:3037000500*3037000500", "ERR:overflow"},
        {"CALC:-9223372036854775808*-1", "ERR:overflow"},
        {"CALC:-1*-9223372036854775808", "ERR:overflow"},
        {"CALC:-9223372036854775808/-1", "ERR:overflow"},
        {"CALC:-9223372036854775808%-1", "ERR:overflow"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: division or remainder by zero answers ERR:division by zero") {
    const row rows[] = {
        {"CALC:1/0", "ERR:division by zero"},
        {"CALC:1%0", "ERR:division by zero"},
        {"CALC:0/0", "ERR:division by zero"},
        {"CALC:-9223372036854775808/0", "ERR:division by zero"},
        {"CALC:5%-0", "ERR:division by zero"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: malformed operands answer ERR:bad number") {
    const row rows[] = {
        {"CALC:", "ERR:bad number"},        {"CALC:+", "ERR:bad number"},
        {"CALC:-", "ERR:bad number"},       {"CALC:3+", "ERR:bad number"},
        {"CALC:3-", "ERR:bad number"},      {"CALC:+5+1", "ERR:bad number"},
        {"CALC:1++5", "ERR:bad number"},    {"CALC: 3+4", "ERR:bad number"},
        {"CALC:3+ 4", "ERR:bad number"},    {"CALC:3+4 ", "ERR:bad number"},
        {"CALC:3+4x", "ERR:bad number"},    {"CALC:3+4+5", "ERR:bad number"},
        {"CALC:--3+4", "ERR:bad number"},   {"CALC:3+--4", "ERR:bad number"},
        {"CALC:abc", "ERR:bad number"},     {"CALC:0x10+1", "ERR:bad operator"},
        {"CALC:1.5+1", "ERR:bad operator"}, {"CALC:1+1.5", "ERR:bad number"},
        {"CALC:3+4\r", "ERR:bad number"},   {std::string_view("CALC:3+4\0", 9), "ERR:bad number"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: a missing or unknown operator answers ERR:bad operator") {
    const row rows[] = {
        {"CALC:3", "ERR:bad operator"},   {"CALC:-3", "ERR:bad operator"},
        {"CALC:3^4", "ERR:bad operator"}, {"CALC:3 +4", "ERR:bad operator"},
        {"CALC:3x4", "ERR:bad operator"}, {"CALC:3=4", "ERR:bad operator"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: PING echoes its text, including empty and odd bytes") {
    const row rows[] = {
        {"PING:", "PONG:"},
        {"PING:hello", "PONG:hello"},
        {"PING:hello world ", "PONG:hello world "},
        {"PING:CALC:1+1", "PONG:CALC:1+1"},
        {"PING:PING:", "PONG:PING:"},
        {"PING:\r", "PONG:\r"},
        {std::string_view("PING:a\0b", 8), std::string_view("PONG:a\0b", 8)},
        {"PING:\xff\xfe", "PONG:\xff\xfe"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: anything else answers ERR:unknown command") {
    const row rows[] = {
        {"", "ERR:unknown command"},         {"calc:1+1", "ERR:unknown command"},
        {"Calc:1+1", "ERR:unknown command"}, {"ping:x", "ERR:unknown command"},
        {"PING", "ERR:unknown command"},     {"CALC", "ERR:unknown command"},
        {"CALC 1+1", "ERR:unknown command"}, {" CALC:1+1", "ERR:unknown command"},
        {"PONG:x", "ERR:unknown command"},   {"ERR:x", "ERR:unknown command"},
        {"HELLO", "ERR:unknown command"},    {"\r", "ERR:unknown command"},
        {"CAL:1+1", "ERR:unknown command"},  {"PIN:", "ERR:unknown command"},
    };
    check_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("line_protocol: the line-too-long answer is one of the ERR answers") {
    CHECK(line_protocol::line_too_long == "ERR:line too long");
}

TEST_SUITE_END();
