// SPDX-License-Identifier: MIT
#include <netlite/error.hpp>

#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code through it
#include <set>
#include <string>
#include <system_error>
#include <type_traits>

using netlite::error;

namespace {

// ---- type contract ----
static_assert(std::is_error_code_enum_v<error>);
static_assert(!std::is_error_condition_enum_v<error>);
static_assert(static_cast<int>(error::eof) == 1);  // 0 stays "no error"
static_assert(std::is_convertible_v<error, std::error_code>);
static_assert(noexcept(netlite::make_error_code(error::eof)));
static_assert(noexcept(netlite::error_category()));

constexpr int first_value = static_cast<int>(error::eof);
constexpr int last_value = static_cast<int>(error::protocol_error);

}  // namespace

TEST_SUITE_BEGIN("error");

TEST_CASE("error: the category is called netlite and is one object") {
    CHECK(std::string(netlite::error_category().name()) == "netlite");
    CHECK(&netlite::error_category() == &netlite::error_category());
    CHECK(netlite::make_error_code(error::eof).category() == netlite::error_category());
}

TEST_CASE("error: every value has its own non-empty message") {
    std::set<std::string> seen;
    for (int v = first_value; v <= last_value; ++v) {
        CAPTURE(v);
        const std::error_code ec = netlite::make_error_code(static_cast<error>(v));
        const std::string message = ec.message();
        CHECK_FALSE(message.empty());
        CHECK(message != "unknown netlite error");
        CHECK(seen.insert(message).second);
        CHECK(static_cast<bool>(ec));
    }
    CHECK(netlite::make_error_code(error::port_out_of_range).message() == "port out of range");
    CHECK(netlite::error_category().message(0) == "unknown netlite error");
    CHECK(netlite::error_category().message(9999) == "unknown netlite error");
}

TEST_CASE("error: values convert implicitly to std::error_code") {
    const std::error_code ec = error::invalid_port;
    CHECK(ec.value() == static_cast<int>(error::invalid_port));
    CHECK(ec.category() == netlite::error_category());
    CHECK(ec == error::invalid_port);
    CHECK(ec != error::port_out_of_range);
    CHECK(ec == netlite::make_error_code(error::invalid_port));
    std::error_code cleared = error::eof;
    cleared.clear();
    CHECK_FALSE(cleared);
}

TEST_CASE("error: parse and connection errors compare equal to the matching std::errc") {
    CHECK(std::error_code(error::invalid_port) == std::errc::invalid_argument);
    CHECK(std::error_code(error::missing_port) == std::errc::invalid_argument);
    CHECK(std::error_code(error::bad_brackets) == std::errc::invalid_argument);
    CHECK(std::error_code(error::not_an_address) == std::errc::invalid_argument);
    CHECK(std::error_code(error::not_an_ipv4_address) == std::errc::invalid_argument);
    CHECK(std::error_code(error::not_an_ipv6_address) == std::errc::invalid_argument);
    CHECK(std::error_code(error::invalid_zone) == std::errc::invalid_argument);
    CHECK(std::error_code(error::invalid_argument) == std::errc::invalid_argument);
    CHECK(std::error_code(error::port_out_of_range) == std::errc::result_out_of_range);
    CHECK(std::error_code(error::family_mismatch) == std::errc::address_family_not_supported);
    CHECK(std::error_code(error::not_connected) == std::errc::not_connected);
    CHECK(std::error_code(error::line_too_long) == std::errc::message_size);
    CHECK(std::error_code(error::frame_too_large) == std::errc::message_size);
    // Library-only conditions match no generic condition.
    CHECK(std::error_code(error::eof) != std::errc::invalid_argument);
    CHECK(std::error_code(error::eof).default_error_condition().category() ==
          netlite::error_category());
    CHECK(std::error_code(error::port_out_of_range) != std::errc::invalid_argument);
}

TEST_CASE("error: throw_error throws std::system_error carrying the code and the operation") {
    const std::error_code ec = error::bad_brackets;
    try {
        netlite::detail::throw_error(ec, "endpoint::parse");
        FAIL("throw_error returned");
    } catch (const std::system_error& e) {
        CHECK(e.code() == ec);
        const std::string what = e.what();
        CHECK(what.find("endpoint::parse") != std::string::npos);
        CHECK(what.find(ec.message()) != std::string::npos);
    }
    CHECK_THROWS_AS(netlite::detail::throw_if(ec, "x"), std::system_error);
    CHECK_NOTHROW(netlite::detail::throw_if(std::error_code(), "x"));
}

TEST_SUITE_END();
