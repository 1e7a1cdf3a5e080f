// SPDX-License-Identifier: MIT
// tcp_chat: a one-to-one chat in which both sides may type at any time. A reader thread prints
// what the peer sends while the main thread sends each stdin line, so nobody waits for a turn.
// The end of stdin half-closes (the peer sees EOF, this side keeps printing); the peer closing
// ends the program with status 0. `--listen PORT` waits for one peer, the other side connects.
// Try: ./tcp_chat --listen 9999 & ./tcp_chat 127.0.0.1 9999
#include "cli.hpp"

#include <netlite/resolver.hpp>
#include <netlite/socket.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

namespace {

const cli::program program{"tcp_chat",
                           "usage: tcp_chat [--bind ADDR] --listen PORT | tcp_chat HOST PORT\n",
                           "Chat over TCP: stdin lines go to the peer, its lines to stdout.\n"};

// Waits for one peer on ADDR:PORT and moves it to `out`; SIGINT/SIGTERM stop the wait (netlite
// retries interrupted calls, so the wait is cut into short slices that check the flag).
int accept_one(const std::string& bind_address, const std::string& port, netlite::tcp_stream& out) {
    std::error_code ec;
    const auto found = netlite::resolve(
        bind_address, port, {netlite::resolve_family::any, netlite::transport::tcp, true}, ec);
    if (ec) return program.fail("resolve " + bind_address, ec);
    netlite::tcp_listener listener;
    listener.bind(found.endpoints.front(), ec);
    if (ec) return program.fail("listen on " + found.endpoints.front().to_string(), ec);
    cli::stop_on_signals();
    std::cout << "listening on " << listener.local_endpoint() << std::endl;
    while (!cli::stop_requested() && !out.is_open()) {
        auto [stream, peer] = listener.accept(netlite::milliseconds(200), ec);
        if (ec == std::errc::timed_out) continue;
        if (ec) return program.fail("accept", ec);
        std::cerr << "tcp_chat: connected to " << peer << '\n';
        out = std::move(stream);
    }
    cli::default_signals();  // from now on, Ctrl-C simply ends the chat
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bind_address = "0.0.0.0";
    bool listen = false;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--listen"))
            listen = true;
        else if (args.is("--bind"))
            bind_address = args.value();
        else
            args.unknown();
    }
    const std::vector<std::string_view>& ops = args.operands();  // HOST PORT, or PORT
    if (bind_address != "0.0.0.0" && !listen) program.usage_error("--bind needs --listen");
    if (ops.size() != (listen ? 1u : 2u))
        program.usage_error(listen ? "--listen takes one PORT" : "HOST and PORT are required");
    program.port(ops.back(), listen ? 0 : 1);
    const std::string host(ops.front()), port(ops.back());

    netlite::tcp_stream peer;
    std::error_code ec;
    if (listen) {
        const int status = accept_one(bind_address, port, peer);
        if (!peer.is_open()) return status;  // failed, or stopped by a signal
    } else {
        peer.connect(host, port, ec);
        if (ec) return program.fail("connect to " + host + ":" + port, ec);
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
            reader_status = program.fail("receive", rec);
        else
            std::cerr << "tcp_chat: the peer closed the connection\n";
        // The main thread may be blocked reading stdin, which cannot be interrupted portably:
        // end the process here, without running destructors under its feet (_Exit, not exit).
        if (!stdin_done) std::cout.flush(), std::_Exit(reader_status);
    });
    std::string line;
    int status = 0;
    while (status == 0 && std::getline(std::cin, line)) {
        peer.send_all(netlite::buffer(line + '\n'), ec);
        if (ec) status = program.fail("send", ec);
    }
    stdin_done = true;  // from here on the reader thread just returns
    // Half-close: the peer reads EOF and we keep printing (after a failure: wake the reader).
    peer.shutdown(status == 0 ? netlite::shutdown_type::send : netlite::shutdown_type::both, ec);
    reader.join();
    return status != 0 ? status : reader_status.load();
}
