// SPDX-License-Identifier: MIT
#include <netlite/endpoint.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_set>
#include <vector>

using netlite::address;
using netlite::address_v4;
using netlite::address_v6;
using netlite::endpoint;
using netlite::error;

namespace {

// ---- type contract ----
static_assert(std::is_trivially_copyable_v<endpoint>);
static_assert(std::is_nothrow_default_constructible_v<endpoint>);
static_assert(std::is_nothrow_copy_constructible_v<endpoint> &&
              std::is_nothrow_move_constructible_v<endpoint>);
static_assert(std::is_nothrow_copy_assignable_v<endpoint> &&
              std::is_nothrow_move_assignable_v<endpoint>);
static_assert(sizeof(endpoint) <= 44);
static_assert(std::is_same_v<decltype(std::declval<endpoint>().address()), address>);
static_assert(std::is_same_v<decltype(std::declval<endpoint>().port()), std::uint16_t>);
static_assert(noexcept(endpoint::parse("")));
static_assert(noexcept(endpoint::parse("", std::declval<std::error_code&>())));

// ---- constexpr ----
static_assert(endpoint().port() == 0 && endpoint().is_v4());
static_assert(endpoint().address() == address(address_v4::any()));
static_assert(endpoint(address_v4::loopback(), 80).port() == 80);
static_assert(endpoint(address_v6::loopback(), 443).is_v6());
static_assert(endpoint::parse("127.0.0.1:8080")->port() == 8080);
static_assert(endpoint::parse("[::1]:22")->address() == address(address_v6::loopback()));
static_assert(endpoint::parse("[fe80::1%eth0]:22")->address().to_v6().zone() == "eth0");
static_assert(!endpoint::parse("127.0.0.1:65536"));
static_assert(endpoint(address_v4::loopback(), 1) < endpoint(address_v4::loopback(), 2));

}  // namespace

TEST_SUITE_BEGIN("endpoint");

TEST_CASE("endpoint: the default is 0.0.0.0:0") {
    const endpoint e;
    CHECK(e.is_v4());
    CHECK_FALSE(e.is_v6());
    CHECK(e.port() == 0);
    CHECK(e.address() == address(address_v4::any()));
    CHECK(e.to_string() == "0.0.0.0:0");
}

TEST_CASE("endpoint: the constructor keeps the address and port") {
    const endpoint a(address_v4({192, 0, 2, 1}), 65535);
    CHECK(a.address().to_v4() == address_v4({192, 0, 2, 1}));
    CHECK(a.port() == 65535);
    CHECK(a.to_string() == "192.0.2.1:65535");
    const endpoint b(*address_v6::parse("fe80::1%eth0"), 22);
    CHECK(b.is_v6());
    CHECK(b.to_string() == "[fe80::1%eth0]:22");
}

TEST_CASE("endpoint: parse accepts numeric endpoints and to_string makes them canonical") {
    struct row {
        std::string_view text;
        std::string_view canonical;
        std::uint16_t port;
    };
    const row rows[] = {
        {"0.0.0.0:0", "0.0.0.0:0", 0},
        {"127.0.0.1:80", "127.0.0.1:80", 80},
        {"255.255.255.255:65535", "255.255.255.255:65535", 65535},
        {"192.0.2.1:1", "192.0.2.1:1", 1},
        {"10.0.0.1:8080", "10.0.0.1:8080", 8080},
        {"[::]:0", "[::]:0", 0},
        {"[::1]:443", "[::1]:443", 443},
        {"[2001:DB8:0:0::1]:9", "[2001:db8::1]:9", 9},
        {"[2001:0db8::0001]:65535", "[2001:db8::1]:65535", 65535},
        {"[fe80::1%eth0]:22", "[fe80::1%eth0]:22", 22},
        {"[fe80::1%2]:22", "[fe80::1%2]:22", 22},
        {"[::ffff:192.0.2.1]:80", "[::ffff:192.0.2.1]:80", 80},
        {"[::ffff:c000:201]:80", "[::ffff:192.0.2.1]:80", 80},
        {"[::192.0.2.1]:80", "[::c000:201]:80", 80},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        std::error_code ec = make_error_code(std::errc::io_error);
        const auto e = endpoint::parse(r.text, ec);
        REQUIRE(e);
        CHECK_FALSE(ec);
        CHECK(e->port() == r.port);
        CHECK(e->to_string() == r.canonical);
        CHECK(endpoint::parse(r.text) == e);
        CHECK(endpoint::parse(e->to_string()) == e);
    }
}

