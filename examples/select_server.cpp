// SPDX-License-Identifier: MIT
// select_server: a chat room on one thread and a netlite::selector. Each line a client sends
// goes to all the others as "[<sender>] <line>", plus "* <who> joined/left" notices. Lines are
// bounded (--max-line), so is each client's queue (--max-queue: a client that stops reading is
// dropped, never waited for), and silent clients time out (--idle).
// Try: select_server 9000    and, in two other terminals: nc 127.0.0.1 9000
#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/socket.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

const char* const usage =
    "usage: select_server [--backend select|poll|epoll] [--bind ADDR] [--max-line N]\n"
    "                     [--max-queue BYTES] [--idle SECS] PORT\n"
    "  a chat room on ADDR:PORT (default 127.0.0.1; PORT 0 picks one); defaults: --backend\n"
    "  epoll (else poll), --max-line 4096, --max-queue 1048576, --idle 300\n";

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

struct client {
    client(std::uint64_t n, netlite::accepted_connection c, std::size_t max_line)
        : id(n), stream(std::move(c.stream)), name(c.peer.to_string()), reader(max_line) {}
    std::uint64_t id;
    netlite::tcp_stream stream;
    std::string name;
    netlite::line_reader reader;
    std::string out;  // queued output; the first `sent` bytes are already sent
    std::size_t sent = 0;
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
        if (c.out.size() - c.sent + text.size() > max_queue) return drop(c);
        std::error_code ec;
        if (c.out.size() == c.sent)
            sel.modify(c.stream, netlite::events::read | netlite::events::write, ec);
        c.out.append(text);
    }
    void drop(client& c, std::string_view farewell = {}) {
        if (c.dead) return;
        c.dead = true;
        dropped.push_back(c.id);
        std::error_code ec;
        sel.remove(c.stream, ec);
        timers.cancel(c.idle);
        if (!farewell.empty()) {  // one attempt that never waits: what is queued, then why
            c.out.append(farewell);
            c.stream.send(std::string_view(c.out).substr(c.sent), ec);
        }
        c.stream.close(ec);
        broadcast(c, "* " + c.name + " left\n");
    }
    void accept_all(netlite::tcp_listener& listener, netlite::accept_guard& guard) {
        for (int i = 0; i < 64; ++i) {  // then let the others have a turn
            std::error_code ec;
            netlite::accepted_connection conn = guard.accept(listener, ec);
            if (ec == std::errc::operation_would_block) return;
            if (ec) return void(std::cerr << "select_server: accept: " << ec.message() << '\n');
            auto c = std::make_unique<client>(next_id++, std::move(conn), max_line);
            sel.add(c->stream, netlite::events::read, c.get(), ec);
            if (ec) {
                std::cerr << "select_server: " << c->name << ": " << ec.message() << '\n';
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
        if (ec) drop(c, "! line too long\n");  // nothing of that line was relayed
    }
    void on_writable(client& c) {
        std::error_code ec;
        c.sent += c.stream.send(std::string_view(c.out).substr(c.sent), ec);
        if (ec && ec != std::errc::operation_would_block) return drop(c);
        if (c.sent == c.out.size()) {
            c.out.clear();
            c.sent = 0;
            sel.modify(c.stream, netlite::events::read, ec);
        } else if (c.sent > 65536 && c.sent > c.out.size() / 2) {
            c.out.erase(0, c.sent);
            c.sent = 0;
        }
    }
};

int bad_usage(const std::string& why) {
    std::cerr << "select_server: " << why << '\n' << usage;
    return 2;
}

int fail(const std::string& what, const std::error_code& ec) {
    std::cerr << "select_server: " << what << ": " << ec.message() << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view bind = "127.0.0.1", backend_name = "best";
    long max_line = 4096, max_queue = 1 << 20, idle = 300, port = -1;
    const numeric_option numbers[] = {{"--max-line", &max_line, 1, 1 << 24},
                                      {"--max-queue", &max_queue, 1, 1L << 30},
                                      {"--idle", &idle, 1, 31536000}};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i], value = i + 1 < argc ? argv[i + 1] : "";
        const numeric_option* number = nullptr;
        for (const numeric_option& o : numbers) number = o.name == arg ? &o : number;
        if (arg == "--help" || arg == "-h") return std::cout << usage, 0;
        if (arg == "--bind" || arg == "--backend") {
            (arg == "--bind" ? bind : backend_name) = value;
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
    auto backend = netlite::selector_backend::best;
    for (const auto b : {netlite::selector_backend::select, netlite::selector_backend::poll,
                         netlite::selector_backend::epoll, netlite::selector_backend::kqueue})
        if (backend_name == netlite::to_string(b) && netlite::selector::is_available(b))
            backend = b;
    if (backend_name != "best" && backend == netlite::selector_backend::best)
        return bad_usage("unknown or unavailable backend: " + std::string(backend_name));
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
    room r{netlite::selector(backend, ec)};
    if (!ec) r.sel.add(listener, netlite::events::read, nullptr, ec);  // data nullptr: listener
    if (ec) return fail("selector", ec);
    r.max_line = static_cast<std::size_t>(max_line);
    r.max_queue = static_cast<std::size_t>(max_queue);
    r.idle = std::chrono::seconds(idle);

    to_wake = &r.sel;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "listening on " << listener.local_endpoint().to_string() << std::endl;

    while (!stop_requested) {
        const auto ready = r.sel.select(r.timers.next_timeout(), ec);
        if (ec) return fail("select", ec);
        bool joining = false;  // accept after the loop: adding handles may move the ready set
        for (const auto& ev : ready) {
            if (!any(ev.ready)) continue;  // dropped earlier in this round
            joining = joining || !ev.data;
            if (!ev.data) continue;
            client& c = *static_cast<client*>(ev.data);
            if (any(ev.ready & netlite::events::write)) r.on_writable(c);
            if (any(ev.ready & netlite::events::read) && !c.dead) r.on_readable(c);
        }
        if (joining) r.accept_all(listener, guard);
        while (const auto id = r.timers.pop_expired()) {
            const auto it = r.clients.find(*id);
            if (it != r.clients.end()) r.drop(*it->second, "! idle timeout\n");
        }
        for (const std::uint64_t id : r.dropped) r.clients.erase(id);
        r.dropped.clear();
    }
    return 0;
}
