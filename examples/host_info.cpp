// SPDX-License-Identifier: MIT
// host_info: the socket tutorial's name-service calls in one program: this host's name and
// fully qualified name, every address (IPv4 and IPv6) and the canonical name of each NAME,
// service names to ports and back, and reverse lookups. One `key: value` line per fact.
// Try: host_info localhost --port 21 --service http --reverse 127.0.0.1
#include "cli.hpp"

#include <netlite/resolver.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cli::program program{
    "host_info",
    "usage: host_info [NAME...] [--port N] [--service NAME] [--reverse ADDR]\n"
    "  prints this host's name and FQDN, then for each NAME its addresses and canonical name;\n"
    "  --port N: the TCP service name of port N; --service NAME: its TCP port;\n"
    "  --reverse ADDR: the host name of address ADDR (options may repeat)\n"};

// One `key: value` line on stdout, or `host_info: key: reason` on stderr; false on failure.
template <class T>
bool show(const std::string& key, const T& value, const std::error_code& ec) {
    if (ec) {
        program.fail(key, ec);
        return false;
    }
    std::cout << key << ": " << value << '\n';
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> services;
    std::vector<netlite::address> reverses;
    std::vector<std::uint16_t> ports;
    cli::arguments args(program, argc, argv);
    while (args.next()) {
        if (args.is("--service"))
            services.push_back(args.value());
        else if (args.is("--port"))
            ports.push_back(program.port(args.value()));
        else if (args.is("--reverse"))
            reverses.push_back(program.address("--reverse", args.value()));
        else
            args.unknown();
    }
    const std::vector<std::string_view>& names = args.operands();

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
    for (const netlite::address& a : reverses) {
        const std::string host = netlite::reverse_lookup(a, ec);
        ok = show("reverse " + a.to_string(), host, ec) && ok;
    }
    return ok ? 0 : 1;
}
