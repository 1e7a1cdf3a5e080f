// SPDX-License-Identifier: MIT
// Batched UDP over loopback: whole batches in order, truncation per datagram, partial counts,
// and the socket's blocking mode and timeouts. Every socket has a timeout.
#include <netlite/batch.hpp>

#include <netlite/socket.hpp>
#include <netlite/testing.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

using netlite::incoming_datagram;
using netlite::outgoing_datagram;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

static_assert(noexcept(netlite::send_batch(std::declval<netlite::udp_socket&>(),
                                           std::declval<const outgoing_datagram*>(), 0,
                                           std::declval<std::error_code&>())));
static_assert(noexcept(netlite::receive_batch(std::declval<netlite::udp_socket&>(),
                                              std::declval<incoming_datagram*>(), 0,
                                              std::declval<std::error_code&>())));

/// `count` receive slots over one buffer of `size` bytes each.
struct slots {
    std::vector<char> storage;
    std::vector<incoming_datagram> items;
    slots(std::size_t count, std::size_t size) : storage(count * size), items(count) {
        for (std::size_t i = 0; i < count; ++i) items[i].buffer = {&storage[i * size], size};
    }
    std::string text(std::size_t i) const {
        return std::string(reinterpret_cast<const char*>(items[i].buffer.data()), items[i].size);
    }
};

std::string payload(std::size_t i) {
    return "datagram #" + std::to_string(i) + " " + std::string(i % 97, 'x');
}

}  // namespace

TEST_SUITE_BEGIN("batch");

TEST_CASE("batch: N datagrams sent in one call arrive intact and in order in smaller batches") {
    for (const auto family : {netlite::address_family::ipv4, netlite::address_family::ipv6}) {
        CAPTURE(family == netlite::address_family::ipv6);
        netlite::udp_socket sender, receiver;
        for (auto* s : {&sender, &receiver}) {
            s->set_timeout(netlite::testing::default_timeout);
            s->bind(netlite::endpoint(netlite::testing::loopback(family), 0));
        }
        const netlite::endpoint to = receiver.local_endpoint();
        constexpr std::size_t n = 150;  // more than one sendmmsg chunk
        std::vector<std::string> texts;
        std::vector<outgoing_datagram> out;
        for (std::size_t i = 0; i < n; ++i) texts.push_back(payload(i));
        for (const auto& t : texts) out.push_back({t, to});

        CHECK(netlite::send_batch(sender, out) == n);

        slots in(16, 256);
        std::size_t received = 0;
        for (int round = 0; round < 1000 && received < n; ++round) {
            const std::size_t got = netlite::receive_batch(receiver, in.items);
            REQUIRE(got >= 1);
            REQUIRE(got <= in.items.size());
            for (std::size_t i = 0; i < got; ++i) {
                CHECK(in.text(i) == texts[received + i]);
                CHECK_FALSE(in.items[i].truncated);
                CHECK(in.items[i].sender == sender.local_endpoint());
            }
            received += got;
        }
        CHECK(received == n);
    }
}

TEST_CASE("batch: a connected socket sends without a peer and truncation is flagged per slot") {
    auto pair = netlite::testing::make_udp_pair();
    const std::string small = "fits", big(100, 'B'), exact(8, 'E');
    const std::array<outgoing_datagram, 3> out{{{small, {}}, {big, {}}, {exact, {}}}};
    CHECK(netlite::send_batch(pair.first, out) == 3);

    slots in(3, 8);
    std::size_t got = 0;
    for (int round = 0; round < 100 && got < 3; ++round) {
        std::error_code ec;
        got += netlite::receive_batch(pair.second, in.items.data() + got, 3 - got, ec);
        REQUIRE_FALSE(ec);
    }
    REQUIRE(got == 3);
    CHECK(in.text(0) == small);
    CHECK_FALSE(in.items[0].truncated);
    CHECK(in.items[1].size == 8);
    CHECK(in.text(1) == std::string(8, 'B'));
    CHECK(in.items[1].truncated);
    CHECK(in.text(2) == exact);
    CHECK_FALSE(in.items[2].truncated);
    CHECK(in.items[2].sender == pair.first.local_endpoint());
}

