// SPDX-License-Identifier: MIT
// Name services. Only names every Debian machine has (localhost, /etc/services entries,
// interface lo) and the reserved `invalid.` are looked up, so no test needs a network; an
// unknown name may report try_again instead of host_not_found when no DNS server answers.
#include <netlite/resolver.hpp>

#include <doctest/doctest.h>

#if defined(_WIN32)  // Windows port
#include "winsock_test_helpers.hpp"
#endif

#include <cerrno>
#include <fstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

using netlite::resolve_error;

static_assert(std::is_error_condition_enum_v<netlite::resolve_error>);
static_assert(!std::is_error_code_enum_v<netlite::resolve_error>);
static_assert(std::is_aggregate_v<netlite::resolve_hints>);
static_assert(noexcept(netlite::interface_index("lo", std::declval<std::error_code&>())));

namespace {

bool is_loopback(const netlite::endpoint& ep) {
    const netlite::address a = ep.address();
    if (a.is_v4()) return a.to_v4().to_bytes()[0] == 127;
    const auto bytes = a.to_v6().to_bytes();
    for (std::size_t i = 0; i < 15; ++i)
        if (bytes[i] != 0) return false;
    return bytes[15] == 1;
}

// The loopback interface's name: "lo" on Linux; on Windows "loopback_0" ("loopback_1" in Wine).
std::string loopback_interface_name() {
#if defined(_WIN32)  // Windows port
    char name[256];
    for (unsigned i = 1; i < 256; ++i)
        if (::if_indextoname(i, name) && std::string(name).rfind("loopback", 0) == 0) return name;
    return "loopback_0";
#else
    return "lo";
#endif
}

bool contains(const std::vector<netlite::endpoint>& eps, const char* text) {
    for (const netlite::endpoint& ep : eps)
        if (ep.to_string() == text) return true;
    return false;
}

// What an unknown name gives: NXDOMAIN, or EAI_AGAIN when no DNS server can be reached.
void check_unknown_host_error(const std::error_code& ec) {
    CAPTURE(ec.value());
    CAPTURE(ec.message());
    CHECK(ec);
    CHECK(ec.category() == netlite::detail::resolver_category());
    CHECK((ec == resolve_error::host_not_found || ec == resolve_error::try_again));
    const std::string message = ec.message();
    CHECK((message.find("host not found") != std::string::npos ||
           message.find("name resolution") != std::string::npos));
}

}  // namespace

TEST_SUITE_BEGIN("resolver");

