// SPDX-License-Identifier: MIT
//
// asio_echo: the standalone-asio echo server that netlite's benchmarks compare against. One
// thread runs one io_context (concurrency hint 1); every TCP session owns a 64 KiB buffer and
// alternates async_read_some with async_write; accepted sockets get no_delay. --udp echoes
// datagrams with async_receive_from / async_send_to. Prints "listening on ADDR:PORT" once
// ready; SIGTERM or SIGINT (asio::signal_set) stops it with exit status 0.
//
// Try: asio_echo 0   (then: nc 127.0.0.1 PORT)
#include <asio.hpp>

#include <array>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace {

constexpr std::size_t buffer_size = 64 * 1024;

class tcp_session : public std::enable_shared_from_this<tcp_session> {
  public:
    explicit tcp_session(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

    void start() { read(); }

  private:
    void read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(buffer_),
                                [self](const std::error_code& ec, std::size_t n) {
                                    if (!ec) self->write(n);
                                });
    }

    void write(std::size_t n) {
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(buffer_.data(), n),
                          [self](const std::error_code& ec, std::size_t) {
                              if (!ec) self->read();
                          });
    }

    asio::ip::tcp::socket socket_;
    std::array<char, buffer_size> buffer_;  // left uninitialised: untouched pages stay free
};

class tcp_server {
  public:
    tcp_server(asio::io_context& io, const asio::ip::tcp::endpoint& local) : acceptor_(io, local) {}

    asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    void accept() {
        acceptor_.async_accept([this](const std::error_code& ec, asio::ip::tcp::socket peer) {
            if (!ec) {
                std::error_code ignored;
                peer.set_option(asio::ip::tcp::no_delay(true), ignored);
                std::make_shared<tcp_session>(std::move(peer))->start();
            }
            accept();
        });
    }

  private:
    asio::ip::tcp::acceptor acceptor_;
};

class udp_server {
  public:
    udp_server(asio::io_context& io, const asio::ip::udp::endpoint& local) : socket_(io, local) {}

    asio::ip::udp::endpoint local_endpoint() const { return socket_.local_endpoint(); }

    void receive() {
        socket_.async_receive_from(asio::buffer(buffer_), sender_,
                                   [this](const std::error_code& ec, std::size_t n) {
                                       if (ec) return receive();
                                       send(n);
                                   });
    }

  private:
    void send(std::size_t n) {
        socket_.async_send_to(asio::buffer(buffer_.data(), n), sender_,
                              [this](const std::error_code&, std::size_t) { receive(); });
    }

    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint sender_;
    std::array<char, buffer_size> buffer_;
};

int usage(const char* argv0, int code) {
    (code == 0 ? std::cout : std::cerr) << "usage: " << argv0 << " [--udp] [--bind ADDR] PORT\n";
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    bool udp = false;
    std::string bind_address = "127.0.0.1";
    const char* port_text = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help") return usage(argv[0], 0);
        if (arg == "--udp") {
            udp = true;
        } else if (arg == "--bind" && i + 1 < argc) {
            bind_address = argv[++i];
        } else if (!port_text && !arg.empty() && arg[0] != '-') {
            port_text = argv[i];
        } else {
            return usage(argv[0], 2);
        }
    }
    if (!port_text) return usage(argv[0], 2);
    std::uint16_t port = 0;
    const char* end = port_text + std::strlen(port_text);
    const auto parsed = std::from_chars(port_text, end, port);
    if (parsed.ec != std::errc() || parsed.ptr != end) return usage(argv[0], 2);
    std::error_code ec;
    const asio::ip::address address = asio::ip::make_address(bind_address, ec);
    if (ec) return usage(argv[0], 2);

    try {
        asio::io_context io(1);
        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&io](const std::error_code&, int) { io.stop(); });
        if (udp) {
            udp_server server(io, {address, port});
            server.receive();
            std::cout << "listening on " << server.local_endpoint() << std::endl;
            io.run();
        } else {
            tcp_server server(io, {address, port});
            server.accept();
            std::cout << "listening on " << server.local_endpoint() << std::endl;
            io.run();
        }
    } catch (const std::exception& e) {
        std::cerr << "asio_echo: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
