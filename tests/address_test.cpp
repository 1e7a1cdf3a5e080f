// SPDX-License-Identifier: MIT
#include <netlite/address.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
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
using namespace std::string_view_literals;

namespace {

// ---- type contract ----
static_assert(std::is_trivially_copyable_v<address_v4>);
static_assert(std::is_trivially_copyable_v<address_v6>);
static_assert(std::is_trivially_copyable_v<address>);
static_assert(std::is_trivially_destructible_v<address>);
static_assert(std::is_nothrow_default_constructible_v<address_v4>);
static_assert(std::is_nothrow_default_constructible_v<address_v6>);
static_assert(std::is_nothrow_default_constructible_v<address>);
static_assert(std::is_nothrow_copy_constructible_v<address> &&
              std::is_nothrow_move_constructible_v<address>);
static_assert(std::is_nothrow_copy_assignable_v<address> &&
              std::is_nothrow_move_assignable_v<address>);
static_assert(sizeof(address_v4) == 4);
static_assert(sizeof(address_v6) == 32);  // 16 bytes + 15 zone characters + length
static_assert(sizeof(address) <= 40);
static_assert(std::is_convertible_v<address_v4, address>);
static_assert(std::is_convertible_v<address_v6, address>);
static_assert(!std::is_convertible_v<std::uint32_t, address_v4>);  // explicit
static_assert(!std::is_convertible_v<address_v4::bytes_type, address_v4>);
static_assert(!std::is_convertible_v<address_v6::bytes_type, address_v6>);
static_assert(std::is_same_v<decltype(address_v4::parse(""))::value_type, address_v4>);
static_assert(noexcept(address::parse("")));
static_assert(noexcept(address::parse("", std::declval<std::error_code&>())));

// ---- constexpr: construction, bytes, predicates, comparisons and parsing ----
static_assert(address_v4().to_uint() == 0);
static_assert(address_v4(0x7F000001u) == address_v4::loopback());
static_assert(address_v4({127, 0, 0, 1}) == address_v4::loopback());
static_assert(address_v4({192, 0, 2, 1}).to_uint() == 0xC0000201u);
static_assert(address_v4(0xC0000201u).to_bytes()[0] == 192);
static_assert(address_v4(0xC0000201u).to_bytes()[3] == 1);
static_assert(address_v4::broadcast().is_broadcast());
static_assert(address_v4::parse("10.1.2.3")->is_private());
static_assert(!address_v4::parse("1.2.3"));
static_assert(address_v4({9, 0, 0, 0}) < address_v4({10, 0, 0, 0}));
static_assert(address_v6::loopback().is_loopback());
static_assert(address_v6::parse("::1") == address_v6::loopback());
static_assert(address_v6::parse("fe80::1%eth0")->zone() == "eth0");
static_assert(address_v6::parse("fe80::1%7")->scope_id() == 7);
static_assert(!address_v6::parse("fe80::1%"));
static_assert(address_v6::v4_mapped(address_v4::loopback()).mapped_v4() == address_v4::loopback());
static_assert(address_v6::parse("::ffff:1.2.3.4")->is_v4_mapped());
static_assert(address_v6({}, 42).zone() == "42");
static_assert(address_v6::any().with_zone("lo")->zone() == "lo");
static_assert(address_v6::any() < address_v6::any().with_scope_id(1));
static_assert(address().is_v4() && address().to_v4() == address_v4::any());
static_assert(address(address_v6::loopback()).is_v6());
static_assert(address(address_v4::broadcast()) < address(address_v6::any()));
static_assert(address::parse("::1")->is_loopback());
static_assert(address::parse("127.0.0.1")->to_v4() == address_v4::loopback());
static_assert(!address::parse("localhost"));

}  // namespace

TEST_SUITE_BEGIN("address");

// ---------------------------------------------------------------- address_v4

TEST_CASE("address_v4: the default is 0.0.0.0 and the named constructors are what they say") {
    CHECK(address_v4().to_uint() == 0);
    CHECK(address_v4::any().to_string() == "0.0.0.0");
    CHECK(address_v4::loopback().to_string() == "127.0.0.1");
    CHECK(address_v4::broadcast().to_string() == "255.255.255.255");
}

TEST_CASE("address_v4: bytes are network order and the integer is host order") {
    const address_v4 a({192, 168, 1, 2});
    CHECK(a.to_uint() == 0xC0A80102u);
    CHECK(a.to_bytes() == address_v4::bytes_type{192, 168, 1, 2});
    CHECK(address_v4(0x0A000001u).to_bytes() == address_v4::bytes_type{10, 0, 0, 1});
    CHECK(address_v4({10, 0, 0, 1}) == address_v4(0x0A000001u));
}