TEST_CASE("resolve: an IPv4 literal with a decimal port needs no lookup") {
    std::error_code ec;
    const netlite::resolve_result r = netlite::resolve("127.0.0.1", "8080", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(r.endpoints.size() == 1);
    CHECK(r.endpoints[0].to_string() == "127.0.0.1:8080");
    CHECK(r.canonical_name.empty());
}

TEST_CASE("resolve: an IPv6 literal keeps its port and its zone as written") {
    std::error_code ec;
    netlite::resolve_result r = netlite::resolve("::1", "443", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(r.endpoints.size() == 1);
    CHECK(r.endpoints[0].to_string() == "[::1]:443");

    r = netlite::resolve("fe80::1%lo", "9", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(r.endpoints.size() == 1);
    CHECK(r.endpoints[0].is_v6());
    CHECK(r.endpoints[0].port() == 9);
    CHECK(r.endpoints[0].address() == *netlite::address::parse("fe80::1%lo"));
}

TEST_CASE("resolve: numeric_host accepts address literals and refuses names") {
    netlite::resolve_hints hints;
    hints.numeric_host = true;
    hints.canonical_name = true;
    std::error_code ec;
    netlite::resolve_result r = netlite::resolve("127.0.0.1", "7", hints, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(r.endpoints.size() == 1);
    CHECK(r.endpoints[0].to_string() == "127.0.0.1:7");
    CHECK(r.canonical_name == "127.0.0.1");

    r = netlite::resolve("::1", "7", hints, ec);
    REQUIRE_FALSE(ec);
    CHECK(r.endpoints.at(0).to_string() == "[::1]:7");

    r = netlite::resolve("localhost", "7", hints, ec);
    CHECK(ec == resolve_error::host_not_found);
    CHECK(ec == netlite::error::not_an_address);
    CHECK(r.endpoints.empty());
}

TEST_CASE("resolve: port text is decimal 0-65535, checked without overflow") {
    struct row {
        const char* text;
        std::uint16_t port;
    };
    for (const row& good : {row{"0", 0}, row{"1", 1}, row{"00080", 80}, row{"65535", 65535}}) {
        CAPTURE(good.text);
        std::error_code ec;
        const auto r = netlite::resolve("127.0.0.1", good.text, ec);
        REQUIRE_FALSE(ec);
        CHECK(r.endpoints.at(0).port() == good.port);
    }
    for (const char* bad : {"65536", "70000", "99999999999999999999999"}) {
        CAPTURE(bad);
        for (const char* host : {"127.0.0.1", "localhost"}) {
            CAPTURE(host);
            std::error_code ec;
            const auto r = netlite::resolve(host, bad, ec);
            CHECK(ec == netlite::error::port_out_of_range);
            CHECK(ec == resolve_error::service_not_found);
            CHECK(r.endpoints.empty());
        }
    }
}

TEST_CASE("resolve: an empty host is loopback, or the wildcard address when passive") {
    std::error_code ec;
    const auto active = netlite::resolve("", "", ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(active.endpoints.empty());
    for (const netlite::endpoint& ep : active.endpoints) {
        CAPTURE(ep.to_string());
        CHECK(is_loopback(ep));
        CHECK(ep.port() == 0);
    }

    netlite::resolve_hints hints;
    hints.passive = true;
    hints.family = netlite::resolve_family::ipv4;
    const auto passive = netlite::resolve("", "5000", hints, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(passive.endpoints.size() == 1);
    CHECK(passive.endpoints[0].to_string() == "0.0.0.0:5000");
}

TEST_CASE("resolve: localhost gives loopback addresses, 127.0.0.1 among the IPv4 ones") {
    netlite::resolve_hints hints;
    hints.canonical_name = true;
    std::error_code ec;
    const auto any = netlite::resolve("localhost", "80", hints, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(any.endpoints.empty());
    for (const netlite::endpoint& ep : any.endpoints) {
        CAPTURE(ep.to_string());
        CHECK(is_loopback(ep));
        CHECK(ep.port() == 80);
    }
    CHECK((contains(any.endpoints, "127.0.0.1:80") || contains(any.endpoints, "[::1]:80")));
    CHECK_FALSE(any.canonical_name.empty());

    hints.family = netlite::resolve_family::ipv4;
    const auto v4 = netlite::resolve("localhost", "80", hints, ec);
    REQUIRE_FALSE(ec);
    CHECK(contains(v4.endpoints, "127.0.0.1:80"));
}

TEST_CASE("resolve: no endpoint appears twice") {
    std::error_code ec;
    for (const char* host : {"localhost", ""}) {
        CAPTURE(host);
        const auto r = netlite::resolve(host, "80", ec);
        REQUIRE_FALSE(ec);
        for (std::size_t i = 0; i < r.endpoints.size(); ++i)
            for (std::size_t j = i + 1; j < r.endpoints.size(); ++j)
                CHECK(r.endpoints[i] != r.endpoints[j]);
    }
}

TEST_CASE("resolve: the family filter returns only that family") {
    netlite::resolve_hints v4;
    v4.family = netlite::resolve_family::ipv4;
    netlite::resolve_hints v6;
    v6.family = netlite::resolve_family::ipv6;
    std::error_code ec;

    for (const char* host : {"localhost", "127.0.0.1", ""}) {
        CAPTURE(host);
        const auto r = netlite::resolve(host, "1", v4, ec);
        REQUIRE_FALSE(ec);
        for (const netlite::endpoint& ep : r.endpoints) CHECK_FALSE(ep.is_v6());
    }
    // Not localhost: without a ::1 line in /etc/hosts that would ask the DNS server.
    for (const char* host : {"::1", ""}) {
        CAPTURE(host);
        const auto r = netlite::resolve(host, "1", v6, ec);
        REQUIRE_FALSE(ec);
        REQUIRE_FALSE(r.endpoints.empty());
        for (const netlite::endpoint& ep : r.endpoints) CHECK(ep.is_v6());
    }

    netlite::resolve("::1", "1", v4, ec);
    CHECK(ec == resolve_error::family_not_supported);
    CHECK_FALSE(ec.message().empty());
    netlite::resolve("127.0.0.1", "1", v6, ec);
    CHECK(ec == resolve_error::family_not_supported);
}

TEST_CASE("resolve: a service name is looked up for the hinted protocol") {
    std::error_code ec;
    auto r = netlite::resolve("127.0.0.1", "http", ec);
    REQUIRE_FALSE(ec);
    CHECK(r.endpoints.at(0).to_string() == "127.0.0.1:80");

    netlite::resolve_hints udp;
    udp.protocol = netlite::transport::udp;
    r = netlite::resolve("localhost", "domain", udp, ec);
    REQUIRE_FALSE(ec);
    for (const netlite::endpoint& ep : r.endpoints) CHECK(ep.port() == 53);
}

TEST_CASE("resolve: an unknown service name is service_not_found") {
    for (const char* host : {"127.0.0.1", "localhost"}) {
        CAPTURE(host);
        std::error_code ec;
        const auto r = netlite::resolve(host, "no-such-service", ec);
        CHECK(ec == resolve_error::service_not_found);
        CHECK(ec.category() == netlite::detail::resolver_category());
        CHECK(ec.message() == "service not known for this protocol");
        CHECK(r.endpoints.empty());
    }
}

TEST_CASE("resolve: the reserved name invalid. fails with a resolver error that says why") {
    std::error_code ec;
    const auto r = netlite::resolve("invalid.", "80", ec);
    check_unknown_host_error(ec);
    CHECK(r.endpoints.empty());
}

TEST_CASE("resolve: the throwing overload throws system_error with the same code") {
    // An unknown service fails before any host lookup, so this needs no DNS server.
    bool thrown = false;
    try {
        netlite::resolve("localhost", "no-such-service");
    } catch (const std::system_error& e) {
        thrown = true;
        CHECK(e.code() == resolve_error::service_not_found);
        CHECK(std::string(e.what()).find("resolve") != std::string::npos);
    }
    CHECK(thrown);
}

TEST_CASE("resolve: text with an embedded NUL is refused, not truncated") {
    std::error_code ec;
    netlite::resolve(std::string_view("localhost\0x", 11), "80", ec);
    CHECK(ec == resolve_error::host_not_found);
    netlite::resolve("localhost", std::string_view("http\0x", 6), ec);
    CHECK(ec == resolve_error::service_not_found);
}

TEST_CASE("resolve_error: native codes compare equal to the portable conditions") {
    using netlite::detail::make_resolver_error;
    struct row {
        int native;
        resolve_error condition;
    };
    const row rows[] = {
        {EAI_NONAME, resolve_error::host_not_found},
        {EAI_AGAIN, resolve_error::try_again},
        {EAI_SERVICE, resolve_error::service_not_found},
        {EAI_FAMILY, resolve_error::family_not_supported},
        {EAI_SOCKTYPE, resolve_error::bad_flags},
        {EAI_BADFLAGS, resolve_error::bad_flags},
        {EAI_FAIL, resolve_error::failure},
        {EAI_MEMORY, resolve_error::out_of_memory},
#if defined(EAI_NODATA)
        {EAI_NODATA, resolve_error::no_data},
#endif
#if defined(EAI_ADDRFAMILY)
        {EAI_ADDRFAMILY, resolve_error::family_not_supported},
#endif
    };
    for (const row& r : rows) {
        CAPTURE(r.native);
        const std::error_code ec = make_resolver_error(r.native);
        CHECK(ec.value() == r.native);
        CHECK(std::string(ec.category().name()) == "netlite.resolver");
        CHECK(ec == r.condition);
        CHECK(ec.default_error_condition() == r.condition);
        CHECK_FALSE(ec.message().empty());
        CHECK_FALSE(netlite::make_error_condition(r.condition).message().empty());
    }
    CHECK(make_resolver_error(EAI_NONAME) != resolve_error::try_again);
    CHECK(make_resolver_error(EAI_NONAME).message() == "host not found");
    CHECK(make_resolver_error(EAI_AGAIN).message().find("try again") != std::string::npos);
    CHECK(std::string(netlite::resolve_error_category().name()) == "netlite.resolve_error");

#if defined(EAI_SYSTEM)  // Windows port: Winsock has no EAI_SYSTEM (its codes are WSA values)
    errno = ENOMEM;
    const std::error_code system = make_resolver_error(EAI_SYSTEM);
    CHECK(system.category() == std::system_category());
    CHECK(system.value() == ENOMEM);
    CHECK(system == resolve_error::out_of_memory);
#endif
    CHECK(std::error_code(netlite::error::eof) != resolve_error::host_not_found);
}

TEST_CASE("reverse_lookup: 127.0.0.1 has a name that resolves back to it") {
    const netlite::address loopback = *netlite::address::parse("127.0.0.1");
    std::error_code ec;
    const std::string name = netlite::reverse_lookup(loopback, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(name.empty());
    CHECK(netlite::reverse_lookup(loopback) == name);

    netlite::resolve_hints v4;
    v4.family = netlite::resolve_family::ipv4;
    const auto back = netlite::resolve(name, "0", v4, ec);
    REQUIRE_FALSE(ec);
    CHECK(contains(back.endpoints, "127.0.0.1:0"));
}

TEST_CASE("reverse_lookup: an address without a name fails, or gives its text on request") {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never in /etc/hosts, no PTR record.
    const netlite::address unnamed = *netlite::address::parse("192.0.2.1");
    std::error_code ec;
    const std::string name = netlite::reverse_lookup(unnamed, ec);
    check_unknown_host_error(ec);
    CHECK(name.empty());

    CHECK(netlite::reverse_lookup(unnamed, netlite::name_fallback::numeric, ec) == "192.0.2.1");
    CHECK_FALSE(ec);
}

TEST_CASE("reverse_lookup: an unknown zone is no_such_device, thrown or not, even with fallback") {
    const netlite::address bad_zone = *netlite::address::parse("fe80::1%no-such-if0");
    std::error_code ec;
    CHECK(netlite::reverse_lookup(bad_zone, netlite::name_fallback::numeric, ec).empty());
    CHECK(ec == std::errc::no_such_device);
    CHECK_THROWS_AS(netlite::reverse_lookup(bad_zone), std::system_error);
}

TEST_CASE("reverse_lookup: an endpoint gives its host and service names") {
    const netlite::endpoint ftp(*netlite::address::parse("127.0.0.1"), 21);
    std::error_code ec;
    const netlite::endpoint_names names = netlite::reverse_lookup(ftp, ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(names.host.empty());
    CHECK(names.service == "ftp");

    const netlite::endpoint unnamed_port(*netlite::address::parse("127.0.0.1"), 65535);
    CHECK(netlite::reverse_lookup(unnamed_port, netlite::transport::udp).service == "65535");
}

TEST_CASE("hostname: is the kernel's host name") {
    std::error_code ec;
    const std::string name = netlite::hostname(ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(name.empty());
    CHECK(netlite::hostname() == name);
    std::ifstream kernel("/proc/sys/kernel/hostname");
    std::string expected;
    if (std::getline(kernel, expected)) CHECK(name == expected);
}

TEST_CASE("fqdn: has a dot or is the host name, and returns unknown names unchanged") {
    const std::string self = netlite::fqdn();
    CAPTURE(self);
    REQUIRE_FALSE(self.empty());
    CHECK((self.find('.') != std::string::npos || self == netlite::hostname()));
    CHECK(netlite::fqdn("") == self);
    CHECK(netlite::fqdn("0.0.0.0") == self);
    CHECK(netlite::fqdn("::") == self);
    CHECK(netlite::fqdn("invalid.") == "invalid.");
    const std::string local = netlite::fqdn("localhost");
    CHECK_FALSE(local.empty());
    CHECK(netlite::fqdn(" localhost\t") == local);
}

TEST_CASE("service_port: service names give their ports, per protocol") {
    CHECK(netlite::service_port("http") == 80);
#if defined(_WIN32)  // Windows port: Wine 8's getservbyname ignores aliases (Windows does not)
    if (!winsock_test::running_under_wine())
#endif
        CHECK(netlite::service_port("www") == 80);  // an alias
    CHECK(netlite::service_port("ftp", netlite::transport::tcp) == 21);
    CHECK(netlite::service_port("domain", netlite::transport::udp) == 53);
    std::error_code ec;
    CHECK(netlite::service_port("ssh", netlite::transport::tcp, ec) == 22);
    CHECK_FALSE(ec);
}

TEST_CASE("service_port: unknown names, numbers and empty text are nullopt with a reason") {
    for (const char* name : {"no-such-service", "", "80", "http "}) {
        CAPTURE(name);
        CHECK_FALSE(netlite::service_port(name).has_value());
        std::error_code ec;
        CHECK_FALSE(netlite::service_port(name, netlite::transport::tcp, ec).has_value());
        CHECK(ec == resolve_error::service_not_found);
        CHECK_FALSE(ec.message().empty());
    }
}

TEST_CASE("service_name: ports give their service names, per protocol") {
    CHECK(netlite::service_name(21) == "ftp");
    CHECK(netlite::service_name(80) == "http");
    CHECK(netlite::service_name(53, netlite::transport::udp) == "domain");
    std::error_code ec;
    CHECK(netlite::service_name(22, netlite::transport::tcp, ec) == "ssh");
    CHECK_FALSE(ec);

    CHECK_FALSE(netlite::service_name(65535).has_value());
    CHECK_FALSE(netlite::service_name(65535, netlite::transport::udp, ec).has_value());
    CHECK(ec == resolve_error::service_not_found);
}

TEST_CASE("interface_index: lo exists and unknown names are no_such_device") {
    std::error_code ec;
    const std::string lo = loopback_interface_name();
    CHECK(netlite::interface_index(lo, ec) > 0);
    CHECK_FALSE(ec);
    CHECK(netlite::interface_index(lo) == netlite::interface_index(lo, ec));

    const std::string too_long(100, 'x');
    for (const std::string& name :
         {std::string("no-such-if0"), std::string(), too_long, std::string("lo\0x", 4)}) {
        CAPTURE(name);
        CHECK(netlite::interface_index(name, ec) == 0);
        CHECK(ec == std::errc::no_such_device);
    }
    CHECK_THROWS_AS(netlite::interface_index("no-such-if0"), std::system_error);
}

TEST_SUITE_END();