TEST_CASE("batch: a non-blocking receive returns what is there, then would_block") {
    auto pair = netlite::testing::make_udp_pair();
    pair.second.set_blocking(false);
    slots in(10, 64);
    std::error_code ec;
    CHECK(netlite::receive_batch(pair.second, in.items, ec) == 0);
    CHECK(ec == std::errc::operation_would_block);

    const std::string a = "one", b = "two", c = "three";
    const outgoing_datagram out[] = {{a, {}}, {b, {}}, {c, {}}};
    REQUIRE(netlite::send_batch(pair.first, out) == 3);
    // Wait for readability before each non-blocking call instead of assuming that loopback
    // has queued all three by now; each call returns what is there without waiting.
    std::size_t got = 0;
    for (int round = 0; round < 100 && got < 3; ++round) {
        netlite::detail::ops::wait(pair.second.native_handle(), false,
                                   netlite::detail::ops::clock::now() + 10s, ec);
        REQUIRE_FALSE(ec);
        const std::size_t n =
            netlite::receive_batch(pair.second, in.items.data() + got, in.items.size() - got, ec);
        CHECK_FALSE(ec);
        CHECK(n >= 1);
        got += n;
    }
    CHECK(got == 3);  // fewer than the 10 slots asked for
    CHECK(in.text(0) == a);
    CHECK(in.text(2) == c);
    CHECK(netlite::receive_batch(pair.second, in.items, ec) == 0);
    CHECK(ec == std::errc::operation_would_block);
}

TEST_CASE("batch: a blocking receive with nothing to read times out") {
    auto pair = netlite::testing::make_udp_pair();
    slots in(4, 64);
    std::error_code ec;
    CHECK(netlite::receive_batch(pair.second, in.items, 30ms, ec) == 0);
    CHECK(ec == std::errc::timed_out);
    pair.second.set_timeout(20ms);
    CHECK(netlite::receive_batch(pair.second, in.items, ec) == 0);
    CHECK(ec == std::errc::timed_out);
    CHECK_THROWS_AS(netlite::receive_batch(pair.second, in.items), std::system_error);
}

TEST_CASE("batch: a batch stops at a datagram the OS refuses and reports only a leading error") {
    auto pair = netlite::testing::make_udp_pair();
    const std::string ok1 = "first", ok2 = "second";
    const std::string huge(70000, 'H');  // over the 65507-byte UDP limit: EMSGSIZE
    const std::vector<outgoing_datagram> out{{ok1, {}}, {ok2, {}}, {huge, {}}, {ok1, {}}};
    std::error_code ec;
    CHECK(netlite::send_batch(pair.first, out, ec) == 2);
    CHECK_FALSE(ec);
    CHECK(netlite::send_batch(pair.first, out.data() + 2, 2, ec) == 0);
    CHECK(ec == std::errc::message_size);
    CHECK_THROWS_AS(netlite::send_batch(pair.first, out.data() + 2, 2), std::system_error);

    slots in(8, 64);
    std::size_t got = 0;
    for (int round = 0; round < 100 && got < 2; ++round)
        got += netlite::receive_batch(pair.second, in.items.data() + got, 8 - got);
    CHECK(got == 2);
    CHECK(in.text(0) == ok1);
    CHECK(in.text(1) == ok2);
}

TEST_CASE("batch: bad calls report errors and empty batches do nothing") {
    netlite::udp_socket closed;
    slots in(2, 16);
    const outgoing_datagram out[] = {{"x", netlite::endpoint(netlite::address_v4::loopback(), 9)}};
    std::error_code ec;
    CHECK(netlite::send_batch(closed, out, ec) == 0);
    CHECK(ec == std::errc::bad_file_descriptor);
    CHECK(netlite::receive_batch(closed, in.items, ec) == 0);
    CHECK(ec == std::errc::bad_file_descriptor);

    auto pair = netlite::testing::make_udp_pair();
    CHECK(netlite::send_batch(pair.first, out, 0, ec) == 0);
    CHECK_FALSE(ec);
    CHECK(netlite::receive_batch(pair.second, in.items.data(), 0, ec) == 0);
    CHECK_FALSE(ec);

    netlite::udp_socket unconnected(netlite::endpoint(netlite::address_v4::loopback(), 0));
    unconnected.set_timeout(netlite::testing::default_timeout);
    const outgoing_datagram nowhere[] = {{"x", {}}};  // no peer and no connected peer
    CHECK(netlite::send_batch(unconnected, nowhere, ec) == 0);
    CHECK(ec == std::errc::destination_address_required);
}

TEST_SUITE_END();