TEST_CASE("address_v4: parse accepts strict dotted quads") {
    struct row {
        std::string_view text;
        std::uint32_t value;
    };
    const row rows[] = {
        {"0.0.0.0", 0},
        {"127.0.0.1", 0x7F000001u},
        {"255.255.255.255", 0xFFFFFFFFu},
        {"1.2.3.4", 0x01020304u},
        {"192.168.0.1", 0xC0A80001u},
        {"10.0.0.255", 0x0A0000FFu},
        {"100.200.250.199", 0x64C8FAC7u},
        {"0.0.0.1", 1},
        {"9.99.199.249", 0x0963C7F9u},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto a = address_v4::parse(r.text);
        REQUIRE(a);
        CHECK(a->to_uint() == r.value);
        CHECK(a->to_string() == r.text);  // accepted text is already canonical
    }
}

TEST_CASE("address_v4: parse rejects everything that is not a strict dotted quad") {
    const std::string bad[] = {
        "",
        " ",
        ".",
        "...",
        "1",
        "1.2",
        "1.2.3",
        "127.1",
        "1.2.3.4.",
        ".1.2.3.4",
        "1.2.3.4.5",
        "1..2.3",
        "1.2..3.4",
        "01.2.3.4",
        "1.02.3.4",
        "1.2.3.00",
        "1.2.3.010",
        "00.0.0.0",
        "256.0.0.0",
        "1.2.3.256",
        "1.2.3.999",
        "1.2.3.1000",
        "1234.1.1.1",
        "99999999999999999999.1.1.1",
        "1.1.1.99999999999999999999",
        "4294967296",
        "2130706433",
        "0x7f.0.0.1",
        "0x7f000001",
        "1.2.3.0x4",
        "1.2.3.a",
        "a.b.c.d",
        "+1.2.3.4",
        "1.2.3.-4",
        "-1.2.3.4",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2. 3.4",
        "1.2.3.4\n",
        "1.2.3.4\t",
        "1,2,3,4",
        "1.2.3.4:80",
        "1.2.3.4/24",
        "1.2.3.4%eth0",
        "::1",
        "::ffff:1.2.3.4",
        "[1.2.3.4]",
        "localhost",
        "１.2.3.4",  // full-width digit (UTF-8)
        std::string("\0", 1),
        std::string("1.2.3.4\0", 8),
        std::string("1.2.3\0.4", 8),
        std::string("\0"
                    "1.2.3.4",
                    8),
    };
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK_FALSE(address_v4::parse(text));
        std::error_code ec = make_error_code(std::errc::io_error);
        CHECK_FALSE(address_v4::parse(text, ec));
        CHECK(ec == netlite::error::not_an_ipv4_address);
    }
}

TEST_CASE("address_v4: the error_code overload clears the code on success") {
    std::error_code ec = make_error_code(std::errc::io_error);
    const auto a = address_v4::parse("8.8.4.4", ec);
    CHECK(a == address_v4({8, 8, 4, 4}));
    CHECK_FALSE(ec);
}

TEST_CASE("address_v4: to_string prints dotted decimal without leading zeros") {
    CHECK(address_v4(0).to_string() == "0.0.0.0");
    CHECK(address_v4({10, 0, 20, 100}).to_string() == "10.0.20.100");
    CHECK(address_v4({1, 22, 133, 255}).to_string() == "1.22.133.255");
}

TEST_CASE("address_v4: to_string parses back to an equal value for edge and random addresses") {
    std::vector<std::uint32_t> values = {0,           1,           0xFF,        0x100,
                                         0x7F000001u, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFEu,
                                         0x0A0A0A0Au, 0x00FF00FFu};
    std::mt19937 rng(4242);  // fixed seed: reproducible
    for (int i = 0; i < 20000; ++i) values.push_back(static_cast<std::uint32_t>(rng()));
    for (const auto v : values) {
        CAPTURE(v);
        const address_v4 a(v);
        const auto back = address_v4::parse(a.to_string());
        REQUIRE(back);
        CHECK(*back == a);
        CHECK(address_v4(a.to_bytes()) == a);
    }
}