TEST_CASE("endpoint: parse names the first thing that is wrong") {
    struct row {
        std::string text;
        error expected;
    };
    const row rows[] = {
        // Not an address at all (host names belong to the resolver).
        {"", error::not_an_address},
        {":80", error::not_an_address},
        {"localhost:80", error::not_an_address},
        {"example.com:443", error::not_an_address},
        {"localhost", error::not_an_address},
        {" 1.2.3.4:80", error::not_an_address},
        {"1.2.3.4 :80", error::not_an_address},
        {"0x7f.0.0.1:80", error::not_an_address},
        {std::string("1.2.3.4\0:80", 11), error::not_an_address},
        // Addresses that are wrong.
        {"1.2.3:80", error::not_an_ipv4_address},
        {"256.0.0.1:80", error::not_an_ipv4_address},
        {"01.2.3.4:80", error::not_an_ipv4_address},
        {"1.2.3.4.:80", error::not_an_ipv4_address},
        {"1.2.3.4.5:80", error::not_an_ipv4_address},
        {"[1.2.3.4]:80", error::not_an_ipv6_address},  // brackets are for IPv6 only
        {"[]:80", error::not_an_ipv6_address},
        {"[:::1]:80", error::not_an_ipv6_address},
        {"[1:2:3:4:5:6:7:8:9]:80", error::not_an_ipv6_address},
        {"[ ::1]:80", error::not_an_ipv6_address},
        {"[localhost]:80", error::not_an_ipv6_address},
        {std::string("[::1\0]:80", 9), error::not_an_ipv6_address},
        {"[fe80::1%]:80", error::invalid_zone},
        {"[fe80::1%eth 0]:80", error::invalid_zone},
        {"[fe80::1%abcdefghijklmnop]:80", error::invalid_zone},
        {"[fe80::1%4294967296]:80", error::invalid_zone},
        {"[fe80::1%eth0:80]", error::invalid_zone},
        {"gg::1:80", error::not_an_ipv6_address},
        {"localhost:80:90", error::not_an_ipv6_address},
        // Brackets.
        {"::1", error::bad_brackets},
        {"::1:80", error::bad_brackets},
        {"2001:db8::1:443", error::bad_brackets},
        {"fe80::1%eth0:80", error::bad_brackets},
        {"::ffff:1.2.3.4:80", error::bad_brackets},
        {"[::1", error::bad_brackets},
        {"[::1:80", error::bad_brackets},
        {"::1]:80", error::bad_brackets},
        {"[[::1]]:80", error::bad_brackets},
        {"[::1]]:80", error::bad_brackets},
        {"[::1]:[80]", error::bad_brackets},
        {"[::1]80", error::bad_brackets},
        {"[::1] :80", error::bad_brackets},
        {"[::1]x:80", error::bad_brackets},
        {"1.2.3.4]:80", error::bad_brackets},
        {"[1.2.3.4:80", error::bad_brackets},
        {"x[::1]:80", error::bad_brackets},
        // No port at all.
        {"1.2.3.4", error::missing_port},
        {"[::1]", error::missing_port},
        {"[fe80::1%eth0]", error::missing_port},
        // A port that is not a decimal number.
        {"1.2.3.4:", error::invalid_port},
        {"[::1]:", error::invalid_port},
        {"1.2.3.4:+80", error::invalid_port},
        {"1.2.3.4:-80", error::invalid_port},
        {"1.2.3.4:-0", error::invalid_port},
        {"1.2.3.4: 80", error::invalid_port},
        {"1.2.3.4:80 ", error::invalid_port},
        {"1.2.3.4:8 0", error::invalid_port},
        {"1.2.3.4:0x50", error::invalid_port},
        {"1.2.3.4:50h", error::invalid_port},
        {"1.2.3.4:http", error::invalid_port},
        {"1.2.3.4:80.0", error::invalid_port},
        {"1.2.3.4:80:90", error::invalid_port},
        {"1.2.3.4::80", error::invalid_port},
        {"1.2.3.4:080", error::invalid_port},  // no leading zeros, as in dotted quads
        {"1.2.3.4:00", error::invalid_port},
        {"1.2.3.4:0000000000000000000080", error::invalid_port},
        {"[::1]:08080", error::invalid_port},
        {"[::1]::80", error::invalid_port},
        {"1.2.3.4:８０", error::invalid_port},  // full-width digits (UTF-8)
        {std::string("1.2.3.4:80\0", 11), error::invalid_port},
        {std::string("1.2.3.4:\0"
                     "80",
                     11),
         error::invalid_port},
        // Too large, however many digits (no wraparound).
        {"1.2.3.4:65536", error::port_out_of_range},
        {"1.2.3.4:65537", error::port_out_of_range},
        {"1.2.3.4:70000", error::port_out_of_range},
        {"1.2.3.4:99999", error::port_out_of_range},
        {"1.2.3.4:100000", error::port_out_of_range},
        {"1.2.3.4:131152", error::port_out_of_range},      // 65536 * 2 + 80: wraps to 80 mod 2^16
        {"1.2.3.4:4294967297", error::port_out_of_range},  // wraps to 1 mod 2^32
        {"1.2.3.4:99999999999999999999", error::port_out_of_range},
        {"1.2.3.4:18446744073709551696", error::port_out_of_range},  // 2^64 + 80
        {"[::1]:65536", error::port_out_of_range},
        {"[::1]:4294967296", error::port_out_of_range},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        CHECK_FALSE(endpoint::parse(r.text));
        std::error_code ec;
        CHECK_FALSE(endpoint::parse(r.text, ec));
        CHECK(ec == r.expected);
        CHECK(ec.category() == netlite::error_category());
        CHECK_FALSE(ec.message().empty());
    }
}

