// SPDX-License-Identifier: MIT
// tcp_chat: a one-to-one chat in which both sides may type at any time. A reader thread prints
// what the peer sends while the main thread sends each stdin line, so nobody waits for a turn.
// The end of stdin half-closes (the peer sees EOF, this side keeps printing); the peer closing
// ends the program with status 0. `--listen PORT` waits for one peer, the other side connects.
// Try: ./tcp_chat --listen 9999 & ./tcp_chat 127.0.0.1 9999
#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

const char usage[] = "usage: tcp_chat [--bind ADDR] --listen PORT | tcp_chat HOST PORT\n";

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }

// A port: decimal, in [low, 65535], nothing else.
bool parse_port(std::string_view text, unsigned low) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc{} && stop == end && value >= low && value <= 65535;
}

int bad_usage(std::string_view why) {
    std::cerr << "tcp_chat: " << why << '\n' << usage;
    return 2;
}

int fail(std::string_view what, const std::error_code& ec) {
    std::cerr << "tcp_chat: " << what << ": " << ec.message() << '\n';
    return 1;
}

// Waits for one peer on ADDR:PORT and moves it to `out`; SIGINT/SIGTERM stop the wait (netlite
// retries interrupted calls, so the wait is cut into short slices that check the flag).
int accept_one(const std::string& bind_address, const std::string& port, netlite::tcp_stream& out) {
    std::error_code ec;
    const auto found = netlite::resolve(
        bind_address, port, {netlite::resolve_family::any, netlite::transport::tcp, true}, ec);
    if (ec) return fail("resolve " + bind_address, ec);
    netlite::tcp_listener listener;
    listener.bind(found.endpoints.front(), ec);
    if (ec) return fail("listen on " + found.endpoints.front().to_string(), ec);
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "listening on " << listener.local_endpoint() << std::endl;
    while (!stop_requested && !out.is_open()) {
        auto [stream, peer] = listener.accept(netlite::milliseconds(200), ec);
        if (ec == std::errc::timed_out) continue;
        if (ec) return fail("accept", ec);
        std::cerr << "tcp_chat: connected to " << peer << '\n';
        out = std::move(stream);
    }
    std::signal(SIGINT, SIG_DFL);  // from now on, Ctrl-C simply ends the chat
    std::signal(SIGTERM, SIG_DFL);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bind_address = "0.0.0.0";
    std::vector<std::string> args;  // HOST PORT, or PORT with --listen
    bool listen = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help") {
            std::cout << usage
                      << "Chat over TCP: stdin lines go to the peer, its lines to stdout.\n";
            return 0;
        }
        if (arg == "--listen") {
            listen = true;
        } else if (arg == "--bind" && i + 1 < argc) {
            bind_address = argv[++i];
        } else {
            args.emplace_back(arg);
        }
    }
    if (bind_address != "0.0.0.0" && !listen) return bad_usage("--bind needs --listen");
    if (args.size() != (listen ? 1u : 2u))
        return bad_usage(listen ? "--listen takes one PORT" : "HOST and PORT are required");
    if (!parse_port(args.back(), listen ? 0 : 1))
        return bad_usage("not a port number: " + args.back());

    netlite::tcp_stream peer;
    std::error_code ec;
    if (listen) {
        const int status = accept_one(bind_address, args[0], peer);
        if (!peer.is_open()) return status;  // failed, or stopped by a signal
    } else {
        peer.connect(args[0], args[1], ec);
        if (ec) return fail("connect to " + args[0] + ":" + args[1], ec);
    }

    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);  // the reader thread writes std::cout while main reads std::cin
    std::atomic<bool> stdin_done{false};
    std::atomic<int> reader_status{0};
    std::thread reader([&] {
        char chunk[4096];
        std::error_code rec;
        std::size_t n;
        while ((n = peer.receive(netlite::buffer(chunk), rec)) > 0)
            std::cout.write(chunk, static_cast<std::streamsize>(n)).flush();
        if (rec)
            reader_status = fail("receive", rec);
        else
            std::cerr << "tcp_chat: the peer closed the connection\n";
        // The main thread may be blocked reading stdin, which cannot be interrupted portably.
        if (!stdin_done) std::exit(reader_status);
    });
    std::string line;
    int status = 0;
    while (status == 0 && std::getline(std::cin, line)) {
        peer.send_all(netlite::buffer(line + '\n'), ec);
        if (ec) status = fail("send", ec);
    }
    stdin_done = true;  // from here on the reader thread just returns
    // Half-close: the peer reads EOF and we keep printing (after a failure: wake the reader).
    peer.shutdown(status == 0 ? netlite::shutdown_type::send : netlite::shutdown_type::both, ec);
    reader.join();
    return status != 0 ? status : reader_status.load();
}
