// SPDX-License-Identifier: MIT
// chat_load: the load test of issue 6. Starts examples/select_server (the path on the command
// line) on 127.0.0.1 with the epoll backend, connects N chatting clients (default 1000) from one
// thread with one netlite::selector and non-blocking tcp_streams, lets each send K numbered
// lines (default 30: about 30 million deliveries, a few seconds here, ~25 s under
// ThreadSanitizer), and checks that every line reaches every other client exactly once and in
// order (per-sender sequence numbers) and that every join notice arrives. Prints deliveries/s
// and the server's peak RSS (VmHWM). Exit 0 only if everything arrived exactly once in order,
// 1 on a failure, 2 on bad usage, 77 (skip) when the descriptor limit cannot be raised high
// enough (a failure under NETLITE_REQUIRE_PEERS=1). Bounded: --seconds (default 240) for the
// exchange, 10 s each for the server to start and to stop.
// Try: chat_load build/dev/examples/select_server --clients 100 --lines 3
#include <netlite/line_reader.hpp>
#include <netlite/selector.hpp>
#include <netlite/socket.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;
using netlite::milliseconds;

constexpr int skip_exit = 77;

struct options {
    std::string server;
    long clients = 1000;
    long lines = 30;
    long seconds = 240;
    long window = 2;
    std::string backend = "epoll";
};

const char* const usage =
    "usage: chat_load SELECT_SERVER [--clients N] [--lines K] [--window W] [--seconds S]\n"
    "                 [--backend B]\n"
    "  starts SELECT_SERVER on 127.0.0.1, connects N clients (default 1000), each sends K lines\n"
    "  (default 30) in rounds, at most W rounds in flight (default 2); every line must reach\n"
    "  every other client once and in order within S seconds (default 240). B: the server's\n"
    "  --backend (default epoll).\n";

bool parse_long(std::string_view text, long min, long max, long& out) {
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), out);
    return err == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

