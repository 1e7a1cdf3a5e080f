// SPDX-License-Identifier: MIT
// netcat: a small nc. Copies stdin to a TCP (-u: UDP) socket and the socket to stdout, byte for
// byte, in two threads; the end of stdin half-closes and netcat keeps reading until the peer
// closes. -l waits for one peer and prints `listening on <endpoint>` on STDERR (unlike the other
// servers: stdout carries only data). -z only tests whether PORT accepts connections.
// Try: ./netcat -l 127.0.0.1 9999 > copy.txt & ./netcat 127.0.0.1 9999 < /etc/os-release
#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

const char usage[] =
    "usage: netcat [-u] [-w SECS] [-z] HOST PORT | netcat -l [-u] [-w SECS] [HOST] PORT\n";
const char help[] =
    "  -l  listen for one peer on HOST (default 0.0.0.0); PORT 0 picks a free port\n"
    "  -u  UDP: each read from stdin is one datagram; -l answers the first sender\n"
    "  -w  give up connecting or waiting for a peer after SECS (status 1); end a session\n"
    "      that moved no data for SECS (status 0, as nc does)\n"
    "  -z  only connect: status 0 if PORT accepts connections, 1 if not\n";

using clock_type = std::chrono::steady_clock;
using netlite::milliseconds;

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }

int bad_usage(std::string_view why) {
    std::cerr << "netcat: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, const std::error_code& ec) {
    std::cerr << "netcat: " << what << ": " << ec.message() << '\n';
    return 1;
}

bool parse_number(std::string_view text, long low, long high, long& out) {
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && stop == end && out >= low && out <= high;
}

// Like read(2) on stdin: waits for at least one byte and returns what is there (0 at the end).
// The standard library only offers full reads, but its buffer says how much the last read got.
std::size_t read_stdin(char* out, std::size_t size) {
    std::streambuf& in = *std::cin.rdbuf();
    if (in.sgetc() == std::char_traits<char>::eof()) return 0;
    const std::streamsize ready = std::max<std::streamsize>(in.in_avail(), 1);
    return static_cast<std::size_t>(
        in.sgetn(out, std::min(ready, static_cast<std::streamsize>(size))));
}

// Copies stdin to `sock` (main thread) and `sock` to stdout (reader thread). With `idle`, the
// session ends quietly once neither direction has moved data for that long.
int session(netlite::socket& sock, std::optional<milliseconds> idle) {
    std::atomic<clock_type::rep> last_active{clock_type::now().time_since_epoch().count()};
    const auto touch = [&] { last_active = clock_type::now().time_since_epoch().count(); };
    const auto time_left = [&] {  // before the session counts as idle; max: for ever
        if (!idle) return milliseconds::max();
        const clock_type::time_point active{clock_type::duration(last_active.load())};
        return std::chrono::ceil<milliseconds>(active + *idle - clock_type::now());
    };
    std::atomic<bool> stdin_done{false};
    std::atomic<int> reader_status{0};
    std::thread reader([&] {
        std::vector<char> chunk(65536);
        std::error_code ec;
        for (milliseconds left; (left = time_left()) > milliseconds::zero();) {
            const std::size_t n = sock.receive(netlite::buffer(chunk), left, ec);
            if (ec == std::errc::timed_out) continue;  // unless data went the other way: idle
            if (ec) {
                reader_status = fail("receive", ec);
                break;
            }
            if (n == 0 && sock.is_stream()) return;  // end of stream; stdin may still flow
            touch();                                 // (UDP: n == 0 is an empty datagram)
            if (!std::cout.write(chunk.data(), static_cast<std::streamsize>(n)).flush()) {
                reader_status = fail("write", std::make_error_code(std::errc::io_error));
                break;
            }
        }
        // Idle or failed: the session ends now, even if the main thread is blocked reading
        // stdin (which cannot be interrupted portably).
        if (!stdin_done) std::exit(reader_status);
    });
    std::vector<char> chunk(16384);  // also the largest datagram sent
    int status = 0;
    std::error_code ec;
    for (std::size_t n; status == 0 && (n = read_stdin(chunk.data(), chunk.size())) > 0; touch()) {
        sock.send_all(netlite::buffer(chunk.data(), n), ec);  // UDP: one datagram
        if (ec) status = fail("send", ec);
    }
    stdin_done = true;  // from here on the reader thread just returns
    // Half-close so the peer reads EOF (TCP); after a failure, wake the reader instead.
    if (status != 0 || sock.is_stream())
        sock.shutdown(status == 0 ? netlite::shutdown_type::send : netlite::shutdown_type::both,
                      ec);
    reader.join();
    return status != 0 ? status : reader_status.load();
}

