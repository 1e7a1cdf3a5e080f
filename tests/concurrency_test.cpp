// SPDX-License-Identifier: MIT
//
// Concurrency tests, aimed at ThreadSanitizer (the `tsan` preset) but run by every
// configuration. DESIGN.md: distinct objects are safe; one thread may send while another
// receives on the same socket; a selector's wakeup() may be called from any thread. Threads
// record what happened and the main thread checks it after join (no assertions off the main
// thread); every socket call and every wait has a timeout.
#include <netlite/socket.hpp>

#include <netlite/selector.hpp>
#include <netlite/testing.hpp>

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

TEST_SUITE_BEGIN("concurrency");

namespace {

using clock_type = std::chrono::steady_clock;
constexpr netlite::milliseconds io_timeout{10000};

/// A reproducible byte source (splitmix64), so the receiver can regenerate what was sent.
class byte_source {
  public:
    explicit byte_source(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next64() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    void fill(std::uint8_t* out, std::size_t n) noexcept {
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(next64() >> 56);
    }

  private:
    std::uint64_t state_;
};

/// FNV-1a, 64 bits.
struct checksum {
    std::uint64_t value = 0xCBF29CE484222325ull;
    void update(const std::uint8_t* data, std::size_t n) noexcept {
        for (std::size_t i = 0; i < n; ++i) {
            value ^= data[i];
            value *= 0x100000001B3ull;
        }
    }
};

/// What one thread saw; checked by the main thread after join.
struct transfer_result {
    std::uint64_t bytes = 0;
    std::uint64_t sum = 0;
    std::uint64_t mismatches = 0;  // received bytes that differ from what was sent
    std::string error;             // an exception's what(), empty if none
};

/// Sends `total` bytes of stream `seed` in pieces of 1-64 KiB, then shuts down sending.
void send_stream(netlite::tcp_stream& s, std::uint64_t seed, std::size_t total,
                 transfer_result& out) {
    try {
        std::vector<std::uint8_t> piece(64 * 1024);
        byte_source data(seed);
        byte_source sizes(~seed);
        checksum sum;
        std::size_t sent = 0;
        while (sent < total) {
            std::size_t n = 1 + static_cast<std::size_t>(sizes.next64() % piece.size());
            if (n > total - sent) n = total - sent;
            data.fill(piece.data(), n);
            sum.update(piece.data(), n);
            sent += s.send_all(netlite::const_buffer(piece.data(), n), io_timeout);
        }
        s.shutdown(netlite::shutdown_type::send);
        out.bytes = sent;
        out.sum = sum.value;
    } catch (const std::exception& e) {
        out.error = e.what();
    }
}

/// Receives until end of stream (at most `limit` bytes), comparing with stream `seed`.
void receive_stream(netlite::tcp_stream& s, std::uint64_t seed, std::size_t limit,
                    transfer_result& out) {
    try {
        std::vector<std::uint8_t> piece(48 * 1024);
        std::vector<std::uint8_t> expected(piece.size());
        byte_source data(seed);
        byte_source sizes(seed * 3 + 1);
        checksum sum;
        while (out.bytes <= limit) {
            const std::size_t want = 1 + static_cast<std::size_t>(sizes.next64() % piece.size());
            const std::size_t n =
                s.receive(netlite::mutable_buffer(piece.data(), want), io_timeout);
            if (n == 0) break;
            data.fill(expected.data(), n);
            for (std::size_t i = 0; i < n; ++i) out.mismatches += piece[i] != expected[i];
            sum.update(piece.data(), n);
            out.bytes += n;
        }
        out.sum = sum.value;
    } catch (const std::exception& e) {
        out.error = e.what();
    }
}

// ---- UDP: datagrams with a sequence number, a length and a checksum ----

constexpr std::size_t datagram_header = 8 + 2;  // sequence, payload length
constexpr std::size_t datagram_max_payload = 1400;

/// Flow control between a sender and the receiver on the other socket, so that loopback never
/// drops a datagram for want of buffer space: at most `window` datagrams in flight.
struct window {
    static constexpr std::uint64_t size = 32;
    std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t received = 0;
    bool receiver_failed = false;
};

void put64(std::uint8_t* p, std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Datagram `seq`: header, payload of 0-1400 bytes from stream `seed ^ seq`, FNV-1a of both.
std::size_t make_datagram(std::uint64_t seed, std::uint64_t seq, std::uint8_t* out) noexcept {
    byte_source source(seed ^ (seq * 0x9E3779B97F4A7C15ull));
    const std::size_t length = static_cast<std::size_t>(source.next64() % datagram_max_payload);
    put64(out, seq);
    out[8] = static_cast<std::uint8_t>(length & 0xFF);
    out[9] = static_cast<std::uint8_t>(length >> 8);
    source.fill(out + datagram_header, length);
    checksum sum;
    sum.update(out, datagram_header + length);
    put64(out + datagram_header + length, sum.value);
    return datagram_header + length + 8;
}

void send_datagrams(netlite::udp_socket& s, std::uint64_t seed, std::uint64_t count, window& w,
                    transfer_result& out) {
    try {
        std::array<std::uint8_t, datagram_header + datagram_max_payload + 8> datagram{};
        for (std::uint64_t seq = 0; seq < count; ++seq) {
            {
                std::unique_lock<std::mutex> lock(w.mutex);
                const bool room = w.changed.wait_until(lock, clock_type::now() + io_timeout, [&] {
                    return w.receiver_failed || seq - w.received < window::size;
                });
                if (!room || w.receiver_failed) {
                    out.error = room ? "receiver failed" : "window wait timed out";
                    return;
                }
            }
            const std::size_t n = make_datagram(seed, seq, datagram.data());
            s.send(netlite::const_buffer(datagram.data(), n), io_timeout);
            out.bytes += n;
        }
    } catch (const std::exception& e) {
        out.error = e.what();
    }
}

void receive_datagrams(netlite::udp_socket& s, std::uint64_t seed, std::uint64_t count, window& w,
                       transfer_result& out) {
    try {
        std::array<std::uint8_t, 2048> buffer{};
        std::array<std::uint8_t, datagram_header + datagram_max_payload + 8> expected{};
        for (std::uint64_t seq = 0; seq < count; ++seq) {
            const std::size_t n = s.receive(netlite::mutable_buffer(buffer), io_timeout);
            // In order and intact: loopback neither reorders nor (with the window) drops.
            const std::size_t expected_size = make_datagram(seed, seq, expected.data());
            if (n != expected_size || std::memcmp(buffer.data(), expected.data(), n) != 0) {
                ++out.mismatches;
            }
            out.bytes += n;
            const std::lock_guard<std::mutex> lock(w.mutex);
            ++w.received;
            w.changed.notify_all();
        }
    } catch (const std::exception& e) {
        out.error = e.what();
        const std::lock_guard<std::mutex> lock(w.mutex);
        w.receiver_failed = true;
        w.changed.notify_all();
    }
}

std::vector<netlite::selector_backend> available_backends() {
    std::vector<netlite::selector_backend> out;
    for (const auto b : {netlite::selector_backend::select, netlite::selector_backend::poll,
                         netlite::selector_backend::epoll, netlite::selector_backend::kqueue}) {
        if (netlite::selector::is_available(b)) out.push_back(b);
    }
    return out;
}

}  // namespace

TEST_CASE("tcp_stream: one thread sends while another receives on the same socket, both ends") {
    constexpr std::size_t total = 4 * 1024 * 1024;
    auto pair = netlite::testing::make_tcp_pair(netlite::address_family::ipv4, io_timeout);
    transfer_result client_sent, client_received, server_sent, server_received;
    {
        std::thread a(send_stream, std::ref(pair.client), std::uint64_t{1}, total,
                      std::ref(client_sent));
        std::thread b(receive_stream, std::ref(pair.client), std::uint64_t{2}, total,
                      std::ref(client_received));
        std::thread c(send_stream, std::ref(pair.server), std::uint64_t{2}, total,
                      std::ref(server_sent));
        std::thread d(receive_stream, std::ref(pair.server), std::uint64_t{1}, total,
                      std::ref(server_received));
        a.join();
        b.join();
        c.join();
        d.join();
    }
    for (const transfer_result* r :
         {&client_sent, &client_received, &server_sent, &server_received}) {
        CHECK(r->error == "");
    }
    CHECK(client_sent.bytes == total);
    CHECK(server_sent.bytes == total);
    CHECK(server_received.bytes == total);
    CHECK(client_received.bytes == total);
    CHECK(server_received.mismatches == 0);
    CHECK(client_received.mismatches == 0);
    CHECK(server_received.sum == client_sent.sum);
    CHECK(client_received.sum == server_sent.sum);
}

TEST_CASE("udp_socket: one thread sends while another receives on the same socket, both ends") {
    constexpr std::uint64_t count = 4000;
    auto pair = netlite::testing::make_udp_pair(netlite::address_family::ipv4, io_timeout);
    window to_second, to_first;
    transfer_result first_sent, first_received, second_sent, second_received;
    {
        std::thread a(send_datagrams, std::ref(pair.first), std::uint64_t{11}, count,
                      std::ref(to_second), std::ref(first_sent));
        std::thread b(receive_datagrams, std::ref(pair.first), std::uint64_t{22}, count,
                      std::ref(to_first), std::ref(first_received));
        std::thread c(send_datagrams, std::ref(pair.second), std::uint64_t{22}, count,
                      std::ref(to_first), std::ref(second_sent));
        std::thread d(receive_datagrams, std::ref(pair.second), std::uint64_t{11}, count,
                      std::ref(to_second), std::ref(second_received));
        a.join();
        b.join();
        c.join();
        d.join();
    }
    for (const transfer_result* r :
         {&first_sent, &first_received, &second_sent, &second_received}) {
        CHECK(r->error == "");
    }
    CHECK(first_received.mismatches == 0);
    CHECK(second_received.mismatches == 0);
    CHECK(second_received.bytes == first_sent.bytes);
    CHECK(first_received.bytes == second_sent.bytes);
    CHECK(first_sent.bytes > count * datagram_header);
}

TEST_CASE("selector: wakeup from another thread ends each select, then data from it is seen") {
    for (const auto backend : available_backends()) {
        CAPTURE(std::string(netlite::to_string(backend)));
        constexpr int rounds = 100;
        auto pair = netlite::testing::make_tcp_pair(netlite::address_family::ipv4, io_timeout);
        netlite::basic_selector<int> selector(backend);
        selector.add(pair.server, netlite::events::read, 7);

        std::mutex mutex;
        std::condition_variable changed;
        int round = -1;  // the round the main thread is in; rounds + 1: send data
        std::string waker_error;
        std::thread waker([&] {
            try {
                for (int i = 0; i <= rounds; ++i) {
                    std::unique_lock<std::mutex> lock(mutex);
                    if (!changed.wait_until(lock, clock_type::now() + io_timeout,
                                            [&] { return round >= i; })) {
                        waker_error = "timed out waiting for round " + std::to_string(i);
                        return;
                    }
                    lock.unlock();
                    if (i < rounds) {
                        selector.wakeup();
                    } else {
                        pair.client.send_all(netlite::const_buffer("x", 1), io_timeout);
                    }
                }
            } catch (const std::exception& e) {
                waker_error = e.what();
            }
        });

        int woken = 0;
        int slow = 0;
        for (int i = 0; i < rounds; ++i) {
            {
                const std::lock_guard<std::mutex> lock(mutex);
                round = i;
            }
            changed.notify_all();
            const auto start = clock_type::now();
            const auto ready = selector.select(io_timeout);
            woken += ready.empty() ? 1 : 0;
            // A lost wake-up would only end at the timeout.
            slow += clock_type::now() - start > io_timeout / 2 ? 1 : 0;
        }
        {
            const std::lock_guard<std::mutex> lock(mutex);
            round = rounds;
        }
        changed.notify_all();
        const auto ready = selector.select(io_timeout);
        waker.join();

        CHECK(waker_error == "");
        CHECK(woken == rounds);
        CHECK(slow == 0);
        REQUIRE(ready.size() == 1);
        CHECK(ready[0].handle == pair.server.native_handle());
        CHECK(netlite::any(ready[0].ready & netlite::events::read));
        CHECK(ready[0].data == 7);
    }
}

TEST_CASE("selector: wakeups from several threads at once while select runs in a loop") {
    for (const auto backend : available_backends()) {
        CAPTURE(std::string(netlite::to_string(backend)));
        constexpr int threads = 3;
        constexpr int wakeups_per_thread = 2000;
        netlite::selector selector(backend);
        std::mutex mutex;
        std::condition_variable started;
        bool go = false;
        std::atomic<int> finished{0};
        std::atomic<int> gate_timeouts{0};
        std::vector<std::thread> wakers;
        for (int t = 0; t < threads; ++t) {
            wakers.emplace_back([&] {
                {
                    // Start together with the select loop, so that the calls overlap.
                    std::unique_lock<std::mutex> lock(mutex);
                    if (!started.wait_until(lock, clock_type::now() + io_timeout,
                                            [&] { return go; })) {
                        gate_timeouts.fetch_add(1);
                    }
                }
                for (int i = 0; i < wakeups_per_thread; ++i) selector.wakeup();
                finished.fetch_add(1);
                selector.wakeup();  // after `finished`, so that the loop below sees it
            });
        }
        {
            const std::lock_guard<std::mutex> lock(mutex);
            go = true;
        }
        started.notify_all();
        int selects = 0;
        int not_empty = 0;
        int slow = 0;
        // Every select ends at once (a wake-up is pending or comes); wake-ups coalesce, so
        // there are at most as many selects as wakeup() calls.
        do {
            const auto start = clock_type::now();
            not_empty += selector.select(io_timeout).empty() ? 0 : 1;
            slow += clock_type::now() - start > io_timeout / 2 ? 1 : 0;
            ++selects;
        } while (finished.load() < threads && selects <= threads * (wakeups_per_thread + 1));
        for (auto& w : wakers) w.join();
        CHECK(gate_timeouts.load() == 0);
        CHECK(finished.load() == threads);
        CHECK(not_empty == 0);
        CHECK(slow == 0);
    }
}

TEST_SUITE_END();
