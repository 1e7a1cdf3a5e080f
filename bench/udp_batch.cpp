// SPDX-License-Identifier: MIT
//
// udp_batch: datagrams/s through loopback with one datagram per syscall versus batches
// (sendmmsg / recvmmsg). One thread, two UDP sockets on 127.0.0.1: each step sends BATCH
// datagrams from one socket and then receives them on the other, so the figure is the cost of
// moving a datagram through the kernel and back out, per syscall style. Methods run in turns
// (A B C A B C ...) and the median of the rounds counts. Prints one key=value line.
//
// Try: udp_batch --seconds 0.5 --rounds 3 --batch 32 --size 64
#include <netlite/socket.hpp>
#if __has_include(<netlite/batch.hpp>)
#include <netlite/batch.hpp>
#define NETLITE_BENCH_HAS_BATCH 1
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/socket.h>
#endif

namespace {

using bench_clock = std::chrono::steady_clock;

struct settings {
    double seconds = 0.5;
    int rounds = 3;
    int batch = 32;
    std::size_t size = 64;
    long long max_count = 50'000'000;  // per round and method
};

struct pair_of_sockets {
    netlite::udp_socket sender;
    netlite::udp_socket receiver;
};

pair_of_sockets make_pair() {
    const auto local = *netlite::endpoint::parse("127.0.0.1:0");
    pair_of_sockets p{netlite::udp_socket(local), netlite::udp_socket(local)};
    p.receiver.as_socket().set_receive_buffer_size(4 << 20);
    p.receiver.set_blocking(false);  // a lost datagram is counted, never waited for
    p.sender.connect(p.receiver.local_endpoint());
    p.receiver.connect(p.sender.local_endpoint());
    return p;
}

// A method is a pair of phases: send `batch` datagrams, then receive what arrived.
using phase_function = std::function<long(pair_of_sockets&)>;

struct method {
    std::string name;
    phase_function send_phase;
    phase_function receive_phase;       // returns how many datagrams arrived
    std::vector<double> rates;          // datagrams/s per round, both phases
    std::vector<double> send_rates;     // datagrams/s of the send phase alone
    std::vector<double> receive_rates;  // datagrams/s of the receive phase alone
    long long lost = 0;
};

double seconds_between(bench_clock::time_point a, bench_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

void run_round(method& m, pair_of_sockets& p, const settings& s) {
    long long moved = 0, attempted = 0;
    double sending = 0, receiving = 0;
    const auto start = bench_clock::now();
    const auto end = start + std::chrono::duration_cast<bench_clock::duration>(
                                 std::chrono::duration<double>(s.seconds));
    auto now = start;
    while (now < end && moved < s.max_count) {
        const auto t0 = bench_clock::now();
        attempted += m.send_phase(p);
        const auto t1 = bench_clock::now();
        moved += m.receive_phase(p);
        now = bench_clock::now();
        sending += seconds_between(t0, t1);
        receiving += seconds_between(t1, now);
    }
    m.lost += attempted - moved;
    const auto count = static_cast<double>(moved);
    m.rates.push_back(count / seconds_between(start, now));
    m.send_rates.push_back(sending > 0 ? count / sending : 0);
    m.receive_rates.push_back(receiving > 0 ? count / receiving : 0);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int usage(const char* argv0, int code) {
    std::fprintf(code == 0 ? stdout : stderr,
                 "usage: %s [--seconds S] [--rounds N] [--batch N] [--size BYTES]\n", argv0);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help") return usage(argv[0], 0);
        if (i + 1 >= argc) return usage(argv[0], 2);
        const char* v = argv[++i];
        if (arg == "--seconds")
            s.seconds = std::atof(v);
        else if (arg == "--rounds")
            s.rounds = std::atoi(v);
        else if (arg == "--batch")
            s.batch = std::atoi(v);
        else if (arg == "--size")
            s.size = static_cast<std::size_t>(std::atol(v));
        else
            return usage(argv[0], 2);
    }
    if (!(s.seconds > 0 && s.seconds <= 60) || s.rounds < 1 || s.rounds > 99 || s.batch < 1 ||
        s.batch > 1024 || s.size < 1 || s.size > 1400)
        return usage(argv[0], 2);

    pair_of_sockets p = make_pair();
    const auto batch = static_cast<std::size_t>(s.batch);
    std::vector<char> out(s.size, 'b');
    std::vector<char> in(s.size * batch);

    std::vector<method> methods;
    const auto add = [&methods](std::string name, phase_function tx, phase_function rx) {
        method m;
        m.name = std::move(name);
        m.send_phase = std::move(tx);
        m.receive_phase = std::move(rx);
        methods.push_back(std::move(m));
    };
    // The plain loop: send() then recv() per datagram, straight to the OS.
    add(
        "single_raw",
        [&](pair_of_sockets& q) {
            long sent = 0;
            for (std::size_t i = 0; i < batch; ++i)
                if (::send(q.sender.native_handle(), out.data(), out.size(), 0) > 0) ++sent;
            return sent;
        },
        [&](pair_of_sockets& q) {
            long got = 0;
            for (std::size_t i = 0; i < batch; ++i)
                if (::recv(q.receiver.native_handle(), in.data(), s.size, MSG_DONTWAIT) > 0) ++got;
            return got;
        });
    // The same loop through netlite's udp_socket::send / receive.
    add(
        "single_netlite",
        [&](pair_of_sockets& q) {
            std::error_code ec;
            long sent = 0;
            for (std::size_t i = 0; i < batch; ++i) {
                q.sender.send(netlite::const_buffer(out.data(), out.size()), ec);
                if (!ec) ++sent;
            }
            return sent;
        },
        [&](pair_of_sockets& q) {
            std::error_code ec;
            long got = 0;
            for (std::size_t i = 0; i < batch; ++i) {
                q.receiver.receive(netlite::mutable_buffer(in.data(), s.size), ec);
                if (!ec) ++got;
            }
            return got;
        });
#if defined(__linux__)
    // One sendmmsg and one recvmmsg per step.
    std::vector<mmsghdr> send_msgs(batch), recv_msgs(batch);
    std::vector<iovec> send_iov(batch), recv_iov(batch);
    for (std::size_t i = 0; i < batch; ++i) {
        send_iov[i] = {out.data(), out.size()};
        send_msgs[i] = {};
        send_msgs[i].msg_hdr.msg_iov = &send_iov[i];
        send_msgs[i].msg_hdr.msg_iovlen = 1;
        recv_iov[i] = {in.data() + i * s.size, s.size};
        recv_msgs[i] = {};
        recv_msgs[i].msg_hdr.msg_iov = &recv_iov[i];
        recv_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const auto n = static_cast<unsigned>(batch);
    add(
        "batch_raw",
        [&](pair_of_sockets& q) {
            const int sent = ::sendmmsg(q.sender.native_handle(), send_msgs.data(), n, 0);
            return sent > 0 ? static_cast<long>(sent) : 0L;
        },
        [&](pair_of_sockets& q) {
            const int got =
                ::recvmmsg(q.receiver.native_handle(), recv_msgs.data(), n, MSG_DONTWAIT, nullptr);
            return got > 0 ? static_cast<long>(got) : 0L;
        });
#endif

#if defined(NETLITE_BENCH_HAS_BATCH)
    // netlite's batch API: send_batch / receive_batch over the same sockets.
    std::vector<netlite::outgoing_datagram> outgoing(batch);
    std::vector<netlite::incoming_datagram> incoming(batch);
    for (std::size_t i = 0; i < batch; ++i) {
        outgoing[i].data = netlite::const_buffer(out.data(), out.size());
        incoming[i].buffer = netlite::mutable_buffer(in.data() + i * s.size, s.size);
    }
    add(
        "batch_netlite",
        [&](pair_of_sockets& q) {
            std::error_code ec;
            return static_cast<long>(netlite::send_batch(q.sender, outgoing, ec));
        },
        [&](pair_of_sockets& q) {
            std::error_code ec;
            return static_cast<long>(netlite::receive_batch(q.receiver, incoming, ec));
        });
#endif

    for (int r = 0; r < s.rounds; ++r)
        for (auto& m : methods) run_round(m, p, s);

    std::printf("mode=udp_batch batch=%d size=%zu rounds=%d seconds=%.2f", s.batch, s.size,
                s.rounds, s.seconds);
    const method* single = nullptr;
    const method* batched = nullptr;
    const method* single_nl = nullptr;
    const method* batched_nl = nullptr;
    for (const auto& m : methods) {
        std::printf(" %s_per_s=%.0f %s_send_per_s=%.0f %s_receive_per_s=%.0f %s_lost=%lld",
                    m.name.c_str(), median(m.rates), m.name.c_str(), median(m.send_rates),
                    m.name.c_str(), median(m.receive_rates), m.name.c_str(), m.lost);
        if (m.name == "single_raw") single = &m;
        if (m.name == "batch_raw") batched = &m;
        if (m.name == "single_netlite") single_nl = &m;
        if (m.name == "batch_netlite") batched_nl = &m;
    }
    if (single && batched) {
        std::printf(" ratio=%.2f send_ratio=%.2f receive_ratio=%.2f",
                    median(batched->rates) / median(single->rates),
                    median(batched->send_rates) / median(single->send_rates),
                    median(batched->receive_rates) / median(single->receive_rates));
    }
    if (single_nl && batched_nl) {
        std::printf(" ratio_netlite=%.2f send_ratio_netlite=%.2f receive_ratio_netlite=%.2f",
                    median(batched_nl->rates) / median(single_nl->rates),
                    median(batched_nl->send_rates) / median(single_nl->send_rates),
                    median(batched_nl->receive_rates) / median(single_nl->receive_rates));
    }
    if (single && batched_nl) {
        std::printf(" ratio_netlite_batch_vs_single_raw=%.2f",
                    median(batched_nl->rates) / median(single->rates));
    }
    std::printf("\n");
    return 0;
}
