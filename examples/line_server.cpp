// SPDX-License-Identifier: MIT
// line_server: the tutorial's line protocol (CALC:<a><op><b>, PING:<text>: line_protocol.hpp) for
// many clients on one selector. The tutorial warns of unbounded reads: a line_reader keeps at
// most --max-line bytes of a line (plus one read), answers longer lines "ERR:line too long" and
// skips them; a line unfinished --line-timeout s after its first byte arrived drops the client.
// Try: line_server 9000 & printf 'CALC:6*7\nPING:hi\n' | nc -N 127.0.0.1 9000
#include "cli.hpp"
#include "line_protocol.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/send_queue.hpp>
#include <netlite/socket.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

const cli::program program{
    "line_server",
    "usage: line_server [--bind ADDR] [--max-line N] [--line-timeout SECS] PORT\n"
    "  answers CALC:<a><op><b> and PING:<text> lines on ADDR:PORT (default 127.0.0.1; PORT 0\n"
    "  picks one); defaults: --max-line 1024 bytes, --line-timeout 10 seconds\n"};

// A client is either reading (nothing to send) or writing its answers; it is not read while
// answers wait, so a client that does not read them cannot make the server buffer more.
struct client {
    client(std::uint64_t n, netlite::tcp_stream s, std::size_t max_line)
        : id(n), stream(std::move(s)), reader(max_line) {}
    std::uint64_t id;
    netlite::tcp_stream stream;
    netlite::line_reader reader;
    netlite::send_queue out;                // answers not sent yet
    netlite::timer_queue::handle deadline;  // pending while reading an unfinished line
};

struct server {
    explicit server(netlite::selector s) : sel(std::move(s)) {}
    netlite::selector sel;
    netlite::timer_queue timers;
    std::unordered_map<std::uint64_t, std::unique_ptr<client>> clients;
    std::size_t max_line = 0;
    std::chrono::seconds line_timeout{};
    std::uint64_t next_id = 0;

    void drop(client& c) {
        std::error_code ec;
        sel.remove(c.stream, ec);
        timers.cancel(c.deadline);
        clients.erase(c.id);  // closes the stream
    }
    void accept_all(netlite::tcp_listener& listener, netlite::accept_guard& guard) {
        for (int i = 0; i < 64; ++i) {  // then let the others have a turn
            std::error_code ec;
            netlite::accepted_connection conn = guard.accept(listener, ec);
            if (ec == std::errc::operation_would_block) return;
            if (ec) return void(program.fail("accept", ec));  // logged; the server goes on
            auto c = std::make_unique<client>(next_id++, std::move(conn.stream), max_line);
            sel.add(c->stream, netlite::events::read, c.get(), ec);
            if (ec) program.fail(conn.peer.to_string(), ec);
            if (!ec) clients.emplace(c->id, std::move(c));
        }
    }
    // The deadline runs from the first byte of a line while the server is reading: more bytes
    // of the same line never extend it; a line that began in this read starts a new one.
    void on_readable(client& c) {
        std::error_code ec;
        const netlite::mutable_buffer room = c.reader.prepare(16384);
        const std::size_t n = c.stream.receive(room, ec);
        if (ec == std::errc::operation_would_block) return;
        if (ec || n == 0) return drop(c);  // an unfinished last line is no line: no answer
        const bool new_line = std::memchr(room.data(), '\n', n) != nullptr;  // one began here
        c.reader.commit(n);
        for (;;) {
            if (const auto line = c.reader.next_line(ec)) {
                c.out.append(line_protocol::answer(*line) + '\n');
            } else if (ec) {
                c.out.append(std::string(line_protocol::line_too_long) + '\n');  // rest skipped
            } else {
                break;
            }
        }
        if (!c.reader.in_line()) c.reader.shrink_to_fit();  // an idle client holds no buffer
        if (!c.out.empty() || !c.reader.in_line()) {
            timers.cancel(c.deadline);  // paused while the answers go out (see on_writable)
        } else if (new_line || !timers.is_pending(c.deadline)) {
            timers.cancel(c.deadline);
            c.deadline = timers.schedule(line_timeout, c.id);
        }
        if (!c.out.empty()) sel.modify(c.stream, netlite::events::write, ec);
    }
    void on_writable(client& c) {
        std::error_code ec;
        const bool all_sent = c.out.flush(c.stream, ec);
        if (ec) return drop(c);
        if (!all_sent) return;
        sel.modify(c.stream, netlite::events::read, ec);
        if (c.reader.in_line()) c.deadline = timers.schedule(line_timeout, c.id);
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1";
    std::size_t max_line = 1024;
    long line_timeout = 10;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--bind"))
            bind = args.value();
        else if (args.is("--max-line"))
            max_line = args.number<std::size_t>(1, 1 << 24);
        else if (args.is("--line-timeout"))
            line_timeout = args.number(1L, 86400L);
        else
            args.unknown();
    }
    const netlite::endpoint local(program.address("--bind", bind),
                                  program.port(args.operand("PORT")));

    std::error_code ec;
    netlite::tcp_listener listener;
    listener.bind(local, ec);
    if (!ec) listener.set_blocking(false, ec);  // accepted streams inherit non-blocking mode
    if (ec) return program.fail("listen on " + local.to_string(), ec);
    netlite::accept_guard guard(ec);
    if (ec) return program.fail("accept_guard", ec);
    server s{netlite::selector(netlite::selector_backend::best, ec)};
    if (!ec) s.sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return program.fail("selector", ec);
    s.max_line = max_line;
    s.line_timeout = std::chrono::seconds(line_timeout);

    cli::stop_on_signals(s.sel);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    while (!cli::stop_requested()) {
        const auto ready = s.sel.select(s.timers.next_timeout(), ec);
        if (ec) return program.fail("select", ec);
        for (const auto& ev : ready) {     // (adding and removing handles here is allowed)
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            if (!ev.data) {
                s.accept_all(listener, guard);
            } else if (any(ev.ready & netlite::events::write)) {
                s.on_writable(*static_cast<client*>(ev.data));
            } else {
                s.on_readable(*static_cast<client*>(ev.data));
            }
        }
        while (const auto id = s.timers.pop_expired()) {
            const auto it = s.clients.find(*id);
            if (it != s.clients.end()) s.drop(*it->second);  // unfinished line: no answer
        }
    }
    return 0;
}