// Retries `attempt(slice, ec)` while it times out, for up to `limit` (none: until SIGINT/SIGTERM
// set stop_requested: netlite retries interrupted calls, so short slices are what notice them).
template <typename Attempt>
void wait_for_peer(std::optional<milliseconds> limit, std::error_code& ec, Attempt attempt) {
    const auto start = clock_type::now();
    do attempt(milliseconds(200), ec);
    while (ec == std::errc::timed_out && !stop_requested &&
           (!limit || clock_type::now() - start < *limit));
    std::signal(SIGINT, SIG_DFL);  // once connected, Ctrl-C simply ends netcat
    std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

int main(int argc, char** argv) {
    bool listen = false, udp = false, scan = false;
    long seconds = 0, port = 0;     // seconds 0: no -w
    std::vector<std::string> args;  // [HOST] PORT
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help") return std::cout << usage << help, 0;
        bool& flag = arg == "-l" ? listen : arg == "-u" ? udp : scan;
        if (arg == "-l" || arg == "-u" || arg == "-z") {
            flag = true;
        } else if (arg == "-w") {
            if (i + 1 == argc || !parse_number(argv[++i], 1, 86400, seconds))
                return bad_usage("-w needs a number of seconds 1-86400");
        } else if (arg.size() > 1 && arg[0] == '-') {
            return bad_usage("unknown option " + std::string(arg));
        } else {
            args.emplace_back(arg);
        }
    }
    if (scan && (listen || udp)) return bad_usage("-z cannot be combined with -l or -u");
    if (args.size() != 2 && !(listen && args.size() == 1))
        return bad_usage(listen ? "PORT is required" : "HOST and PORT are required");
    if (!parse_number(args.back(), listen ? 0 : 1, 65535, port))
        return bad_usage("not a port number: " + args.back());
    const std::string host = args.size() == 2 ? args[0] : "0.0.0.0", service = args.back();
    std::optional<milliseconds> wait;
    if (seconds > 0) wait = milliseconds(1000 * seconds);

    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);  // std::cout is written by the reader thread
    std::error_code ec;
    if (!listen && !udp && !scan) {  // resolves HOST and tries each address in turn
        netlite::tcp_stream stream;
        stream.connect(host, service, wait.value_or(milliseconds::max()), ec);
        if (ec) return fail("connect to " + host + ":" + service, ec);
        return session(stream.as_socket(), wait);
    }
    const auto protocol = udp ? netlite::transport::udp : netlite::transport::tcp;
    const auto found = netlite::resolve(host, service, {{}, protocol, listen}, ec);
    if (ec) return fail("resolve " + host, ec);
    if (scan) {  // the tutorial's port check: connect_ex returns the error as a value
        for (const netlite::endpoint& peer : found.endpoints) {
            const auto family =
                peer.is_v6() ? netlite::address_family::ipv6 : netlite::address_family::ipv4;
            netlite::socket probe = netlite::socket::open(family, netlite::socket_type::stream, ec);
            if (!ec) probe.set_timeout(wait, ec);
            if (!ec && !(ec = probe.connect_ex(peer))) return 0;
        }
        return fail("connect to " + host + ":" + service, ec);
    }
    if (!listen) {  // UDP: "connecting" sets the default peer
        netlite::udp_socket sock;
        sock.connect(found.endpoints.front(), ec);
        if (ec) return fail("connect to " + found.endpoints.front().to_string(), ec);
        return session(sock.as_socket(), wait);
    }
    netlite::socket conn;
    {  // -l: wait for one peer; the listening socket is closed at the end of this block
        const netlite::endpoint local = found.endpoints.front();
        netlite::tcp_listener listener;
        netlite::udp_socket sock;
        std::signal(SIGINT, request_stop);  // from before `listening on` to the first peer
        std::signal(SIGTERM, request_stop);
        udp ? sock.bind(local, ec) : listener.bind(local, ec);
        if (ec) return fail("listen on " + local.to_string(), ec);
        std::cerr << "listening on " << (udp ? sock.local_endpoint() : listener.local_endpoint())
                  << std::endl;
        // UDP: the first datagram names the peer; connecting to it sends the replies there.
        std::vector<char> first(udp ? 65536 : 0);
        std::size_t n = 0;
        netlite::endpoint peer;
        wait_for_peer(wait, ec, [&](milliseconds slice, std::error_code& e) {
            if (udp)
                n = sock.receive_from(netlite::buffer(first), peer, slice, e);
            else
                conn = std::move(listener.accept(slice, e).stream.as_socket());
        });
        if (stop_requested) return 0;
        if (!ec && udp) sock.connect(peer, ec);
        if (ec) return fail(udp ? "receive" : "accept", ec);
        if (udp) conn = std::move(sock.as_socket());
        std::cout.write(first.data(), static_cast<std::streamsize>(n)).flush();
    }
    return session(conn, wait);
}