TEST_CASE("endpoint: every port from 0 to 65535 parses and prints back") {
    for (std::uint32_t p = 0; p <= 65535; ++p) {
        const std::string v4 = "192.0.2.1:" + std::to_string(p);
        const auto e = endpoint::parse(v4);
        REQUIRE(e);
        CHECK(e->port() == p);
        CHECK(e->to_string() == v4);
    }
    const auto e = endpoint::parse("[::1]:65535");
    REQUIRE(e);
    CHECK(e->port() == 65535);
}

TEST_CASE("endpoint: to_string parses back to an equal value for random endpoints") {
    std::mt19937_64 rng(2026);  // fixed seed: reproducible
    const std::string_view zones[] = {"", "", "lo", "7", "eth0.100", "wg-home_1"};
    for (int i = 0; i < 20000; ++i) {
        address a;
        if (rng() % 2 == 0) {
            a = address_v4(static_cast<std::uint32_t>(rng()));
        } else {
            address_v6::bytes_type b{};
            for (auto& byte : b) byte = (rng() % 3 == 0) ? 0 : static_cast<std::uint8_t>(rng());
            a = *address_v6(b).with_zone(zones[rng() % std::size(zones)]);
        }
        const endpoint e(a, static_cast<std::uint16_t>(rng()));
        const std::string text = e.to_string();
        CAPTURE(text);
        const auto back = endpoint::parse(text);
        REQUIRE(back);
        CHECK(*back == e);
        CHECK(back->to_string() == text);
    }
}