TEST_CASE("address_v4: predicates match their documented ranges at the boundaries") {
    struct row {
        std::string_view text;
        bool unspecified, loopback, multicast, is_private, link_local, broadcast;
    };
    const row rows[] = {
        // text                 unspec loop   mcast  priv   link   bcast
        {"0.0.0.0", true, false, false, false, false, false},
        {"0.0.0.1", false, false, false, false, false, false},
        {"126.255.255.255", false, false, false, false, false, false},
        {"127.0.0.0", false, true, false, false, false, false},
        {"127.0.0.1", false, true, false, false, false, false},
        {"127.255.255.255", false, true, false, false, false, false},
        {"128.0.0.0", false, false, false, false, false, false},
        {"223.255.255.255", false, false, false, false, false, false},
        {"224.0.0.0", false, false, true, false, false, false},
        {"224.0.0.251", false, false, true, false, false, false},
        {"239.255.255.255", false, false, true, false, false, false},
        {"240.0.0.0", false, false, false, false, false, false},
        {"9.255.255.255", false, false, false, false, false, false},
        {"10.0.0.0", false, false, false, true, false, false},
        {"10.255.255.255", false, false, false, true, false, false},
        {"11.0.0.0", false, false, false, false, false, false},
        {"172.15.255.255", false, false, false, false, false, false},
        {"172.16.0.0", false, false, false, true, false, false},
        {"172.20.1.1", false, false, false, true, false, false},
        {"172.31.255.255", false, false, false, true, false, false},
        {"172.32.0.0", false, false, false, false, false, false},
        {"192.167.255.255", false, false, false, false, false, false},
        {"192.168.0.0", false, false, false, true, false, false},
        {"192.168.255.255", false, false, false, true, false, false},
        {"192.169.0.0", false, false, false, false, false, false},
        {"168.192.0.1", false, false, false, false, false, false},
        {"169.253.255.255", false, false, false, false, false, false},
        {"169.254.0.0", false, false, false, false, true, false},
        {"169.254.255.255", false, false, false, false, true, false},
        {"169.255.0.0", false, false, false, false, false, false},
        {"255.255.255.254", false, false, false, false, false, false},
        {"255.255.255.255", false, false, false, false, false, true},
        {"8.8.8.8", false, false, false, false, false, false},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto a = address_v4::parse(r.text);
        REQUIRE(a);
        CHECK(a->is_unspecified() == r.unspecified);
        CHECK(a->is_loopback() == r.loopback);
        CHECK(a->is_multicast() == r.multicast);
        CHECK(a->is_private() == r.is_private);
        CHECK(a->is_link_local() == r.link_local);
        CHECK(a->is_broadcast() == r.broadcast);
        // The general type forwards.
        const address g = *a;
        CHECK(g.is_unspecified() == r.unspecified);
        CHECK(g.is_loopback() == r.loopback);
        CHECK(g.is_multicast() == r.multicast);
        CHECK(g.is_private() == r.is_private);
        CHECK(g.is_link_local() == r.link_local);
        CHECK(g.is_broadcast() == r.broadcast);
        CHECK_FALSE(g.is_v4_mapped());
    }
}

TEST_CASE("address_v4: comparisons follow numeric order") {
    const address_v4 a({9, 255, 255, 255}), b({10, 0, 0, 0}), c({10, 0, 0, 1});
    CHECK(a < b);
    CHECK(b < c);
    CHECK(a <= a);
    CHECK(c > a);
    CHECK(c >= b);
    CHECK(a != b);
    CHECK(b == address_v4({10, 0, 0, 0}));
    CHECK_FALSE(b < b);
}

// ---------------------------------------------------------------- address_v6

