// SPDX-License-Identifier: MIT
// tcp_echo_server: the first tutorial's server. Answers each line with the line upper-cased,
// for many clients at once on one thread (a netlite::selector over non-blocking sockets).
// --greeting TEXT first sends TEXT to each new client (the workshop's welcome server).
// Try: tcp_echo_server 9999 & tcp_client 127.0.0.1 9999
#include "cli.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/send_queue.hpp>
#include <netlite/socket.hpp>

#include <cctype>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

const cli::program program{
    "tcp_echo_server",
    "usage: tcp_echo_server [--bind ADDR] [--greeting TEXT] PORT\n"
    "  answers each line upper-cased on ADDR:PORT (default 127.0.0.1; PORT 0 picks one);\n"
    "  a line longer than 65536 bytes ends that client's connection\n"};

// A client is either reading (nothing to send) or writing its replies, never both: one that
// does not read its replies is not read from either, so it cannot make the server buffer more.
struct client {
    netlite::tcp_stream stream;
    netlite::line_reader reader{65536};
    netlite::send_queue out;  // replies not sent yet
};
using client_map = std::unordered_map<client*, std::unique_ptr<client>>;

void drop(netlite::selector& sel, client_map& clients, client& c) {
    std::error_code ec;
    sel.remove(c.stream, ec);
    clients.erase(&c);  // closes the stream
}

void on_readable(netlite::selector& sel, client_map& clients, client& c) {
    std::error_code ec;
    const std::size_t n = c.stream.receive(c.reader.prepare(16384), ec);
    if (ec == std::errc::operation_would_block) return;
    if (ec || n == 0) return drop(sel, clients, c);
    c.reader.commit(n);
    std::string reply;
    while (const auto line = c.reader.next_line(ec)) {
        for (const char ch : *line) reply += static_cast<char>(std::toupper(ch & 0xff));
        reply += '\n';
    }
    c.out.append(reply);
    if (ec) return drop(sel, clients, c);               // line too long
    if (!c.reader.in_line()) c.reader.shrink_to_fit();  // an idle client holds no buffer
    if (!c.out.empty()) sel.modify(c.stream, netlite::events::write, ec);
}

void on_writable(netlite::selector& sel, client_map& clients, client& c) {
    std::error_code ec;
    const bool all_sent = c.out.flush(c.stream, ec);
    if (ec) return drop(sel, clients, c);
    if (all_sent) sel.modify(c.stream, netlite::events::read, ec);
}

// Accepts up to 64 waiting clients (then serves the others); each gets the greeting first.
void accept_all(netlite::selector& sel, client_map& clients, netlite::tcp_listener& listener,
                netlite::accept_guard& guard, const std::string& greeting) {
    for (int i = 0; i < 64; ++i) {
        std::error_code ec;
        netlite::accepted_connection conn = guard.accept(listener, ec);
        if (ec && ec != std::errc::operation_would_block) program.fail("accept", ec);
        if (ec) return;
        auto fresh = std::make_unique<client>();
        fresh->stream = std::move(conn.stream);
        fresh->out.append(greeting);
        const auto interest = greeting.empty() ? netlite::events::read : netlite::events::write;
        sel.add(fresh->stream, interest, fresh.get(), ec);
        if (ec) program.fail(conn.peer.to_string(), ec);  // logged; the server goes on
        if (!ec) clients.emplace(fresh.get(), std::move(fresh));
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1";
    std::string greeting;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--bind"))
            bind = args.value();
        else if (args.is("--greeting"))
            greeting.assign(args.value()).append("\n");
        else
            args.unknown();
    }
    const std::uint16_t port = program.port(args.operand("PORT"));
    const netlite::endpoint local(program.address("--bind", bind), port);

    std::error_code ec;
    netlite::tcp_listener listener;
    listener.bind(local, ec);
    if (!ec) listener.set_blocking(false, ec);  // accepted streams inherit non-blocking mode
    if (ec) return program.fail("listen on " + local.to_string(), ec);
    netlite::accept_guard guard(ec);
    if (ec) return program.fail("accept_guard", ec);
    netlite::selector sel(netlite::selector_backend::best, ec);
    if (!ec) sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return program.fail("selector", ec);

    cli::stop_on_signals(sel);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    client_map clients;
    while (!cli::stop_requested()) {
        const auto ready = sel.select(std::nullopt, ec);
        if (ec) return program.fail("select", ec);
        for (const auto& ev : ready) {  // (adding and removing handles here is allowed)
            client* c = static_cast<client*>(ev.data);
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            if (!c) {
                accept_all(sel, clients, listener, guard, greeting);
            } else if (any(ev.ready & netlite::events::write)) {
                on_writable(sel, clients, *c);
            } else {
                on_readable(sel, clients, *c);
            }
        }
    }
    return 0;
}
