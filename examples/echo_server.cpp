// SPDX-License-Identifier: MIT
// echo_server: sends every client its own bytes back, many clients on one thread and one
// netlite::selector. TCP by default (what a client does not read yet is queued, never waited
// for); UDP with --udp; UDP with sendmmsg/recvmmsg batches with --batch. Stops on Ctrl-C/SIGTERM.
// Try: echo_server 9000    then, in another terminal: nc 127.0.0.1 9000
#include "cli.hpp"

#include <netlite/batch.hpp>
#include <netlite/selector.hpp>
#include <netlite/send_queue.hpp>
#include <netlite/socket.hpp>

#include <array>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using netlite::events;
const cli::program program{
    "echo_server",
    "usage: echo_server [--backend select|poll|epoll] [--bind ADDR] [--udp] [--batch] PORT\n"
    "  echoes TCP on ADDR:PORT (default 127.0.0.1; PORT 0 picks one) until SIGINT/SIGTERM;\n"
    "  --udp echoes datagrams instead, --batch many per system call (implies --udp)\n"};
constexpr std::size_t chunk = 65536, batch_size = 32;  // bytes per receive; datagrams per batch

struct connection {
    netlite::tcp_stream stream;
    netlite::send_queue pending;  // echoed bytes the client has not taken yet
};

// Fast path: one receive, one send. What does not fit is queued and the connection watched for
// writing only, so a client that never reads cannot make the queue grow.
void on_stream(netlite::selector& sel, connection& c, events ready, char* buf) {
    std::error_code ec;
    const netlite::native_handle_type h = c.stream.native_handle();
    std::size_t n = 0;
    if (any(ready & events::write)) {
        if (c.pending.flush(c.stream, ec)) sel.modify(h, events::read, ec);
    } else if ((n = c.stream.receive(netlite::buffer(buf, chunk), ec)) > 0) {
        const std::size_t sent = c.stream.send({buf, n}, ec);
        if ((!ec || ec == std::errc::operation_would_block) && sent < n) {
            c.pending.append({buf + sent, n - sent});
            sel.modify(h, events::write, ec);
        }
    } else if (!ec) {
        ec = netlite::error::eof;  // the client closed its side
    }
    if (ec && ec != std::errc::operation_would_block) {  // done, or reset mid-write
        sel.remove(h, ec);
        c = connection{};  // closes the stream
    }
}

// One receive and one send per datagram until none is left (at most 64, then the loop checks for
// a stop request), or per batch with --batch. What the OS cannot take now is dropped (UDP).
void on_datagrams(netlite::udp_socket& s, bool batch, std::vector<char>& buf) {
    std::error_code ec;
    if (!batch) {
        netlite::endpoint from;
        for (int i = 0; i < 64; ++i) {
            const std::size_t n = s.receive_from(buf, from, ec);
            if (ec == std::errc::operation_would_block) return;
            if (!ec) s.send_to({buf.data(), n}, from, ec);
        }
        return;
    }
    std::array<netlite::incoming_datagram, batch_size> in;
    std::array<netlite::outgoing_datagram, batch_size> out;
    for (std::size_t i = 0; i < batch_size; ++i) in[i].buffer = {&buf[i * chunk], chunk};
    const std::size_t n = netlite::receive_batch(s, in, ec);
    for (std::size_t i = 0; i < n; ++i) out[i] = {in[i].buffer.first(in[i].size), in[i].sender};
    netlite::send_batch(s, out.data(), n, ec);
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1", backend_name = "best";
    bool udp = false, batch = false;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--udp") || args.is("--batch"))
            udp = true, batch = batch || args.is("--batch");
        else if (args.is("--bind"))
            bind = args.value();
        else if (args.is("--backend"))
            backend_name = args.value();
        else
            args.unknown();
    }
    const auto backend = netlite::parse_selector_backend(backend_name);
    if (!backend || !netlite::selector::is_available(*backend))
        program.usage_error("unknown or unavailable backend: " + std::string(backend_name));
    const netlite::endpoint local(program.address("--bind", bind),
                                  program.port(args.operand("PORT")));

    std::error_code ec;
    netlite::selector sel(*backend, ec);
    if (ec) return program.fail(std::string("selector ") + netlite::to_string(*backend), ec);
    netlite::tcp_listener listener;
    netlite::udp_socket datagrams;
    udp ? datagrams.bind(local, ec) : listener.bind(local, ec);
    if (ec) return program.fail("bind " + local.to_string(), ec);
    netlite::socket& server = udp ? datagrams.as_socket() : listener.as_socket();
    server.set_blocking(false, ec);  // accepted streams inherit it
    if (!ec) sel.add(server, events::read, nullptr, ec);
    if (ec) return program.fail("selector add", ec);
    netlite::accept_guard guard(ec);
    if (ec) return program.fail("accept_guard", ec);

    cli::stop_on_signals(sel);  // no SA_RESTART: a blocked select returns at once
    std::cout << "listening on " << server.local_endpoint().to_string() << std::endl;

    std::vector<char> buf(batch ? batch_size * chunk : chunk);
    std::vector<connection> clients;  // indexed by handle; closed when unused
    while (!cli::stop_requested()) {
        const auto ready = sel.select(std::nullopt, ec);
        if (ec) return program.fail("select", ec);
        for (const auto& ev : ready) {
            if (!any(ev.ready)) continue;  // removed earlier in this round
            const auto h = static_cast<std::size_t>(ev.handle);
            if (ev.handle != server.native_handle()) {
                on_stream(sel, clients[h], ev.ready, buf.data());
            } else if (udp) {
                on_datagrams(datagrams, batch, buf);
            } else {  // one connection per readiness: the listener stays ready while more wait
                netlite::accepted_connection a = guard.accept(listener, ec);  // non-blocking too
                if (ec && ec != std::errc::operation_would_block) program.fail("accept", ec);
                if (ec) continue;
                a.stream.set_no_delay(true, ec);
                const auto c = static_cast<std::size_t>(a.stream.native_handle());
                if (clients.size() <= c) clients.resize(c + 1);
                sel.add(a.stream, events::read, nullptr, ec);
                if (!ec) clients[c].stream = std::move(a.stream);  // else a closes it
            }
        }
    }
    return 0;
}