TEST_CASE("address_v6: parse accepts RFC 4291 text forms") {
    struct row {
        std::string_view text;
        std::string_view canonical;
    };
    const row rows[] = {
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"0:0:0:0:0:0:0:0", "::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
        {"::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"},
        {"1::8", "1::8"},
        {"1:2::7:8", "1:2::7:8"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"FFFF:ABCD:EF01::", "ffff:abcd:ef01::"},
        {"2001:DB8::1", "2001:db8::1"},
        {"2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"},
        {"0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"},
        {"fe80::1%eth0", "fe80::1%eth0"},
        {"fe80::1%2", "fe80::1%2"},
        {"FE80::A%en0", "fe80::a%en0"},
        {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
        {"::ffff:0102:0304", "::ffff:1.2.3.4"},
        {"::FFFF:1.2.3.4", "::ffff:1.2.3.4"},
        {"0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"::1.2.3.4", "::102:304"},
        {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
        {"1::1.2.3.4", "1::102:304"},
        {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
        {"::ffff:1.2.3.4%eth0", "::ffff:1.2.3.4%eth0"},
        {"fe80::1%a.b-c_d~e", "fe80::1%a.b-c_d~e"},
        {"fe80::1%abcdefghij12345", "fe80::1%abcdefghij12345"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto a = address_v6::parse(r.text);
        REQUIRE(a);
        CHECK(a->to_string() == r.canonical);
        const auto back = address_v6::parse(a->to_string());
        REQUIRE(back);
        CHECK(*back == *a);
    }
}

TEST_CASE("address_v6: parse puts the groups where they belong") {
    const auto a = address_v6::parse("2001:db8:0:1::ab:cdef");
    REQUIRE(a);
    CHECK(a->to_bytes() == address_v6::bytes_type{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                                                  0xab, 0xcd, 0xef});
    CHECK(address_v6::parse("::ffff:192.0.2.128")->to_bytes() ==
          address_v6::bytes_type{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 128});
    CHECK(address_v6::parse("1::")->to_bytes() ==
          address_v6::bytes_type{0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("address_v6: parse rejects malformed addresses with not_an_ipv6_address") {
    const std::string bad[] = {
        "",
        ":",
        ":::",
        "::::",
        "1:::2",
        ":1::",
        ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:",
        "1::2:",
        "1::2::3",
        "::1::",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1::2:3:4:5:6:7:8",
        "1:2:3:4::5:6:7:8",
        "12345::",
        "::12345",
        "1:2:3:4:5:6:7:00000",
        "g::1",
        "::x",
        "1.2.3.4",
        "::1.2.3",
        "::1.2.3.4.5",
        "::256.1.1.1",
        "::01.2.3.4",
        "::1.2.3.4:1",
        "::1.2.3.4::",
        "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::ffff:1.2.3.4.",
        "::ab.1.2.3",
        "[::1]",
        "[::1",
        "::1]",
        " ::1",
        "::1 ",
        ":: 1",
        "::1\n",
        "+::1",
        "-1::",
        "0x1::",
        "1:2:3:4:5:6:7:8/64",
        "%eth0",
        "localhost",
        std::string("::1\0", 4),
        std::string("\0::1", 4),
        std::string(":\0:1", 4),
    };
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK_FALSE(address_v6::parse(text));
        std::error_code ec;
        CHECK_FALSE(address_v6::parse(text, ec));
        CHECK(ec == netlite::error::not_an_ipv6_address);
    }
}

TEST_CASE("address_v6: parse rejects bad zones with invalid_zone") {
    const std::string bad[] = {
        "fe80::1%",
        "fe80::1%%",
        "fe80::1%eth0%",
        "fe80::1%eth 0",
        "fe80::1% eth0",
        "fe80::1%eth0 ",
        "fe80::1%eth/0",
        "fe80::1%eth:0",
        "fe80::1%[eth0]",
        "fe80::1%ü",
        "fe80::1%abcdefghij123456",  // 16 characters
        "fe80::1%abcdefghijklmnop",
        "fe80::1%4294967296",       // all digits but above 2^32 - 1
        "fe80::1%123456789012345",  // 15 characters, but as a number far above 2^32 - 1
        "fe80::1%99999999999",
        std::string("fe80::1%eth0\0", 13),
        std::string("fe80::1%\0", 9),
    };
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK_FALSE(address_v6::parse(text));
        std::error_code ec;
        CHECK_FALSE(address_v6::parse(text, ec));
        CHECK(ec == netlite::error::invalid_zone);
    }
}

TEST_CASE("address_v6: the address is checked before the zone") {
    std::error_code ec;
    CHECK_FALSE(address_v6::parse("fe80:::1%", ec));
    CHECK(ec == netlite::error::not_an_ipv6_address);
    CHECK_FALSE(address_v6::parse("%eth0", ec));
    CHECK(ec == netlite::error::not_an_ipv6_address);
}

TEST_CASE("address_v6: the error_code overload clears the code on success") {
    std::error_code ec = make_error_code(std::errc::io_error);
    CHECK(address_v6::parse("fe80::1%lo", ec));
    CHECK_FALSE(ec);
}

TEST_CASE("address_v6: to_string follows RFC 5952") {
    struct row {
        std::string_view in;
        std::string_view out;
    };
    const row rows[] = {
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},  // leftmost of two equal runs
        {"2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // one zero group is never ::
        {"2001:db8::0:1", "2001:db8::1"},
        {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},  // the longer run wins
        {"1:0:0:0:2:0:0:3", "1::2:0:0:3"},
        {"0:0:1:0:0:0:0:0", "0:0:1::"},
        {"0:0:0:1:0:0:0:0", "0:0:0:1::"},
        {"0:0:0:0:1:0:0:0", "::1:0:0:0"},
        {"0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"},
        {"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
        {"0:0:1:1:1:1:1:1", "::1:1:1:1:1:1"},
        {"1:1:1:1:1:1:0:0", "1:1:1:1:1:1::"},
        {"1:0:0:1:1:1:1:1", "1::1:1:1:1:1"},
        {"ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
        {"2001:DB8::A:B:C:D", "2001:db8::a:b:c:d"},
        {"0010:0100:1000:000a::", "10:100:1000:a::"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"::ffff:c000:0201", "::ffff:192.0.2.1"},
        {"::ffff:0:0", "::ffff:0.0.0.0"},
        {"::192.0.2.1", "::c000:201"},                // not mapped: no dotted tail
        {"::ffff:0:192.0.2.1", "::ffff:0:c000:201"},  // SIIT form is not mapped either
        {"64:ff9b::192.0.2.1", "64:ff9b::c000:201"},
        {"1::ffff:1.2.3.4", "1::ffff:102:304"},
        {"fe80::1%ETH0", "fe80::1%ETH0"},  // zone text is kept as written
    };
    for (const auto& r : rows) {
        CAPTURE(r.in);
        const auto a = address_v6::parse(r.in);
        REQUIRE(a);
        CHECK(a->to_string() == r.out);
    }
}

TEST_CASE("address_v6: to_string parses back to an equal value for random addresses") {
    std::mt19937_64 rng(5952);  // fixed seed: reproducible
    const std::string_view zones[] = {"",           "",    "",          "eth0",           "1",
                                      "4294967295", "en0", "a-b.c_d~e", "abcdefghij12345"};
    for (int i = 0; i < 20000; ++i) {
        address_v6::bytes_type b{};
        for (std::size_t g = 0; g < 8; ++g) {
            // Mostly zero groups so that every run layout shows up; some tiny, some full.
            std::uint16_t v = 0;
            switch (rng() % 4) {
                case 0: v = 0; break;
                case 1: v = 0; break;
                case 2: v = static_cast<std::uint16_t>(rng() % 16); break;
                default: v = static_cast<std::uint16_t>(rng()); break;
            }
            b[2 * g] = static_cast<std::uint8_t>(v >> 8);
            b[2 * g + 1] = static_cast<std::uint8_t>(v);
        }
        if (rng() % 16 == 0) {  // now and then an IPv4-mapped address
            for (std::size_t k = 0; k < 10; ++k) b[k] = 0;
            b[10] = b[11] = 0xff;
        }
        const auto a = address_v6(b).with_zone(zones[rng() % std::size(zones)]);
        REQUIRE(a);
        const std::string text = a->to_string();
        CAPTURE(text);
        const auto back = address_v6::parse(text);
        REQUIRE(back);
        CHECK(*back == *a);
        CHECK(back->to_bytes() == b);
        CHECK(text.find(":::") == std::string::npos);
        CHECK(text.size() <= 39 + 1 + address_v6::max_zone_length);
        // RFC 5952: canonical text is all lowercase and printing it again changes nothing.
        const std::string_view bare = std::string_view(text).substr(0, text.find('%'));
        CHECK(std::none_of(bare.begin(), bare.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
        CHECK(back->to_string() == text);
    }
}

TEST_CASE("address_v6: zones keep their text; scope_id is the number or 0") {
    const auto named = address_v6::parse("fe80::1%eth0");
    REQUIRE(named);
    CHECK(named->zone() == "eth0");
    CHECK(named->scope_id() == 0);
    CHECK(named->to_bytes() == address_v6::parse("fe80::1")->to_bytes());

    const auto numbered = address_v6::parse("fe80::1%4294967295");
    REQUIRE(numbered);
    CHECK(numbered->scope_id() == 4294967295u);
    CHECK(address_v6::parse("fe80::1%0")->scope_id() == 0);
    CHECK(address_v6::parse("fe80::1%0")->zone() == "0");

    CHECK(address_v6::parse("fe80::1")->zone().empty());
    CHECK(address_v6::parse("fe80::1")->scope_id() == 0);
    CHECK(address_v6::parse("fe80::1%abcdefghij12345")->zone().size() == 15);
    CHECK(address_v6::parse("fe80::1%9a")->scope_id() == 0);  // not all digits: a name
    CHECK(address_v6::parse("fe80::1%1234567890")->scope_id() == 1234567890u);
    CHECK(address_v6::parse("fe80::1%0000000000000")->scope_id() == 0);  // 13 digits, value 0
}

TEST_CASE("address_v6: the scope_id constructor writes the zone as decimal text") {
    const auto bytes = address_v6::parse("fe80::1")->to_bytes();
    CHECK(address_v6(bytes).zone().empty());
    CHECK(address_v6(bytes, 0).zone().empty());
    CHECK(address_v6(bytes, 3).zone() == "3");
    CHECK(address_v6(bytes, 3).to_string() == "fe80::1%3");
    CHECK(address_v6(bytes, 4294967295u).zone() == "4294967295");
    CHECK(address_v6(bytes, 4294967295u).scope_id() == 4294967295u);
    CHECK(address_v6(bytes, 3) == *address_v6::parse("fe80::1%3"));
}

TEST_CASE("address_v6: with_zone and with_scope_id replace or remove the zone") {
    const auto a = *address_v6::parse("fe80::1%eth0");
    CHECK(a.with_zone("wlan0")->to_string() == "fe80::1%wlan0");
    CHECK(a.with_zone("")->to_string() == "fe80::1");
    CHECK(a.with_scope_id(5).to_string() == "fe80::1%5");
    CHECK(a.with_scope_id(0).to_string() == "fe80::1");
    CHECK(a.with_zone("ok-name_1.2~")->zone() == "ok-name_1.2~");
    CHECK_FALSE(a.with_zone("bad zone"));
    CHECK_FALSE(a.with_zone("%eth0"));
    CHECK_FALSE(a.with_zone("0123456789abcdef"));
    CHECK_FALSE(a.with_zone("4294967296"));
    CHECK_FALSE(a.with_zone(std::string("a\0", 2)));
    std::error_code ec;
    CHECK_FALSE(a.with_zone("bad/zone", ec));
    CHECK(ec == netlite::error::invalid_zone);
    CHECK(a.with_zone("lo", ec));
    CHECK_FALSE(ec);
    CHECK(a.zone() == "eth0");  // the original is unchanged
}

TEST_CASE("address_v6: predicates match their documented ranges at the boundaries") {
    struct row {
        std::string_view text;
        bool unspecified, loopback, multicast, unique_local, link_local, v4_mapped;
    };
    const row rows[] = {
        // text                          unspec loop   mcast  ula    link   mapped
        {"::", true, false, false, false, false, false},
        {"::%eth0", true, false, false, false, false, false},
        {"::1", false, true, false, false, false, false},
        {"::1%lo", false, true, false, false, false, false},
        {"::2", false, false, false, false, false, false},
        {"1::1", false, false, false, false, false, false},
        {"::1:0", false, false, false, false, false, false},
        {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, false, false, false, false},
        {"ff00::", false, false, true, false, false, false},
        {"ff02::1", false, false, true, false, false, false},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, true, false, false, false},
        {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, false, false, false, false},
        {"fc00::", false, false, false, true, false, false},
        {"fd12:3456:789a::1", false, false, false, true, false, false},
        {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, false, true, false, false},
        {"fe00::", false, false, false, false, false, false},
        {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, false, false, false, false},
        {"fe80::", false, false, false, false, true, false},
        {"fe80::1%eth0", false, false, false, false, true, false},
        {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, false, false, true, false},
        {"fec0::", false, false, false, false, false, false},
        {"::fffe:ffff:ffff", false, false, false, false, false, false},
        {"::ffff:0.0.0.0", false, false, false, false, false, true},
        {"::ffff:127.0.0.1", false, false, false, false, false, true},
        {"::ffff:255.255.255.255", false, false, false, false, false, true},
        {"::1:0:0:0", false, false, false, false, false, false},
        {"0:0:0:0:1:ffff:0:0", false, false, false, false, false, false},
        {"2001:db8::1", false, false, false, false, false, false},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto a = address_v6::parse(r.text);
        REQUIRE(a);
        CHECK(a->is_unspecified() == r.unspecified);
        CHECK(a->is_loopback() == r.loopback);
        CHECK(a->is_multicast() == r.multicast);
        CHECK(a->is_unique_local() == r.unique_local);
        CHECK(a->is_private() == r.unique_local);
        CHECK(a->is_link_local() == r.link_local);
        CHECK(a->is_v4_mapped() == r.v4_mapped);
        CHECK_FALSE(a->is_broadcast());
        CHECK(a->mapped_v4().has_value() == r.v4_mapped);
        const address g = *a;
        CHECK(g.is_unspecified() == r.unspecified);
        CHECK(g.is_loopback() == r.loopback);
        CHECK(g.is_multicast() == r.multicast);
        CHECK(g.is_private() == r.unique_local);
        CHECK(g.is_link_local() == r.link_local);
        CHECK(g.is_v4_mapped() == r.v4_mapped);
        CHECK_FALSE(g.is_broadcast());
    }
}

TEST_CASE("address_v6: v4_mapped and mapped_v4 convert both ways") {
    const address_v4 v4({192, 0, 2, 1});
    const address_v6 m = address_v6::v4_mapped(v4);
    CHECK(m.is_v4_mapped());
    CHECK(m.to_string() == "::ffff:192.0.2.1");
    CHECK(m.mapped_v4() == v4);
    CHECK_FALSE(address_v6::loopback().mapped_v4());
    CHECK_FALSE(address_v6::parse("::192.0.2.1")->mapped_v4());
    // A mapped address is IPv6: its predicates do not look through it.
    CHECK_FALSE(address_v6::v4_mapped(address_v4::loopback()).is_loopback());
}

TEST_CASE("address_v6: comparisons order by bytes, then by zone text") {
    const auto a = *address_v6::parse("::1");
    const auto b = *address_v6::parse("::2");
    const auto b_eth0 = *address_v6::parse("::2%eth0");
    const auto b_eth1 = *address_v6::parse("::2%eth1");
    const auto c = *address_v6::parse("1::");
    CHECK(a < b);
    CHECK(b < b_eth0);
    CHECK(b_eth0 < b_eth1);
    CHECK(b_eth1 < c);
    CHECK(b != b_eth0);
    CHECK(b_eth0 == *address_v6::parse("0::2%eth0"));
    CHECK(c > a);
    CHECK(c >= c);
    CHECK(a <= b);
    CHECK(address_v6::parse("ff00::") > address_v6::parse("fe80::"));
    CHECK(*address_v6::parse("fe80::1%2") != *address_v6::parse("fe80::1%02"));  // text differs
}

// ---------------------------------------------------------------- address

TEST_CASE("address: the default is the IPv4 any address") {
    const address a;
    CHECK(a.is_v4());
    CHECK_FALSE(a.is_v6());
    CHECK(a.to_v4() == address_v4::any());
    CHECK(a.to_string() == "0.0.0.0");
    CHECK(a == address(address_v4::any()));
    CHECK(a != address(address_v6::any()));
}

TEST_CASE("address: parse picks the family from the text") {
    const auto v4 = address::parse("192.0.2.7");
    REQUIRE(v4);
    CHECK(v4->is_v4());
    CHECK(v4->to_v4() == address_v4({192, 0, 2, 7}));
    const auto v6 = address::parse("2001:db8::7%eth0");
    REQUIRE(v6);
    CHECK(v6->is_v6());
    CHECK(v6->to_v6().zone() == "eth0");
    CHECK(v6->to_string() == "2001:db8::7%eth0");
    const auto mapped = address::parse("::ffff:1.2.3.4");
    REQUIRE(mapped);
    CHECK(mapped->is_v6());  // never silently turned into IPv4
    CHECK(mapped->is_v4_mapped());
}

TEST_CASE("address: parse reports why text is not an address") {
    struct row {
        std::string text;
        netlite::error expected;
    };
    const row rows[] = {
        {"", netlite::error::not_an_address},
        {"localhost", netlite::error::not_an_address},
        {"example.com", netlite::error::not_an_address},
        {" 1.2.3.4", netlite::error::not_an_address},
        {"1.2.3.4 ", netlite::error::not_an_address},
        {"1.2.3.4%eth0", netlite::error::not_an_address},
        {"0x7f.0.0.1", netlite::error::not_an_address},
        {std::string("1.2.3.4\0", 8), netlite::error::not_an_address},
        {"1.2.3", netlite::error::not_an_ipv4_address},
        {"256.1.1.1", netlite::error::not_an_ipv4_address},
        {"01.1.1.1", netlite::error::not_an_ipv4_address},
        {"1.2.3.4.", netlite::error::not_an_ipv4_address},
        {"2130706433", netlite::error::not_an_ipv4_address},
        {":::", netlite::error::not_an_ipv6_address},
        {"1:2", netlite::error::not_an_ipv6_address},
        {"[::1]", netlite::error::not_an_ipv6_address},
        {"::1]", netlite::error::not_an_ipv6_address},
        {"1.2.3.4:80", netlite::error::not_an_ipv6_address},
        {"fe80::1%", netlite::error::invalid_zone},
        {"fe80::1%bad zone", netlite::error::invalid_zone},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        CHECK_FALSE(address::parse(r.text));
        std::error_code ec;
        CHECK_FALSE(address::parse(r.text, ec));
        CHECK(ec == r.expected);
        CHECK(ec == std::errc::invalid_argument);
    }
    std::error_code ec = make_error_code(std::errc::io_error);
    CHECK(address::parse("::", ec));
    CHECK_FALSE(ec);
    ec = make_error_code(std::errc::io_error);
    CHECK(address::parse("0.0.0.0", ec));
    CHECK_FALSE(ec);
}

TEST_CASE("address: to_v4 / to_v6 of the wrong family throw family_mismatch") {
    const address v4 = address_v4::loopback();
    const address v6 = address_v6::loopback();
    CHECK(v6.to_v6() == address_v6::loopback());
    CHECK_THROWS_AS(v4.to_v6(), std::system_error);
    CHECK_THROWS_AS(v6.to_v4(), std::system_error);
    try {
        (void)v6.to_v4();
        FAIL("to_v4 did not throw");
    } catch (const std::system_error& e) {
        CHECK(e.code() == netlite::error::family_mismatch);
        CHECK(e.code() == std::errc::address_family_not_supported);
    }
    std::error_code ec;
    CHECK(v6.to_v4(ec) == address_v4::any());
    CHECK(ec == netlite::error::family_mismatch);
    CHECK(v4.to_v6(ec) == address_v6::any());
    CHECK(ec == netlite::error::family_mismatch);
    CHECK(v4.to_v4(ec) == address_v4::loopback());
    CHECK_FALSE(ec);
    CHECK(v6.to_v6(ec) == address_v6::loopback());
    CHECK_FALSE(ec);
}

TEST_CASE("address: every IPv4 address orders before every IPv6 address") {
    std::vector<address> list = {
        *address::parse("::"),        *address::parse("255.255.255.255"),
        *address::parse("fe80::1%b"), *address::parse("0.0.0.0"),
        *address::parse("10.0.0.1"),  *address::parse("::ffff:0.0.0.1"),
        *address::parse("fe80::1%a"), *address::parse("9.0.0.1"),
    };
    std::sort(list.begin(), list.end());
    std::vector<std::string> texts;
    for (const auto& a : list) texts.push_back(a.to_string());
    CHECK(texts == std::vector<std::string>{"0.0.0.0", "9.0.0.1", "10.0.0.1", "255.255.255.255",
                                            "::", "::ffff:0.0.0.1", "fe80::1%a", "fe80::1%b"});
    CHECK(address(address_v4::broadcast()) < address(address_v6::any()));
    CHECK(address(address_v6::any()) > address(address_v4::broadcast()));
    CHECK(address(address_v4::any()) <= address(address_v4::any()));
    CHECK(address(address_v6::any()) >= address(address_v6::any()));
    // Mixed operands convert implicitly.
    CHECK(address(address_v4::loopback()) == address_v4::loopback());
    CHECK(address_v6::loopback() == address(address_v6::loopback()));
    CHECK(address(address_v4::loopback()) != address_v6::loopback());
}

TEST_CASE("address: hashes agree with equality and work in unordered containers") {
    const std::vector<std::string_view> texts = {
        "0.0.0.0",   "127.0.0.1",        "10.0.0.1",     "::",
        "::1",       "fe80::1",          "fe80::1%eth0", "fe80::1%eth1",
        "fe80::1%1", "::ffff:127.0.0.1", "::7f00:1",     "255.255.255.255",
    };
    std::unordered_set<address> set;
    std::unordered_set<address_v6> set6;
    std::unordered_set<address_v4> set4;
    for (const auto t : texts) {
        const auto a = address::parse(t);
        REQUIRE(a);
        CHECK(set.insert(*a).second);
        if (a->is_v6()) CHECK(set6.insert(a->to_v6()).second);
        if (a->is_v4()) CHECK(set4.insert(a->to_v4()).second);
    }
    CHECK(set.size() == texts.size());
    for (const auto t : texts) {
        CAPTURE(t);
        // A differently spelt equal value is found and hashes the same.
        const auto a = address::parse(t);
        const auto again = address::parse(a->to_string());
        REQUIRE(again);
        CHECK(std::hash<address>{}(*a) == std::hash<address>{}(*again));
        CHECK(set.count(*again) == 1);
    }
    CHECK(set.count(*address::parse("0:0:0:0:0:0:0:1")) == 1);
    CHECK(set.count(*address::parse("FE80:0::1%eth0")) == 1);
    CHECK(set.count(*address::parse("fe80::1%eth2")) == 0);
    CHECK(set6.count(*address_v6::parse("0::0")) == 1);
    CHECK(set4.count(address_v4({10, 0, 0, 1})) == 1);
    CHECK(std::hash<address_v4>{}(address_v4({1, 2, 3, 4})) ==
          std::hash<address_v4>{}(*address_v4::parse("1.2.3.4")));
    // The family is part of the hash input: 0.0.0.0 and :: should not collide by design.
    CHECK(std::hash<address>{}(address_v4::any()) != std::hash<address>{}(address_v6::any()));
}

TEST_CASE("address: operator<< writes to_string") {
    std::ostringstream os;
    os << address_v4({1, 2, 3, 4}) << ' ' << *address_v6::parse("fe80::A%x") << ' '
       << address(address_v6::loopback());
    CHECK(os.str() == "1.2.3.4 fe80::a%x ::1");
}

TEST_SUITE_END();
