// SPDX-License-Identifier: MIT
// netcat: a small nc. Copies stdin to a TCP (-u: UDP) socket and the socket to stdout, byte for
// byte, on one thread that polls both; the end of stdin half-closes, then netcat reads on until
// the peer closes. -l waits for one peer and prints `listening on <endpoint>` on STDERR (stdout
// carries only data). -z only tests whether PORT accepts connections.
// Try: ./netcat -l 127.0.0.1 9999 > copy.txt & ./netcat 127.0.0.1 9999 < /etc/os-release
#include "cli.hpp"

#include <netlite/resolver.hpp>
#include <netlite/selector.hpp>
#include <netlite/socket.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cli::program program{
    "netcat",
    "usage: netcat [-u] [-w SECS] [-z] HOST PORT | netcat -l [-u] [-w SECS] [HOST] PORT\n",
    "  -l  listen for one peer on HOST (default 0.0.0.0); PORT 0 picks a free port\n"
    "  -u  UDP: each read from stdin is one datagram; -l answers the first sender\n"
    "  -w  give up connecting or waiting for a peer after SECS (status 1); end a session\n"
    "      that moved no data for SECS (status 0, as nc does)\n"
    "  -z  only connect: status 0 if PORT accepts connections, 1 if not\n"};

using netlite::events;
using netlite::milliseconds;

// Like read(2) on stdin: waits for at least one byte and returns what is there (0 at the end).
// The standard library only offers full reads, but its buffer says how much the last read got;
// this takes all of it (the buffer is smaller than `size`), so poll sees whatever comes next.
std::size_t read_stdin(char* out, std::size_t size) {
    std::streambuf& in = *std::cin.rdbuf();
    if (in.sgetc() == std::char_traits<char>::eof()) return 0;
    const std::streamsize ready = std::max<std::streamsize>(in.in_avail(), 1);
    return static_cast<std::size_t>(
        in.sgetn(out, std::min(ready, static_cast<std::streamsize>(size))));
}

// Copies stdin to `sock` and `sock` to stdout on one thread, as nc does: a selector watches both
// (the poll backend, which unlike epoll also takes a regular file as stdin). Stdin is read only
// once the socket has taken the previous chunk, so nothing piles up. With `idle`, a wait in which
// no data moved either way ends the session.
int session(netlite::socket& sock, std::optional<milliseconds> idle) {
    const netlite::native_handle_type in = 0;  // stdin
    std::error_code ec;
    netlite::selector sel(netlite::selector_backend::poll, ec);
    if (!ec) sock.set_blocking(false, ec);
    if (ec) return program.fail("poll", ec);
    const auto watch = [&](netlite::native_handle_type h, events interest) {
        if (!any(interest)) return sel.remove(h, ec);  // (not_registered is fine)
        sel.contains(h) ? sel.modify(h, interest, ec) : sel.add(h, interest, nullptr, ec);
    };
    std::vector<char> from_net(65536), to_net(16384);  // to_net: also the largest datagram sent
    std::size_t pending = 0, sent = 0;                 // to_net[sent, pending) is not sent yet
    bool stdin_open = true, net_open = true;           // (UDP: net_open until the end)
    for (;;) {
        const bool waiting = sent < pending;
        watch(in, stdin_open && !waiting ? events::read : events::none);
        watch(sock.native_handle(),
              (net_open ? events::read : events::none) | (waiting ? events::write : events::none));
        if (sel.size() == 0) return 0;  // stdin ended, all of it sent, and the peer closed
        const auto ready = sel.select(idle, ec);
        if (ec) return program.fail("poll", ec);
        if (ready.empty()) return 0;  // -w: nothing moved either way for SECS
        bool try_send = false;
        for (const auto& ev : ready) {
            if (ev.handle == in) {  // (UDP: each read is one datagram)
                pending = read_stdin(to_net.data(), to_net.size());
                sent = 0;
                try_send = stdin_open = pending > 0;
                if (!stdin_open && sock.is_stream())  // half-close: the peer reads EOF
                    sock.shutdown(netlite::shutdown_type::send, ec);
                if (ec) return program.fail("shutdown", ec);
                continue;
            }
            try_send = try_send || any(ev.ready & events::write);
            if (!any(ev.ready & events::read)) continue;
            const std::size_t n = sock.receive(netlite::buffer(from_net), ec);
            if (ec == std::errc::operation_would_block) continue;
            if (ec) return program.fail("receive", ec);
            net_open = n > 0 || !sock.is_stream();  // (UDP: n == 0 is an empty datagram)
            if (!std::cout.write(from_net.data(), static_cast<std::streamsize>(n)).flush())
                return program.fail("write", "cannot write to stdout");
        }
        if (try_send && sent < pending) {  // as much as the socket takes now; the rest later
            sent += sock.send(netlite::buffer(to_net.data() + sent, pending - sent), ec);
            if (ec && ec != std::errc::operation_would_block) return program.fail("send", ec);
        }
    }
}