TEST_CASE("endpoint: comparisons order by address, then port") {
    const auto a = *endpoint::parse("10.0.0.1:80");
    const auto b = *endpoint::parse("10.0.0.1:443");
    const auto c = *endpoint::parse("10.0.0.2:1");
    const auto d = *endpoint::parse("[::]:0");
    const auto d_zone = *endpoint::parse("[::%1]:0");
    CHECK(a < b);
    CHECK(b < c);  // the address decides before the port
    CHECK(c < d);  // IPv4 before IPv6
    CHECK(d < d_zone);
    CHECK(a != b);
    CHECK(a == endpoint(address_v4({10, 0, 0, 1}), 80));
    CHECK(b > a);
    CHECK(b >= a);
    CHECK(a <= a);
    CHECK(a >= a);
    std::map<endpoint, int> ordered{{d, 4}, {c, 3}, {b, 2}, {a, 1}};
    int expected = 1;
    for (const auto& entry : ordered) CHECK(entry.second == expected++);
}

TEST_CASE("endpoint: hashes agree with equality and work in unordered containers") {
    std::unordered_set<endpoint> set;
    const std::vector<std::string_view> texts = {
        "127.0.0.1:80", "127.0.0.1:81",          "127.0.0.2:80",     "[::1]:80",
        "[::1%lo]:80",  "[::ffff:127.0.0.1]:80", "[fe80::1%2]:5353", "0.0.0.0:0"};
    for (const auto t : texts) CHECK(set.insert(*endpoint::parse(t)).second);
    CHECK(set.size() == texts.size());
    CHECK(set.count(*endpoint::parse("[0:0::1]:80")) == 1);
    CHECK(set.count(*endpoint::parse("[0:0::1]:8080")) == 0);
    CHECK(set.count(endpoint()) == 1);
    const auto x = *endpoint::parse("[2001:db8::1]:1");
    const auto y = *endpoint::parse("[2001:0DB8:0:0:0:0:0:1]:1");
    CHECK(x == y);
    CHECK(std::hash<endpoint>{}(x) == std::hash<endpoint>{}(y));
}

TEST_CASE("parse_port: accepts 0-65535 in decimal and rejects everything else, like endpoint") {
    static_assert(netlite::parse_port("8080") == std::uint16_t{8080});
    for (std::uint32_t p = 0; p <= 65535; ++p) {
        const std::string text = std::to_string(p);
        const auto port = netlite::parse_port(text);
        REQUIRE(port);
        CHECK(*port == p);
    }
    struct row {
        std::string_view text;
        error expected;
    };
    const row rows[] = {
        {"", error::invalid_port},
        {"080", error::invalid_port},  // leading zero, as in endpoint::parse
        {"00", error::invalid_port},
        {"-1", error::invalid_port},
        {"+80", error::invalid_port},
        {" 80", error::invalid_port},
        {"80 ", error::invalid_port},
        {"0x50", error::invalid_port},
        {"12x", error::invalid_port},
        {std::string_view("8\0000", 3), error::invalid_port},  // "8", NUL, "0"
        {"65536", error::port_out_of_range},
        {"70000", error::port_out_of_range},
        {"99999999999999999999", error::port_out_of_range},  // no wrap-around
    };
    for (const row& r : rows) {
        CAPTURE(r.text);
        CHECK_FALSE(netlite::parse_port(r.text));
        std::error_code ec = std::make_error_code(std::errc::io_error);
        CHECK_FALSE(netlite::parse_port(r.text, ec));
        CHECK(ec == r.expected);
        // The endpoint parser gives the same verdict for the same port text.
        std::error_code endpoint_ec;
        CHECK_FALSE(endpoint::parse("192.0.2.1:" + std::string(r.text), endpoint_ec));
        CHECK(endpoint_ec == ec);
    }
    std::error_code ec = std::make_error_code(std::errc::io_error);
    CHECK(netlite::parse_port("443", ec) == std::uint16_t{443});
    CHECK_FALSE(ec);  // cleared on success
}

TEST_CASE("endpoint: operator<< writes to_string") {
    std::ostringstream os;
    os << *endpoint::parse("[FE80::1%eth0]:22") << ' ' << endpoint();
    CHECK(os.str() == "[fe80::1%eth0]:22 0.0.0.0:0");
}

TEST_SUITE_END();
