// SPDX-License-Identifier: MIT
// select_server: a chat room on one thread and a netlite::selector. Each line a client sends
// goes to all the others as "[<sender>] <line>", plus "* <who> joined/left" notices. Lines are
// bounded (--max-line), so is each client's queue (--max-queue: a client that stops reading is
// dropped, never waited for), and silent clients time out (--idle).
// Try: select_server 9000    and, in two other terminals: nc 127.0.0.1 9000
#include "cli.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/send_queue.hpp>
#include <netlite/socket.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

const cli::program program{
    "select_server",
    "usage: select_server [--backend select|poll|epoll] [--bind ADDR] [--max-line N]\n"
    "                     [--max-queue BYTES] [--idle SECS] PORT\n"
    "  a chat room on ADDR:PORT (default 127.0.0.1; PORT 0 picks one); defaults: --backend\n"
    "  epoll (else poll), --max-line 4096, --max-queue 1048576, --idle 300\n"};

struct client {
    client(std::uint64_t n, netlite::accepted_connection c, std::size_t max_line)
        : id(n), stream(std::move(c.stream)), name(c.peer.to_string()), reader(max_line) {}
    std::uint64_t id;
    netlite::tcp_stream stream;
    std::string name;
    netlite::line_reader reader;
    netlite::send_queue out;
    netlite::timer_queue::handle idle;
    bool dead = false;  // dropped: closed and unregistered, deleted after this round
};

struct room {
    explicit room(netlite::selector s) : sel(std::move(s)) {}
    netlite::selector sel;
    netlite::timer_queue timers;
    std::unordered_map<std::uint64_t, std::unique_ptr<client>> clients;
    std::vector<std::uint64_t> dropped;
    std::size_t max_line = 0, max_queue = 0;
    std::chrono::seconds idle{};
    std::uint64_t next_id = 0;

    void broadcast(const client& from, std::string_view text) {
        for (auto& entry : clients)
            if (entry.second.get() != &from) enqueue(*entry.second, text);
    }
    // Write interest only while something is queued; a queue that would overflow drops its client.
    void enqueue(client& c, std::string_view text) {
        if (c.dead) return;
        if (c.out.size() + text.size() > max_queue) return drop(c);
        std::error_code ec;
        if (c.out.empty()) sel.modify(c.stream, netlite::events::read | netlite::events::write, ec);
        c.out.append(text);
    }
    void drop(client& c, std::string_view farewell = {}) {
        if (c.dead) return;
        c.dead = true;
        dropped.push_back(c.id);
        std::error_code ec;
        sel.remove(c.stream, ec);
        timers.cancel(c.idle);
        // One attempt that never waits: what is queued, then why. shutdown(send) pushes it out
        // now, past Nagle: closing with unread input sends a reset that discards unsent data.
        if (!farewell.empty()) {
            c.out.append(farewell);
            c.out.flush(c.stream, ec);
            c.stream.shutdown(netlite::shutdown_type::send, ec);
        }
        c.stream.close(ec);
        broadcast(c, "* " + c.name + " left\n");
    }
    void accept_all(netlite::tcp_listener& listener, netlite::accept_guard& guard) {
        for (int i = 0; i < 64; ++i) {  // then let the others have a turn
            std::error_code ec;
            netlite::accepted_connection conn = guard.accept(listener, ec);
            if (ec == std::errc::operation_would_block) return;
            if (ec) return void(program.fail("accept", ec));  // logged; the server goes on
            auto c = std::make_unique<client>(next_id++, std::move(conn), max_line);
            sel.add(c->stream, netlite::events::read, c.get(), ec);
            if (ec) {
                program.fail(c->name, ec);
                continue;
            }
            c->idle = timers.schedule(idle, c->id);
            broadcast(*c, "* " + c->name + " joined\n");  // c is not in `clients` yet
            clients.emplace(c->id, std::move(c));
        }
    }
    void on_readable(client& c) {
        std::error_code ec;
        const std::size_t n = c.stream.receive(c.reader.prepare(16384), ec);
        if (ec == std::errc::operation_would_block) return;
        if (ec || n == 0) return drop(c);
        c.reader.commit(n);
        timers.reschedule(c.idle, idle);
        std::string message;
        while (!c.dead) {
            const auto line = c.reader.next_line(ec);
            if (!line) break;
            broadcast(c,
                      message.assign("[").append(c.name).append("] ").append(*line).append("\n"));
        }
        if (ec) return drop(c, "! line too long\n");        // nothing of that line was relayed
        if (!c.reader.in_line()) c.reader.shrink_to_fit();  // an idle client holds no buffer
    }
    void on_writable(client& c) {
        std::error_code ec;
        const bool all_sent = c.out.flush(c.stream, ec);
        if (ec) return drop(c);
        if (all_sent) sel.modify(c.stream, netlite::events::read, ec);
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1";
    std::string_view backend_name = "best";
    std::size_t max_line = 4096, max_queue = 1 << 20;
    long idle = 300;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--bind"))
            bind = args.value();
        else if (args.is("--backend"))
            backend_name = args.value();
        else if (args.is("--max-line"))
            max_line = args.number<std::size_t>(1, 1 << 24);
        else if (args.is("--max-queue"))
            max_queue = args.number<std::size_t>(1, 1 << 30);
        else if (args.is("--idle"))
            idle = args.number(1L, 31536000L);
        else
            args.unknown();
    }
    const auto backend = netlite::parse_selector_backend(backend_name);
    if (!backend || !netlite::selector::is_available(*backend))
        program.usage_error("unknown or unavailable backend: " + std::string(backend_name));
    const netlite::endpoint local(program.address("--bind", bind),
                                  program.port(args.operand("PORT")));

    std::error_code ec;
    netlite::tcp_listener listener;
    listener.bind(local, ec);
    if (!ec) listener.set_blocking(false, ec);  // accepted streams inherit non-blocking mode
    if (ec) return program.fail("listen on " + local.to_string(), ec);
    netlite::accept_guard guard(ec);
    if (ec) return program.fail("accept_guard", ec);
    room r{netlite::selector(*backend, ec)};
    if (!ec) r.sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return program.fail("selector", ec);
    r.max_line = max_line;
    r.max_queue = max_queue;
    r.idle = std::chrono::seconds(idle);

    cli::stop_on_signals(r.sel);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    while (!cli::stop_requested()) {
        const auto ready = r.sel.select(r.timers.next_timeout(), ec);
        if (ec) return program.fail("select", ec);
        for (const auto& ev : ready) {     // (adding and removing handles here is allowed)
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            if (!ev.data) {
                r.accept_all(listener, guard);
                continue;
            }
            client& c = *static_cast<client*>(ev.data);
            if (any(ev.ready & netlite::events::write)) r.on_writable(c);
            if (any(ev.ready & netlite::events::read) && !c.dead) r.on_readable(c);
        }
        while (const auto id = r.timers.pop_expired()) {
            const auto it = r.clients.find(*id);
            if (it != r.clients.end()) r.drop(*it->second, "! idle timeout\n");
        }
        for (const std::uint64_t id : r.dropped) r.clients.erase(id);
        r.dropped.clear();
    }
    return 0;
}