// Retries `attempt(slice, ec)` while it times out, for up to `limit` (none: until SIGINT/SIGTERM
// ask to stop: netlite retries interrupted calls, so short slices are what notice them).
template <typename Attempt>
void wait_for_peer(std::optional<milliseconds> limit, std::error_code& ec, Attempt attempt) {
    const auto start = std::chrono::steady_clock::now();
    do attempt(milliseconds(200), ec);
    while (ec == std::errc::timed_out && !cli::stop_requested() &&
           (!limit || std::chrono::steady_clock::now() - start < *limit));
    cli::default_signals();  // once connected, Ctrl-C simply ends netcat
}

}  // namespace

int main(int argc, char** argv) {
    bool listen = false, udp = false, scan = false;
    std::optional<milliseconds> wait;  // -w
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("-l") || args.is("-u") || args.is("-z"))
            (args.is("-l") ? listen : args.is("-u") ? udp : scan) = true;
        else if (args.is("-w"))
            wait = std::chrono::seconds(args.number(1, 86400));
        else
            args.unknown();
    }
    const std::vector<std::string_view>& operands = args.operands();  // [HOST] PORT
    if (scan && (listen || udp)) program.usage_error("-z cannot be combined with -l or -u");
    if (operands.size() != 2 && !(listen && operands.size() == 1))
        program.usage_error(listen ? "PORT is required" : "HOST and PORT are required");
    program.port(operands.back(), listen ? 0 : 1);
    const std::string host(operands.size() == 2 ? operands[0] : "0.0.0.0");
    const std::string service(operands.back());

    std::ios::sync_with_stdio(false);  // std::cin reads fd 0 itself: see read_stdin
    std::error_code ec;
    if (!listen && !udp && !scan) {  // resolves HOST and tries each address in turn
        netlite::tcp_stream stream;
        wait ? stream.connect(host, service, *wait, ec) : stream.connect(host, service, ec);
        if (ec) return program.fail("connect to " + host + ":" + service, ec);
        return session(stream.as_socket(), wait);
    }
    const auto protocol = udp ? netlite::transport::udp : netlite::transport::tcp;
    const auto found = netlite::resolve(host, service, {{}, protocol, listen}, ec);
    if (ec) return program.fail("resolve " + host, ec);
    if (scan) {  // the tutorial's port check: connect_ex returns the error as a value
        for (const netlite::endpoint& peer : found.endpoints) {
            const auto family =
                peer.is_v6() ? netlite::address_family::ipv6 : netlite::address_family::ipv4;
            netlite::socket probe = netlite::socket::open(family, netlite::socket_type::stream, ec);
            if (!ec) probe.set_timeout(wait, ec);
            if (!ec && !(ec = probe.connect_ex(peer))) return 0;
        }
        return program.fail("connect to " + host + ":" + service, ec);
    }
    if (!listen) {  // UDP: "connecting" sets the default peer
        netlite::udp_socket sock;
        sock.connect(found.endpoints.front(), ec);
        if (ec) return program.fail("connect to " + found.endpoints.front().to_string(), ec);
        return session(sock.as_socket(), wait);
    }
    netlite::socket conn;
    {  // -l: wait for one peer; the listening socket is closed at the end of this block
        const netlite::endpoint local = found.endpoints.front();
        netlite::tcp_listener listener;
        netlite::udp_socket sock;
        cli::stop_on_signals();  // from before `listening on` to the first peer
        udp ? sock.bind(local, ec) : listener.bind(local, ec);
        if (ec) return program.fail("listen on " + local.to_string(), ec);
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
        if (cli::stop_requested()) return 0;
        if (!ec && udp) sock.connect(peer, ec);
        if (ec) return program.fail(udp ? "receive" : "accept", ec);
        if (udp) conn = std::move(sock.as_socket());
        std::cout.write(first.data(), static_cast<std::streamsize>(n)).flush();
    }
    return session(conn, wait);
}
