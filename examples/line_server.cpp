// SPDX-License-Identifier: MIT
// line_server: the tutorial's line protocol (CALC:<a><op><b>, PING:<text>: line_protocol.hpp) for
// many clients on one selector. The tutorial warns of unbounded reads: a line_reader keeps at
// most --max-line bytes of a line (plus one read), answers longer lines "ERR:line too long" and
// skips them; a line unfinished --line-timeout s after its first byte arrived drops the client.
// Try: line_server 9000 & printf 'CALC:6*7\nPING:hi\n' | nc -N 127.0.0.1 9000
#include "line_protocol.hpp"

#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

const char* const usage =
    "usage: line_server [--bind ADDR] [--max-line N] [--line-timeout SECS] PORT\n"
    "  answers CALC:<a><op><b> and PING:<text> lines on ADDR:PORT (default 127.0.0.1; PORT 0\n"
    "  picks one); defaults: --max-line 1024 bytes, --line-timeout 10 seconds\n";

volatile std::sig_atomic_t stop_requested = 0;
const netlite::selector* to_wake = nullptr;  // set before the handler is installed
void request_stop(int) {
    stop_requested = 1;
    to_wake->wakeup();  // one write(2): safe in a signal handler
}

bool parse_number(std::string_view text, long min, long max, long& value) {
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    return err == std::errc() && end == text.data() + text.size() && value >= min && value <= max;
}
struct numeric_option {
    std::string_view name;
    long* value;
    long min, max;
};

// A client is either reading (nothing to send) or writing its answers; it is not read while
// answers wait, so a client that does not read them cannot make the server buffer more.
struct client {
    client(std::uint64_t n, netlite::tcp_stream s, std::size_t max_line)
        : id(n), stream(std::move(s)), reader(max_line) {}
    bool in_line() const noexcept { return !reader.pending().empty() || reader.discarding(); }
    std::uint64_t id;
    netlite::tcp_stream stream;
    netlite::line_reader reader;
    std::string out;  // answers; the first `sent` bytes are already sent
    std::size_t sent = 0;
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
            if (ec) return void(std::cerr << "line_server: accept: " << ec.message() << '\n');
            auto c = std::make_unique<client>(next_id++, std::move(conn.stream), max_line);
            sel.add(c->stream, netlite::events::read, c.get(), ec);
            if (ec) std::cerr << "line_server: " << conn.peer << ": " << ec.message() << '\n';
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
                c.out.append(line_protocol::answer(*line)).append("\n");
            } else if (ec) {
                c.out.append(line_protocol::line_too_long).append("\n");  // the rest is skipped
            } else {
                break;
            }
        }
        if (!c.out.empty() || !c.in_line()) {
            timers.cancel(c.deadline);  // paused while the answers go out (see on_writable)
        } else if (new_line || !timers.is_pending(c.deadline)) {
            timers.cancel(c.deadline);
            c.deadline = timers.schedule(line_timeout, c.id);
        }
        if (!c.out.empty()) sel.modify(c.stream, netlite::events::write, ec);
    }
    void on_writable(client& c) {
        std::error_code ec;
        c.sent += c.stream.send(std::string_view(c.out).substr(c.sent), ec);
        if (ec && ec != std::errc::operation_would_block) return drop(c);
        if (c.sent < c.out.size()) return;
        c.out.clear();
        c.sent = 0;
        sel.modify(c.stream, netlite::events::read, ec);
        if (c.in_line()) c.deadline = timers.schedule(line_timeout, c.id);
    }
};

int bad_usage(const std::string& why) {
    std::cerr << "line_server: " << why << '\n' << usage;
    return 2;
}

int fail(const std::string& what, const std::error_code& ec) {
    std::cerr << "line_server: " << what << ": " << ec.message() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1";
    long max_line = 1024, line_timeout = 10, port = -1;
    const numeric_option numbers[] = {{"--max-line", &max_line, 1, 1 << 24},
                                      {"--line-timeout", &line_timeout, 1, 86400}};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i], value = i + 1 < argc ? argv[i + 1] : "";
        const numeric_option* number = nullptr;
        for (const numeric_option& o : numbers) number = o.name == arg ? &o : number;
        if (arg == "--help" || arg == "-h") return std::cout << usage, 0;
        if (arg == "--bind") {
            bind = value;
        } else if (number) {
            if (!parse_number(value, number->min, number->max, *number->value))
                return bad_usage(std::string(arg) + " needs a number " +
                                 std::to_string(number->min) + "-" + std::to_string(number->max));
        } else if (arg.size() > 1 && arg[0] == '-') {
            return bad_usage("unknown option " + std::string(arg));
        } else if (port >= 0 || !parse_number(arg, 0, 65535, port)) {
            return bad_usage("expected one PORT 0-65535, got " + std::string(arg));
        } else {
            continue;
        }
        ++i;  // the option's value
    }
    const auto address = netlite::address::parse(bind);
    if (!address) return bad_usage("--bind: not an IPv4 or IPv6 address: " + std::string(bind));
    if (port < 0) return bad_usage("PORT is required");

    std::error_code ec;
    const netlite::endpoint local(*address, static_cast<std::uint16_t>(port));
    netlite::tcp_listener listener;
    listener.bind(local, ec);
    if (!ec) listener.set_blocking(false, ec);  // accepted streams inherit non-blocking mode
    if (ec) return fail("listen on " + local.to_string(), ec);
    netlite::accept_guard guard(ec);
    if (ec) return fail("accept_guard", ec);
    server s{netlite::selector(netlite::selector_backend::best, ec)};
    if (!ec) s.sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return fail("selector", ec);
    s.max_line = static_cast<std::size_t>(max_line);
    s.line_timeout = std::chrono::seconds(line_timeout);

    to_wake = &s.sel;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    while (!stop_requested) {
        const auto ready = s.sel.select(s.timers.next_timeout(), ec);
        if (ec) return fail("select", ec);
        bool joining = false;  // accept after the loop: adding handles may move the ready set
        for (const auto& ev : ready) {
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            if (!ev.data) {
                joining = true;
            } else if (any(ev.ready & netlite::events::write)) {
                s.on_writable(*static_cast<client*>(ev.data));
            } else {
                s.on_readable(*static_cast<client*>(ev.data));
            }
        }
        if (joining) s.accept_all(listener, guard);
        while (const auto id = s.timers.pop_expired()) {
            const auto it = s.clients.find(*id);
            if (it != s.clients.end()) s.drop(*it->second);  // unfinished line: no answer
        }
    }
    return 0;
}