int fail(const std::string& why) {
    std::cerr << "chat_load: FAIL: " << why << '\n';
    return 1;
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// ---- the server process ----

struct server_process {
    pid_t pid = -1;
    int out = -1;  // the read end of its stdout

    ~server_process() { stop(); }

    // SIGTERM, then wait for its stdout to close (it exits) for at most 10 s, else SIGKILL.
    int stop() {
        if (pid < 0) return 0;
        ::kill(pid, SIGTERM);  // our own child, by pid
        char sink[256];
        const auto deadline = clock_type::now() + std::chrono::seconds(10);
        bool closed = false;
        while (!closed && clock_type::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            const auto left =
                std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
            if (::poll(&p, 1, static_cast<int>(left > 0 ? left : 0)) <= 0) continue;
            closed = ::read(out, sink, sizeof sink) <= 0;
        }
        if (!closed) ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        ::close(out);
        pid = -1;
        return status;
    }
};

// Starts the server with `args` and reads its "listening on <endpoint>" line (10 s at most).
std::optional<netlite::endpoint> start_server(const std::string& path,
                                              const std::vector<std::string>& args,
                                              server_process& proc, std::string& why) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return why = "pipe2 failed", std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::vector<std::string> argv_storage{path};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&proc.pid, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    proc.out = fds[0];
    if (rc != 0) {
        proc.pid = -1;
        why = "cannot start " + path + ": " + std::strerror(rc);
        return std::nullopt;
    }
    std::string text;
    const auto deadline = clock_type::now() + std::chrono::seconds(10);
    while (text.find('\n') == std::string::npos && clock_type::now() < deadline) {
        pollfd p{proc.out, POLLIN, 0};
        const auto left =
            std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
        if (::poll(&p, 1, static_cast<int>(left > 0 ? left : 0)) <= 0) continue;
        char buf[256];
        const ssize_t n = ::read(proc.out, buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    const std::string_view prefix = "listening on ";
    const std::size_t eol = text.find('\n');
    if (eol == std::string::npos || text.compare(0, prefix.size(), prefix) != 0) {
        why = "the server did not say 'listening on': " + text;
        return std::nullopt;
    }
    auto ep = netlite::endpoint::parse(std::string_view(text).substr(0, eol).substr(prefix.size()));
    if (!ep) why = "cannot parse " + text.substr(0, eol);
    return ep;
}

long peak_rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = -1;
    while (in >> key) {
        if (key == "VmHWM:") {
            in >> value;
            return value;
        }
        in.ignore(1 << 16, '\n');
    }
    return -1;
}

// ---- the clients ----

struct client {
    netlite::tcp_stream stream;
    netlite::line_reader reader{256};
    std::string out;  // bytes not yet sent; the first `sent` are gone
    std::size_t sent = 0;
    long next_line = 0;       // the next line number this client sends
    std::uint32_t joins = 0;  // join notices received
    bool writing = false;
};

struct run {
    std::vector<client> clients;
    std::vector<std::int32_t> by_port = std::vector<std::int32_t>(65536, -1);
    // expected[r * n + s]: the next sequence number receiver r expects from sender s.
    std::vector<std::uint32_t> expected;
    std::uint64_t deliveries = 0;
    std::string error;
    long lines = 0;

    std::size_t n() const { return clients.size(); }

    void flush(netlite::basic_selector<std::uint32_t>& sel, std::uint32_t i) {
        client& c = clients[i];
        std::error_code ec;
        while (c.sent < c.out.size()) {
            const std::size_t k = c.stream.send(std::string_view(c.out).substr(c.sent), ec);
            if (ec == std::errc::operation_would_block) break;
            if (ec) return void(error = "client " + std::to_string(i) + ": send: " + ec.message());
            c.sent += k;
        }
        if (c.sent == c.out.size()) {
            c.out.clear();
            c.sent = 0;
        }
        const bool want_write = !c.out.empty();
        if (want_write != c.writing) {
            c.writing = want_write;
            sel.modify(
                c.stream,
                want_write ? netlite::events::read | netlite::events::write : netlite::events::read,
                ec);
            if (ec) error = "modify: " + ec.message();
        }
    }

    // One line received by client `r`.
    void on_line(std::uint32_t r, std::string_view line) {
        if (!line.empty() && line[0] == '*') {  // "* 127.0.0.1:port joined" / "left"
            if (line.size() > 7 && line.substr(line.size() - 7) == " joined") {
                ++clients[r].joins;
                return;
            }
            error = "receiver " + std::to_string(r) + " got " + std::string(line);
            return;
        }
        // "[127.0.0.1:PORT] m <seq>"
        const std::size_t colon = line.find(':');
        const std::size_t close = line.find("] m ");
        long port = -1, seq = -1;
        if (line.empty() || line[0] != '[' || colon == std::string_view::npos ||
            close == std::string_view::npos ||
            !parse_long(line.substr(colon + 1, close - colon - 1), 1, 65535, port) ||
            !parse_long(line.substr(close + 4), 0, 1L << 30, seq) ||
            by_port[static_cast<std::size_t>(port)] < 0) {
            error =
                "receiver " + std::to_string(r) + ": unexpected line '" + std::string(line) + "'";
            return;
        }
        const auto s = static_cast<std::size_t>(by_port[static_cast<std::size_t>(port)]);
        std::uint32_t& want = expected[r * n() + s];
        if (s == r || static_cast<long>(want) != seq) {
            error = "receiver " + std::to_string(r) + " from sender " + std::to_string(s) +
                    ": got line " + std::to_string(seq) + ", expected " + std::to_string(want) +
                    (s == r ? " (its own line came back)" : "");
            return;
        }
        ++want;
        ++deliveries;
    }

    void on_readable(std::uint32_t r) {
        client& c = clients[r];
        for (int reads = 0; reads < 4 && error.empty(); ++reads) {
            std::error_code ec;
            const netlite::mutable_buffer room = c.reader.prepare(65536);
            const std::size_t k = c.stream.receive(room, ec);
            if (ec == std::errc::operation_would_block) return;
            if (ec) return void(error = "client " + std::to_string(r) + ": " + ec.message());
            if (k == 0) return void(error = "client " + std::to_string(r) + " was disconnected");
            c.reader.commit(k);
            while (error.empty()) {
                const auto line = c.reader.next_line(ec);
                if (ec) return void(error = "client " + std::to_string(r) + ": line too long");
                if (!line) break;
                on_line(r, *line);
            }
        }
    }
};

// Raises the soft descriptor limit to at least `want` (up to the hard limit). The server,
// started afterwards, inherits it.
bool raise_nofile(rlim_t want, rlim_t& got) {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return false;
    if (l.rlim_cur != RLIM_INFINITY && l.rlim_cur < want) {
        l.rlim_cur = (l.rlim_max == RLIM_INFINITY || l.rlim_max > want) ? want : l.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &l);
        ::getrlimit(RLIMIT_NOFILE, &l);
    }
    got = l.rlim_cur;
    return l.rlim_cur == RLIM_INFINITY || l.rlim_cur >= want;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const std::string_view value = i + 1 < argc ? argv[i + 1] : "";
        if (arg == "--help" || arg == "-h") return std::cout << usage, 0;
        long* number = arg == "--clients"   ? &opt.clients
                       : arg == "--lines"   ? &opt.lines
                       : arg == "--seconds" ? &opt.seconds
                       : arg == "--window"  ? &opt.window
                                            : nullptr;
        if (number) {
            if (!parse_long(value, 1, 100000, *number))
                return std::cerr << "chat_load: " << arg << " needs a number\n" << usage, 2;
            ++i;
        } else if (arg == "--backend") {
            opt.backend = std::string(value);
            ++i;
        } else if (!arg.empty() && arg[0] != '-' && opt.server.empty()) {
            opt.server = std::string(arg);
        } else {
            return std::cerr << "chat_load: unexpected " << arg << '\n' << usage, 2;
        }
    }
    if (opt.server.empty()) return std::cerr << usage, 2;
    const auto n = static_cast<std::size_t>(opt.clients);

    rlim_t limit = 0;
    if (!raise_nofile(static_cast<rlim_t>(n) + 64, limit)) {
        const std::string why = "RLIMIT_NOFILE cannot be raised to " + std::to_string(n + 64) +
                                " (hard limit allows " + std::to_string(limit) + ")";
        const char* required = std::getenv("NETLITE_REQUIRE_PEERS");
        if (required && std::string_view(required) == "1") return fail(why);
        std::cout << "SKIPPED: " << why << '\n';
        return skip_exit;
    }

    // --max-queue: a client whose queue would pass it is dropped, which would fail this test
    // for the wrong reason. Pacing keeps about W rounds (W * N * ~28 bytes) queued per client,
    // but this one-thread generator serves its 1000 clients in turn, so one of them may fall
    // further behind. So the bound is 4x a receiver's whole share (K * (N-1) lines and N join
    // notices of <= 32 bytes), never below the server's default of 1 MiB (the default itself
    // for K <= 7 with 1000 clients; ~3.8 MiB for the default K = 30).
    const std::size_t share = static_cast<std::size_t>(opt.lines) * n * 32 + n * 32;
    const std::size_t max_queue = std::max<std::size_t>(std::size_t{1} << 20, 4 * share);
    server_process server;
    std::string why;
    const auto where = start_server(opt.server,
                                    {"--backend", opt.backend, "--bind", "127.0.0.1", "--max-queue",
                                     std::to_string(max_queue), "--idle", "3600", "0"},
                                    server, why);
    if (!where) return fail(why);

    run r;
    r.lines = opt.lines;
    r.clients.resize(n);
    r.expected.assign(n * n, 0);
    netlite::basic_selector<std::uint32_t> sel(netlite::selector_backend::best);
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::seconds(opt.seconds);

    // Connect one by one (blocking, 10 s each), so the server accepts them in this order and
    // client i hears exactly the joins of clients i+1..N-1.
    for (std::size_t i = 0; i < n; ++i) {
        client& c = r.clients[i];
        std::error_code ec;
        c.stream.set_timeout(milliseconds(10000));
        c.stream.connect(*where, milliseconds(10000), ec);
        if (!ec) c.stream.set_timeout(std::nullopt, ec);
        if (!ec) c.stream.set_blocking(false, ec);
        if (ec) return fail("connect " + std::to_string(i) + ": " + ec.message());
        const netlite::endpoint me = c.stream.local_endpoint(ec);
        if (ec) return fail("local_endpoint: " + ec.message());
        r.by_port[me.port()] = static_cast<std::int32_t>(i);
        sel.add(c.stream, netlite::events::read, static_cast<std::uint32_t>(i));
    }
    const double connect_seconds = seconds_since(start);

    // Phase 1: every join notice; then client 0 has seen all the others in the room.
    // Phase 2: K rounds; in each, every client sends one line "m <seq>".
    bool chatting = false;
    std::size_t joined = 0;
    clock_type::time_point chat_start{};
    const std::uint64_t per_round = static_cast<std::uint64_t>(n) * (n - 1);
    const std::uint64_t total = per_round * static_cast<std::uint64_t>(opt.lines);
    long round = 0;
    while (r.error.empty() && (!chatting || r.deliveries < total)) {
        if (clock_type::now() > deadline) {
            r.error = "deadline: " + std::to_string(r.deliveries) + " of " + std::to_string(total) +
                      " deliveries after " + std::to_string(opt.seconds) + " s";
            break;
        }
        const auto ready = sel.select(milliseconds(1000));
        for (const auto& ev : ready) {
            if (any(ev.ready & netlite::events::write)) r.flush(sel, ev.data);
            if (any(ev.ready & netlite::events::read)) r.on_readable(ev.data);
            if (!r.error.empty()) break;
        }
        if (!chatting) {
            joined = 0;
            for (std::size_t i = 0; i < n; ++i) joined += r.clients[i].joins == n - 1 - i;
            if (joined == n) {
                chatting = true;
                chat_start = clock_type::now();
            }
        }
        // Round k goes out once rounds before k - W + 1 are (about) delivered: at most W rounds
        // are in flight, so the server's queues stay bounded whatever K is.
        while (chatting && round < opt.lines && r.error.empty() &&
               r.deliveries + static_cast<std::uint64_t>(opt.window) * per_round >=
                   static_cast<std::uint64_t>(round + 1) * per_round) {
            for (std::uint32_t i = 0; i < n && r.error.empty(); ++i) {
                client& c = r.clients[i];
                c.out.append("m ").append(std::to_string(c.next_line++)).append("\n");
                r.flush(sel, i);
            }
            ++round;
        }
    }
    const double chat_seconds = chatting ? seconds_since(chat_start) : 0.0;
    const long rss_kb = peak_rss_kb(server.pid);
    const int status = server.stop();

    if (r.error.empty()) {
        for (std::size_t i = 0; i < n && r.error.empty(); ++i)
            if (r.clients[i].joins != n - 1 - i)
                r.error = "client " + std::to_string(i) + " heard " +
                          std::to_string(r.clients[i].joins) + " joins, expected " +
                          std::to_string(n - 1 - i);
        for (std::size_t i = 0; i < n && r.error.empty(); ++i)
            for (std::size_t s = 0; s < n; ++s)
                if (r.expected[i * n + s] != (s == i ? 0u : static_cast<std::uint32_t>(opt.lines)))
                    r.error = "receiver " + std::to_string(i) + " from sender " +
                              std::to_string(s) + ": " + std::to_string(r.expected[i * n + s]) +
                              " lines";
    }
    std::cout << "chat_load: " << n << " clients (" << opt.backend << "), " << opt.lines
              << " lines each, " << opt.window << " rounds in flight, --max-queue " << max_queue
              << "\n"
              << "  connect: " << connect_seconds << " s\n"
              << "  deliveries: " << r.deliveries << " of " << total << " in " << chat_seconds
              << " s = "
              << static_cast<long long>(
                     chat_seconds > 0 ? static_cast<double>(r.deliveries) / chat_seconds : 0.0)
              << " deliveries/s\n"
              << "  server peak RSS (VmHWM): " << static_cast<double>(rss_kb) / 1024.0 << " MB\n"
              << "  server exit status: " << status << std::endl;
    if (!r.error.empty()) return fail(r.error);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail("the server did not exit cleanly on SIGTERM (status " + std::to_string(status) +
                    ")");
    std::cout << "chat_load: PASS: every line reached every other client exactly once, in order"
              << std::endl;
    return 0;
}
