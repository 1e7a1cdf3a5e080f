// SPDX-License-Identifier: MIT
// Built with -fno-exceptions: all of netlite compiles, the error_code overloads work as usual,
// and a throwing overload that fails prints "netlite: <operation>: <reason>" and aborts
// (DESIGN.md, error model). Exit 0 when all of that holds.
#include <netlite/netlite.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#if !defined(_WIN32)
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}

#if !defined(_WIN32)
// Runs a failing throwing overload in a child; returns its stderr and whether it aborted.
bool child_aborts_with(const char* expected) {
    int out[2];
    if (::pipe(out) != 0) return false;
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        ::dup2(out[1], 2);
        netlite::tcp_stream closed;
        closed.send("x");  // a closed stream: bad_file_descriptor, thrown (here: abort)
        ::_exit(0);
    }
    ::close(out[1]);
    std::string text;
    char buf[256];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, std::size_t(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::fprintf(stdout, "child said: %s", text.c_str());
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
           text.find(expected) != std::string::npos;
}
#endif

}  // namespace

int main() {
    std::error_code ec;
    auto [a, b] = netlite::socketpair(ec);
    check(!ec, "socketpair");
    a.set_timeout(netlite::milliseconds(10000), ec);
    b.set_timeout(netlite::milliseconds(10000), ec);
    char got[5] = {};
    check(a.send_all("hello", ec) == 5 && !ec, "send_all");
    check(b.receive_exact(netlite::buffer(got, 5), ec) == 5 && !ec, "receive_exact");
    check(std::memcmp(got, "hello", 5) == 0, "bytes arrive intact");

    netlite::tcp_stream refused;
    netlite::tcp_listener l;
    l.bind(netlite::endpoint(netlite::address_v4::loopback(), 0), ec);
    const netlite::endpoint gone = l.local_endpoint(ec);
    l.close(ec);
    refused.connect(gone, netlite::milliseconds(10000), ec);
    check(ec == std::errc::connection_refused, "connect to a closed port is refused");

    check(netlite::endpoint::parse("[::1]:80").has_value(), "endpoint::parse");
    netlite::selector sel(netlite::selector_backend::poll, ec);
    check(!ec, "selector");
    netlite::line_reader reader(8);
    reader.feed("ok\n");
    check(reader.next_line(ec).value_or("") == "ok", "line_reader");

#if !defined(_WIN32)
    check(child_aborts_with("netlite: send: "), "a failing throwing overload prints and aborts");
#endif
    return failures == 0 ? 0 : 1;
}
