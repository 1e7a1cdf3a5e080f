// SPDX-License-Identifier: MIT
// host_info: the socket tutorial's name-service calls in one program: this host's name and
// fully qualified name, every address (IPv4 and IPv6) and the canonical name of each NAME,
// service names to ports and back, and reverse lookups. One `key: value` line per fact.
// Try: host_info localhost --port 21 --service http --reverse 127.0.0.1
#include <netlite/resolver.hpp>

#include <charconv>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const char* const usage =
    "usage: host_info [NAME...] [--port N] [--service NAME] [--reverse ADDR]\n"
    "  prints this host's name and FQDN, then for each NAME its addresses and canonical name;\n"
    "  --port N: the TCP service name of port N; --service NAME: its TCP port;\n"
    "  --reverse ADDR: the host name of address ADDR (options may repeat)\n";

int bad_usage(const std::string& why) {
    std::cerr << "host_info: " << why << '\n' << usage;
    return 2;
}

// One `key: value` line on stdout, or `host_info: key: reason` on stderr; false on failure.
template <class T>
bool show(const std::string& key, const T& value, const std::error_code& ec) {
    if (ec) return std::cerr << "host_info: " << key << ": " << ec.message() << '\n', false;
    std::cout << key << ": " << value << '\n';
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> names, services, reverses;
    std::vector<std::uint16_t> ports;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") return std::cout << usage, 0;
        if (arg == "--port" || arg == "--service" || arg == "--reverse") {
            if (i + 1 == argc) return bad_usage(std::string(arg) + " needs a value");
            const std::string_view value = argv[++i];
            if (arg == "--service") {
                services.push_back(value);
            } else if (arg == "--reverse") {
                if (!netlite::address::parse(value))
                    return bad_usage("--reverse: not an IPv4 or IPv6 address: " +
                                     std::string(value));
                reverses.push_back(value);
            } else {
                std::uint16_t port = 0;
                const auto [end, err] =
                    std::from_chars(value.data(), value.data() + value.size(), port);
                if (err != std::errc() || end != value.data() + value.size())
                    return bad_usage("--port: not a port number 0-65535: " + std::string(value));
                ports.push_back(port);
            }
        } else if (arg.size() > 1 && arg[0] == '-') {
            return bad_usage("unknown option " + std::string(arg));
        } else {
            names.push_back(arg);
        }
    }

    bool ok = true;
    std::error_code ec;
    const std::string self = netlite::hostname(ec);
    ok = show("hostname", self, ec) && ok;
    std::cout << "fqdn: " << netlite::fqdn() << '\n';

    netlite::resolve_hints hints;
    hints.canonical_name = true;
    for (const std::string_view name : names) {
        const netlite::resolve_result r = netlite::resolve(name, "", hints, ec);
        if (ec) ok = show("resolve " + std::string(name), "", ec) && ok;
        for (const netlite::endpoint& ep : r.endpoints)
            std::cout << name << ": " << ep.address().to_string() << '\n';
        if (!ec) std::cout << name << " canonical: " << r.canonical_name << '\n';
    }
    for (const std::uint16_t port : ports) {
        const auto service = netlite::service_name(port, netlite::transport::tcp, ec);
        ok = show("port " + std::to_string(port) + "/tcp", service.value_or(""), ec) && ok;
    }
    for (const std::string_view service : services) {
        const auto port = netlite::service_port(service, netlite::transport::tcp, ec);
        ok = show("service " + std::string(service) + "/tcp", port.value_or(0), ec) && ok;
    }
    for (const std::string_view text : reverses) {
        const std::string host = netlite::reverse_lookup(*netlite::address::parse(text), ec);
        ok = show("reverse " + std::string(text), host, ec) && ok;
    }
    return ok ? 0 : 1;
}
