// SPDX-License-Identifier: MIT
// Interoperability with real peers: OpenBSD netcat (`nc`) and `socat` on the other end of TCP and
// UDP exchanges over 127.0.0.1, in both directions (netlite listening with the peer as client,
// and netlite connecting to a peer that listens on a port the OS picked and that the peer
// reports on stderr). Peers are spawned with pipes on stdin/stdout/stderr; every wait is bounded;
// only the child spawned here is ever signalled, by its pid, and it is always reaped.
//
// When a peer program is not installed the case prints "SKIPPED: <reason>" and returns; CTest
// reports such a case as skipped through SKIP_REGULAR_EXPRESSION "SKIPPED:" on these tests.
#include <netlite/socket.hpp>

#include <doctest/doctest.h>

#if defined(_WIN32)  // Windows port: the peers are POSIX programs spawned with posix_spawn
TEST_SUITE_BEGIN("interop");
TEST_CASE("interop: nc and socat peers over loopback") {
    MESSAGE(
        "SKIPPED: the nc/socat peers are Linux programs that a Windows build (Wine) cannot "
        "spawn or pipe to");
}
TEST_SUITE_END();
#else
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;

namespace {

using netlite::milliseconds;
using clock_type = std::chrono::steady_clock;

constexpr milliseconds guard{5000};  // every socket's default timeout, and every wait's bound

// The full path of `name` found in PATH, or nothing.
std::optional<std::string> find_program(std::string_view name) {
    const char* path = std::getenv("PATH");
    if (!path) return std::nullopt;
    std::string_view rest(path);
    while (true) {
        const std::size_t colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        if (dir.empty()) dir = ".";
        std::string candidate = dir + "/" + std::string(name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(colon + 1);
    }
}

int remaining_ms(clock_type::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// A spawned peer with pipes on its stdin, stdout and stderr. The destructor kills it (SIGKILL,
// by pid) if it is still running and always reaps it.
class child_process {
  public:
    child_process() = default;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process() {
        close_stdin();
        close_fd(out_);
        close_fd(err_);
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    // Starts `argv[0]` (a full path). Returns false with `error` set when spawning fails.
    bool start(const std::vector<std::string>& argv, std::string& error) {
        int in[2], out[2], err[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
            ::pipe2(err, O_CLOEXEC) != 0) {
            error = "pipe2 failed";
            return false;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        // dup2 clears close-on-exec on the copies, so the child keeps exactly these three.
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        pid_t pid = -1;
        const int r = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        ::close(err[1]);
        in_ = in[1];
        out_ = out[0];
        err_ = err[0];
        if (r != 0) {
            error = "posix_spawn " + argv[0] + ": " + std::system_category().message(r);
            return false;
        }
        pid_ = pid;
        return true;
    }

    // Writes all of `text` to the child's stdin.
    bool write_stdin(std::string_view text) {
        while (!text.empty()) {
            const ssize_t n = ::write(in_, text.data(), text.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            text.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    void close_stdin() { close_fd(in_); }

    // Reads the child's stdout until EOF, until `until` (if not empty) appears, or until the
    // deadline.
    std::string read_stdout(std::string_view until = {}) {
        return read_from(out_, [&](const std::string& text) {
            return !until.empty() && text.find(until) != std::string::npos;
        });
    }
    // Reads the child's stderr until a whole line containing `marker` has arrived (or EOF, or
    // the deadline).
    std::string read_stderr_line(std::string_view marker) {
        return read_from(err_, [&](const std::string& text) {
            const std::size_t at = text.find(marker);
            return at != std::string::npos && text.find('\n', at) != std::string::npos;
        });
    }

    // Waits for the child to exit; its wait status, or nothing at the deadline.
    std::optional<int> wait_exit(milliseconds timeout = guard) {
        const auto deadline = clock_type::now() + timeout;
#if defined(SYS_pidfd_open)
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            int r = 0;
            do {
                r = ::poll(&p, 1, remaining_ms(deadline));
            } while (r < 0 && errno == EINTR);
            ::close(pidfd);
            if (r != 1) return std::nullopt;
        }
#endif
        for (;;) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return status;
            }
            if (r < 0 && errno != EINTR) return std::nullopt;
            if (remaining_ms(deadline) == 0) return std::nullopt;
            ::poll(nullptr, 0, 5);  // no pidfd on this system: re-check until the deadline
        }
    }

    // Ends a peer that would otherwise linger (a UDP peer has no EOF to stop at).
    void terminate() {
        if (pid_ > 0) ::kill(pid_, SIGTERM);
        wait_exit();
    }

  private:
    static void close_fd(int& fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
    template <typename Done>
    std::string read_from(int fd, Done done) {
        std::string text;
        const auto deadline = clock_type::now() + guard;
        char buf[4096];
        while (!done(text)) {
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, remaining_ms(deadline));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;  // deadline
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // EOF
            text.append(buf, static_cast<std::size_t>(n));
        }
        return text;
    }

    pid_t pid_ = -1;
    int in_ = -1;
    int out_ = -1;
    int err_ = -1;
};

// The port at the end of the first line of `text` that contains `marker`, e.g. nc's
// "Listening on 127.0.0.1 40421" or socat's "listening on AF=2 127.0.0.1:57763".
std::uint16_t port_after(const std::string& text, std::string_view marker) {
    const std::size_t at = text.find(marker);
    if (at == std::string::npos) return 0;
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::size_t begin = end;
    while (begin > at && text[begin - 1] >= '0' && text[begin - 1] <= '9') --begin;
    unsigned long value = 0;
    for (std::size_t i = begin; i < end && i < begin + 5; ++i)
        value = value * 10 + static_cast<unsigned long>(text[i] - '0');
    return value > 0 && value <= 65535 ? static_cast<std::uint16_t>(value) : 0;
}

std::string receive_until_eof(netlite::tcp_stream& s) {
    std::string out;
    char buf[4096];
    for (int i = 0; i < 10000; ++i) {
        const std::size_t n = s.receive(buf);
        if (n == 0) break;
        out.append(buf, n);
    }
    return out;
}

netlite::tcp_listener make_listener() {
    netlite::tcp_listener l;
    l.set_timeout(guard);
    l.bind({netlite::address_v4::loopback(), 0});
    return l;
}

netlite::udp_socket make_udp() {
    netlite::udp_socket s;
    s.set_timeout(guard);
    s.bind({netlite::address_v4::loopback(), 0});
    return s;
}

// Returns the program's path, or prints the skip line and returns nothing. Where CI sets
// NETLITE_REQUIRE_PEERS=1 a missing peer is a failure, so nothing is skipped there.
std::optional<std::string> require_program(const char* name) {
    std::optional<std::string> path = find_program(name);
    if (path) return path;
    const char* required = std::getenv("NETLITE_REQUIRE_PEERS");
    if (required && std::string_view(required) == "1")
        FAIL_CHECK(std::string(name) << " not found in PATH and NETLITE_REQUIRE_PEERS=1");
    else
        MESSAGE("SKIPPED: " << std::string(name) << " not found in PATH");
    return path;
}

// Peer as TCP client: it sends `request` and half-closes; netlite reads to EOF, answers, closes;
// the peer prints the answer and exits 0.
void peer_client_tcp_exchange(std::vector<std::string> argv) {
    netlite::tcp_listener l = make_listener();
    const std::string port = std::to_string(l.local_endpoint().port());
    for (std::string& a : argv) {
        const std::size_t at = a.find("PORT");
        if (at != std::string::npos) a.replace(at, 4, port);
    }
    child_process peer;
    std::string error;
    REQUIRE_MESSAGE(peer.start(argv, error), error);
    const std::string request = "hello from " + argv[0] + "\n";
    REQUIRE(peer.write_stdin(request));
    peer.close_stdin();

    netlite::accepted_connection c = l.accept();
    CHECK(c.peer.address().is_loopback());
    CHECK(receive_until_eof(c.stream) == request);
    const std::string reply = "hello from netlite\n";
    CHECK(c.stream.send_all(reply) == reply.size());
    c.stream.close();

    CHECK(peer.read_stdout() == reply);
    const std::optional<int> status = peer.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
}

// Peer as UDP client: it sends one datagram; netlite answers the sender; the peer prints it.
void peer_client_udp_exchange(std::vector<std::string> argv) {
    netlite::udp_socket s = make_udp();
    const std::string port = std::to_string(s.local_endpoint().port());
    for (std::string& a : argv) {
        const std::size_t at = a.find("PORT");
        if (at != std::string::npos) a.replace(at, 4, port);
    }
    child_process peer;
    std::string error;
    REQUIRE_MESSAGE(peer.start(argv, error), error);
    REQUIRE(peer.write_stdin("ping\n"));
    peer.close_stdin();

    char buf[64];
    netlite::endpoint sender;
    const std::size_t n = s.receive_from(buf, sender);
    CHECK(std::string(buf, n) == "ping\n");
    CHECK(sender.address().is_loopback());
    CHECK(sender.port() != 0);
    CHECK(s.send_to("pong\n", sender) == 5);
    CHECK(peer.read_stdout("pong\n") == "pong\n");
    peer.terminate();  // a UDP client waits for more until its own idle timeout
}

// Peer as TCP server on a port it picked and printed to stderr after `marker`.
void peer_server_tcp_exchange(const std::vector<std::string>& argv, std::string_view marker) {
    child_process peer;
    std::string error;
    REQUIRE_MESSAGE(peer.start(argv, error), error);
    const std::string banner = peer.read_stderr_line(marker);
    const std::uint16_t port = port_after(banner, marker);
    CAPTURE(banner);
    REQUIRE(port != 0);

    netlite::tcp_stream s;
    s.set_timeout(guard);
    s.connect({netlite::address_v4::loopback(), port});
    // Our EOF goes last: `nc -l` quits at EOF from the network as soon as its buffers are
    // empty, even with stdin still unread (netcat.c readwrite: "listen and net in gone").
    const std::string reply = "hello from " + argv[0] + "\n";
    REQUIRE(peer.write_stdin(reply));
    peer.close_stdin();
    const std::string request = "hello from netlite\n";
    CHECK(s.send_all(request) == request.size());
    CHECK(receive_until_eof(s) == reply);  // the peer half-closes after its stdin's EOF
    s.shutdown(netlite::shutdown_type::send);
    CHECK(peer.read_stdout() == request);
    const std::optional<int> status = peer.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
}

// Peer as UDP server on a port it picked and printed: the first datagram makes it answer there.
void peer_server_udp_exchange(const std::vector<std::string>& argv, std::string_view marker) {
    child_process peer;
    std::string error;
    REQUIRE_MESSAGE(peer.start(argv, error), error);
    const std::string banner = peer.read_stderr_line(marker);
    const std::uint16_t port = port_after(banner, marker);
    CAPTURE(banner);
    REQUIRE(port != 0);

    netlite::udp_socket s = make_udp();
    const netlite::endpoint server{netlite::address_v4::loopback(), port};
    CHECK(s.send_to("ping\n", server) == 5);
    CHECK(peer.read_stdout("ping\n") == "ping\n");  // now it talks to us
    REQUIRE(peer.write_stdin("pong\n"));
    char buf[64];
    netlite::endpoint sender;
    const std::size_t n = s.receive_from(buf, sender);
    CHECK(std::string(buf, n) == "pong\n");
    CHECK(sender == server);
    peer.terminate();
}

}  // namespace

TEST_SUITE_BEGIN("interop");

TEST_CASE("interop: nc as a TCP client of a netlite listener, both directions of data") {
    const auto nc = require_program("nc");
    if (!nc) return;
    // -N: shut the connection down for writing after EOF on stdin (netcat-openbsd).
    peer_client_tcp_exchange({*nc, "-N", "127.0.0.1", "PORT"});
}

TEST_CASE("interop: socat as a TCP client of a netlite listener, both directions of data") {
    const auto socat = require_program("socat");
    if (!socat) return;
    peer_client_tcp_exchange({*socat, "-t", "5", "-", "TCP:127.0.0.1:PORT"});
}

TEST_CASE("interop: nc as a UDP client of a netlite socket gets the answer to its datagram") {
    const auto nc = require_program("nc");
    if (!nc) return;
    peer_client_udp_exchange({*nc, "-u", "-w", "5", "127.0.0.1", "PORT"});
}

TEST_CASE("interop: socat as a UDP client of a netlite socket gets the answer to its datagram") {
    const auto socat = require_program("socat");
    if (!socat) return;
    peer_client_udp_exchange({*socat, "-t", "5", "-", "UDP:127.0.0.1:PORT"});
}

TEST_CASE("interop: a netlite TCP client talks to an nc listener") {
    const auto nc = require_program("nc");
    if (!nc) return;
    // Port 0: nc -v reports the port the OS picked as "Listening on 127.0.0.1 PORT".
    peer_server_tcp_exchange({*nc, "-l", "-v", "-n", "-N", "127.0.0.1", "0"}, "Listening on");
}

TEST_CASE("interop: a netlite TCP client talks to a socat listener") {
    const auto socat = require_program("socat");
    if (!socat) return;
    // Port 0: socat -d -d reports "listening on AF=2 127.0.0.1:PORT".
    peer_server_tcp_exchange({*socat, "-d", "-d", "-t", "5", "TCP-LISTEN:0,bind=127.0.0.1", "-"},
                             "listening on");
}

TEST_CASE("interop: a netlite UDP socket talks to an nc UDP server") {
    const auto nc = require_program("nc");
    if (!nc) return;
    // Port 0: nc -u -l -v reports "Bound on 127.0.0.1 PORT".
    peer_server_udp_exchange({*nc, "-u", "-l", "-v", "-n", "127.0.0.1", "0"}, "Bound on");
}

TEST_CASE("interop: a netlite UDP socket talks to a socat UDP server") {
    const auto socat = require_program("socat");
    if (!socat) return;
    // Port 0: socat -d -d reports "listening on UDP AF=2 127.0.0.1:PORT".
    peer_server_udp_exchange({*socat, "-d", "-d", "-t", "5", "UDP-LISTEN:0,bind=127.0.0.1", "-"},
                             "listening on");
}

TEST_SUITE_END();
#endif  // _WIN32
