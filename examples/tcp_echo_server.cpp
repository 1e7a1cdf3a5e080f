// SPDX-License-Identifier: MIT
// tcp_echo_server: the first tutorial's server. Answers each line with the line upper-cased,
// for many clients at once on one thread (a netlite::selector over non-blocking sockets).
// --greeting TEXT first sends TEXT to each new client (the workshop's welcome server).
// Try: tcp_echo_server 9999 & tcp_client 127.0.0.1 9999
#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/socket.hpp>

#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

const char* const usage =
    "usage: tcp_echo_server [--bind ADDR] [--greeting TEXT] PORT\n"
    "  answers each line upper-cased on ADDR:PORT (default 127.0.0.1; PORT 0 picks one);\n"
    "  a line longer than 65536 bytes ends that client's connection\n";

volatile std::sig_atomic_t stop_requested = 0;
const netlite::selector* to_wake = nullptr;  // set before the handler is installed
void request_stop(int) {
    stop_requested = 1;
    to_wake->wakeup();  // one write(2): safe in a signal handler
}

// A client is either reading (nothing to send) or writing its replies, never both: one that
// does not read its replies is not read from either, so it cannot make the server buffer more.
struct client {
    netlite::tcp_stream stream;
    netlite::line_reader reader{65536};
    std::string out;  // replies; the first `sent` bytes are already sent
    std::size_t sent = 0;
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
    while (const auto line = c.reader.next_line(ec)) {
        for (const char ch : *line) c.out += static_cast<char>(std::toupper(ch & 0xff));
        c.out += '\n';
    }
    if (ec) return drop(sel, clients, c);  // line too long
    if (!c.out.empty()) sel.modify(c.stream, netlite::events::write, ec);
}

void on_writable(netlite::selector& sel, client_map& clients, client& c) {
    std::error_code ec;
    c.sent += c.stream.send(std::string_view(c.out).substr(c.sent), ec);
    if (ec && ec != std::errc::operation_would_block) return drop(sel, clients, c);
    if (c.sent < c.out.size()) return;
    c.out.clear();
    c.sent = 0;
    sel.modify(c.stream, netlite::events::read, ec);
}

int bad_usage(const std::string& why) {
    std::cerr << "tcp_echo_server: " << why << '\n' << usage;
    return 2;
}

int fail(const std::string& what, const std::error_code& ec) {
    std::cerr << "tcp_echo_server: " << what << ": " << ec.message() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1", port_text;
    std::string greeting;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") return std::cout << usage, 0;
        if ((arg == "--bind" || arg == "--greeting") && i + 1 == argc)
            return bad_usage(std::string(arg) + " needs a value");
        if (arg == "--bind") {
            bind = argv[++i];
        } else if (arg == "--greeting") {
            greeting.assign(argv[++i]).append("\n");
        } else if (arg.size() > 1 && arg[0] == '-') {
            return bad_usage("unknown option " + std::string(arg));
        } else if (!port_text.empty()) {
            return bad_usage("expected one PORT, got " + std::string(arg));
        } else {
            port_text = arg;
        }
    }
    std::uint16_t port = 0;
    const auto [end, err] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || err != std::errc() || end != port_text.data() + port_text.size())
        return bad_usage("PORT must be a number 0-65535");
    const auto address = netlite::address::parse(bind);
    if (!address) return bad_usage("--bind: not an IPv4 or IPv6 address: " + std::string(bind));

    std::error_code ec;
    netlite::tcp_listener listener;
    listener.bind({*address, port}, ec);
    if (ec) return fail("bind " + netlite::endpoint(*address, port).to_string(), ec);
    listener.set_blocking(false, ec);  // accepted streams inherit non-blocking mode
    if (ec) return fail("set_blocking", ec);
    netlite::accept_guard guard(ec);
    if (ec) return fail("accept_guard", ec);
    netlite::selector sel(netlite::selector_backend::best, ec);
    if (!ec) sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return fail("selector", ec);

    to_wake = &sel;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    client_map clients;
    while (!stop_requested) {
        const auto ready = sel.select(std::nullopt, ec);
        if (ec) return fail("select", ec);
        bool joining = false;  // accept after the loop: adding handles may move the ready set
        for (const auto& ev : ready) {
            client* c = static_cast<client*>(ev.data);
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            if (!c) {
                joining = true;
            } else if (any(ev.ready & netlite::events::write)) {
                on_writable(sel, clients, *c);
            } else {
                on_readable(sel, clients, *c);
            }
        }
        for (int i = 0; joining && i < 64; ++i) {  // accept up to 64, then serve the others
            netlite::accepted_connection conn = guard.accept(listener, ec);
            if (ec == std::errc::operation_would_block) break;
            if (ec) {
                std::cerr << "tcp_echo_server: accept: " << ec.message() << '\n';
                break;
            }
            auto fresh = std::make_unique<client>();
            fresh->stream = std::move(conn.stream);
            fresh->out = greeting;
            sel.add(fresh->stream,
                    greeting.empty() ? netlite::events::read : netlite::events::write, fresh.get(),
                    ec);
            if (ec) std::cerr << "tcp_echo_server: " << conn.peer << ": " << ec.message() << '\n';
            if (!ec) clients.emplace(fresh.get(), std::move(fresh));
        }
    }
    return 0;
}
