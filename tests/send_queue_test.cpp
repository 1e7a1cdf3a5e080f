// SPDX-License-Identifier: MIT
#include <netlite/send_queue.hpp>

#include <doctest/doctest.h>

#include <netlite/selector.hpp>
#include <netlite/testing.hpp>

#include <cstddef>
#include <cstdint>
#include <ostream>  // doctest prints std::error_code through it
#include <string>
#include <system_error>
#include <type_traits>

static_assert(std::is_nothrow_move_constructible_v<netlite::send_queue>);

namespace {

// Bytes whose value depends on their position, so a lost, doubled or reordered byte shows.
std::string pattern(std::size_t from, std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = static_cast<char>(static_cast<std::uint8_t>((from + i) * 131u % 251u));
    return s;
}

std::string text_of(const netlite::send_queue& q) {
    return {reinterpret_cast<const char*>(q.data().data()), q.data().size()};
}

// The selector loop of a server in miniature: until `expected` bytes have arrived at the
// client, flush `q` on the server whenever it is writable and read whenever the client is
// readable. Each wait is bounded (10 s), so a stall fails instead of hanging.
std::string drain(netlite::testing::tcp_pair& p, netlite::send_queue& q, std::size_t expected) {
    netlite::selector sel(netlite::selector_backend::poll);
    sel.add(p.client, netlite::events::read, nullptr);
    sel.add(p.server, netlite::events::write, nullptr);
    std::string received;
    char chunk[65536];
    std::error_code ec;
    while (received.size() < expected) {
        const auto ready = sel.select(netlite::milliseconds(10000));
        REQUIRE_FALSE(ready.empty());
        for (const auto& ev : ready) {
            if (ev.handle == p.server.native_handle()) {
                if (q.flush(p.server, ec)) sel.remove(p.server);
                REQUIRE_FALSE(ec);
            } else {
                const std::size_t n = p.client.receive(chunk, ec);
                REQUIRE_FALSE(ec);
                REQUIRE(n > 0);
                received.append(chunk, n);
            }
        }
    }
    return received;
}

}  // namespace

TEST_SUITE_BEGIN("send_queue");

TEST_CASE("send_queue: append, data, consume and clear keep the bytes in order") {
    netlite::send_queue q;
    CHECK(q.empty());
    CHECK(q.size() == 0);
    q.append("hello ");
    q.append("world");
    q.append(netlite::const_buffer());  // nothing
    CHECK(q.size() == 11);
    CHECK(text_of(q) == "hello world");
    q.consume(6);
    CHECK(text_of(q) == "world");
    q.consume(100);  // more than is queued: just empties it
    CHECK(q.empty());
    q.append("again");
    CHECK(q.size() == 5);
    q.clear();
    CHECK(q.empty());
}

TEST_CASE("send_queue: flush sends what the socket takes and never waits for a slow reader") {
    netlite::testing::tcp_pair p = netlite::testing::make_tcp_pair();
    p.server.set_send_buffer_size(16384);
    p.server.set_blocking(false);

    // 2 MiB queued at once: more than the socket buffers on both sides can hold.
    const std::size_t total = std::size_t{2} << 20;
    netlite::send_queue q;
    q.append(pattern(0, total));
    std::error_code ec;
    CHECK_FALSE(q.flush(p.server, ec));  // the reader has not read: only part went out
    CHECK_FALSE(ec);
    CHECK(q.size() < total);
    CHECK(q.size() > 0);
    CHECK_FALSE(q.flush(p.server, ec));  // a full socket is no error
    CHECK_FALSE(ec);

    // Read everything on the other side, flushing whenever the writer has room again.
    const std::string received = drain(p, q, total);
    CHECK(q.empty());
    CHECK(received.size() == total);
    CHECK(received == pattern(0, total));
}

TEST_CASE("send_queue: appends while a flush is partial keep their place behind older bytes") {
    netlite::testing::tcp_pair p = netlite::testing::make_tcp_pair();
    p.server.set_send_buffer_size(16384);
    p.server.set_blocking(false);

    netlite::send_queue q;
    std::size_t appended = 0, read = 0;
    std::string received;
    char chunk[8192];
    std::error_code ec;
    for (int round = 0; round < 200; ++round) {
        const std::size_t size = 1000 + static_cast<std::size_t>(round) * 997 % 30000;
        q.append(pattern(appended, size));
        appended += size;
        q.flush(p.server, ec);
        REQUIRE_FALSE(ec);
        if (round % 3 == 0 && p.client.available() > 0) {  // the reader lags behind
            const std::size_t n = p.client.receive(chunk, ec);
            REQUIRE_FALSE(ec);
            received.append(chunk, n);
            read += n;
        }
    }
    received += drain(p, q, appended - read);
    CHECK(q.empty());
    CHECK(received == pattern(0, appended));
}

TEST_CASE("send_queue: a failed send reports the error and keeps the unsent bytes") {
    netlite::testing::tcp_pair p = netlite::testing::make_tcp_pair();
    p.server.shutdown(netlite::shutdown_type::send);  // sending after this is broken_pipe
    netlite::send_queue q;
    q.append("never sent");
    std::error_code ec;
    CHECK_FALSE(q.flush(p.server, ec));
    CHECK(ec == std::errc::broken_pipe);
    CHECK(q.size() == 10);

    netlite::tcp_stream closed;
    CHECK_FALSE(q.flush(closed, ec));
    CHECK(ec == std::errc::bad_file_descriptor);
    CHECK(q.size() == 10);
}

TEST_SUITE_END();
