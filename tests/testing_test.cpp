// SPDX-License-Identifier: MIT
// The loopback fixtures in testing.hpp: loopback_listener, make_tcp_pair, make_udp_pair. They
// must give connected, timed sockets on 127.0.0.1 / ::1 that carry data both ways.
#include <netlite/testing.hpp>

#include <doctest/doctest.h>

#if defined(_WIN32)  // Windows port: handles are counted with GetProcessHandleCount
#include "winsock_test_helpers.hpp"
#endif

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

namespace {

using netlite::address_family;
using netlite::milliseconds;
using netlite::testing::default_timeout;

#if defined(_WIN32)
using winsock_test::open_descriptor_count;
#else
std::size_t open_descriptor_count() {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)entry;
        ++n;
    }
    return n;
}
#endif

}  // namespace

TEST_SUITE_BEGIN("testing");

TEST_CASE("testing: loopback() is 127.0.0.1 or ::1") {
    CHECK(netlite::testing::loopback().to_string() == "127.0.0.1");
    CHECK(netlite::testing::loopback(address_family::ipv4).to_string() == "127.0.0.1");
    CHECK(netlite::testing::loopback(address_family::ipv6).to_string() == "::1");
}

TEST_CASE("testing: default_timeout is finite and positive") {
    CHECK(default_timeout > milliseconds(0));
    CHECK(default_timeout <= milliseconds(60000));
}

TEST_CASE("testing: loopback_listener listens on a loopback port the OS picked") {
    for (const address_family family : {address_family::ipv4, address_family::ipv6}) {
        CAPTURE(family == address_family::ipv6);
        netlite::testing::loopback_listener l(family);
        CHECK(l.port() != 0);
        CHECK(l.local_endpoint().port() == l.port());
        CHECK(l.local_endpoint().address() == netlite::testing::loopback(family));
        CHECK(l.local_endpoint() == l.listener().local_endpoint());
        CHECK(l.listener().timeout() == default_timeout);

        netlite::tcp_stream client;
        client.set_timeout(default_timeout);
        client.connect(l.local_endpoint());
        netlite::tcp_stream server = l.accept();
        CHECK(server.is_open());
        CHECK(server.timeout() == default_timeout);
        CHECK(server.peer_endpoint() == client.local_endpoint());
    }
}

TEST_CASE("testing: two loopback_listeners get different ports") {
    netlite::testing::loopback_listener a;
    netlite::testing::loopback_listener b;
    CHECK(a.port() != b.port());
}

TEST_CASE("testing: loopback_listener::accept throws timed_out when nobody connects") {
    netlite::testing::loopback_listener l(address_family::ipv4, milliseconds(50));
    CHECK(l.listener().timeout() == milliseconds(50));
    try {
        l.accept();
        FAIL("accept did not throw");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::timed_out);
    }
}

TEST_CASE("testing: make_tcp_pair gives connected streams that exchange data both ways") {
    for (const address_family family : {address_family::ipv4, address_family::ipv6}) {
        CAPTURE(family == address_family::ipv6);
        netlite::testing::tcp_pair p = netlite::testing::make_tcp_pair(family);
        REQUIRE(p.client.is_open());
        REQUIRE(p.server.is_open());
        CHECK(p.client.family() == family);
        CHECK(p.client.timeout() == default_timeout);
        CHECK(p.server.timeout() == default_timeout);
        CHECK(p.client.is_blocking());
        CHECK(p.server.is_blocking());
        CHECK(p.client.peer_endpoint() == p.server.local_endpoint());
        CHECK(p.server.peer_endpoint() == p.client.local_endpoint());
        CHECK(p.client.peer_endpoint().address() == netlite::testing::loopback(family));

        CHECK(p.client.send_all("ping") == 4);
        char buf[4];
        CHECK(p.server.receive_exact(buf) == 4);
        CHECK(std::string(buf, 4) == "ping");
        CHECK(p.server.send_all("pong") == 4);
        CHECK(p.client.receive_exact(buf) == 4);
        CHECK(std::string(buf, 4) == "pong");
    }
}

TEST_CASE("testing: make_tcp_pair applies a custom timeout to both ends") {
    netlite::testing::tcp_pair p =
        netlite::testing::make_tcp_pair(address_family::ipv4, milliseconds(40));
    CHECK(p.client.timeout() == milliseconds(40));
    CHECK(p.server.timeout() == milliseconds(40));
    char buf[1];
    std::error_code ec;
    p.server.receive(buf, ec);  // nothing sent: the fixture's timeout ends the wait
    CHECK(ec == std::errc::timed_out);
    p.client.receive(buf, ec);
    CHECK(ec == std::errc::timed_out);
}

TEST_CASE("testing: make_udp_pair gives two sockets connected to each other") {
    for (const address_family family : {address_family::ipv4, address_family::ipv6}) {
        CAPTURE(family == address_family::ipv6);
        netlite::testing::udp_pair p = netlite::testing::make_udp_pair(family);
        REQUIRE(p.first.is_open());
        REQUIRE(p.second.is_open());
        CHECK(p.first.family() == family);
        CHECK(p.first.timeout() == default_timeout);
        CHECK(p.second.timeout() == default_timeout);
        CHECK(p.first.peer_endpoint() == p.second.local_endpoint());
        CHECK(p.second.peer_endpoint() == p.first.local_endpoint());
        CHECK(p.first.local_endpoint().address() == netlite::testing::loopback(family));

        CHECK(p.first.send("one") == 3);
        char buf[8];
        CHECK(p.second.receive(buf) == 3);
        CHECK(std::string(buf, 3) == "one");
        CHECK(p.second.send("two") == 3);
        netlite::endpoint sender;
        CHECK(p.first.receive_from(buf, sender) == 3);
        CHECK(std::string(buf, 3) == "two");
        CHECK(sender == p.second.local_endpoint());
    }
}

TEST_CASE("testing: make_udp_pair applies a custom timeout") {
    netlite::testing::udp_pair p =
        netlite::testing::make_udp_pair(address_family::ipv4, milliseconds(30));
    CHECK(p.first.timeout() == milliseconds(30));
    CHECK(p.second.timeout() == milliseconds(30));
    char buf[1];
    std::error_code ec;
    p.first.receive(buf, ec);
    CHECK(ec == std::errc::timed_out);
}

TEST_CASE("testing: 200 fixture pairs leave the descriptor count unchanged") {
    const std::size_t before = open_descriptor_count();
    for (int i = 0; i < 200; ++i) {
        netlite::testing::tcp_pair t = netlite::testing::make_tcp_pair();
        netlite::testing::udp_pair u = netlite::testing::make_udp_pair();
        REQUIRE(t.server.is_open());
        REQUIRE(u.second.is_open());
    }
    CHECK(open_descriptor_count() == before);
}

TEST_SUITE_END();
