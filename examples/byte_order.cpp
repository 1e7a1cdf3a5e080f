// SPDX-License-Identifier: MIT
// byte_order: the tutorial's htons/ntohl section done right. Shows how 16/32/64-bit integers
// sit in memory on this host and in network order, then writes a small wire header
// (2-byte type, 4-byte length, 8-byte id) with store_be and reads it back with load_be.
// Try: ./byte_order
#include "cli.hpp"

#include <netlite/byte_order.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

const cli::program program{"byte_order", "usage: byte_order\n",
                           "Shows integers in host and network byte order.\n"};

// Prints the bytes of an object in memory order, e.g. "34 12".
void print_bytes(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) std::printf("%s%02x", i ? " " : "", bytes[i]);
}

template <class T>
void show(const char* name, T value) {
    const T network = netlite::host_to_network(value);
    std::printf("%-8s 0x%0*llx\n  host order:    ", name, static_cast<int>(2 * sizeof(T)),
                static_cast<unsigned long long>(value));
    print_bytes(&value, sizeof value);
    std::printf("\n  network order: ");
    print_bytes(&network, sizeof network);
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    cli::arguments args(program, argc, argv);
    while (args.next()) args.unknown();
    if (!args.operands().empty()) program.usage_error("takes no arguments; --help for help");

    std::printf("This host is %s-endian.\n\n", netlite::is_little_endian ? "little" : "big");
    show("uint16", std::uint16_t{0x1234});
    show("uint32", std::uint32_t{0x12345678});
    show("uint64", std::uint64_t{0x0123456789abcdef});

    // A wire header: the sender writes big-endian fields at fixed offsets. store_be/load_be
    // work byte by byte, so offsets 2 and 6 need no alignment and no struct packing.
    const std::uint16_t type = 0x0102;
    const std::uint32_t length = 1500;
    const std::uint64_t id = 0x1122334455667788;
    std::uint8_t header[14] = {};
    netlite::store_be(header + 0, type);
    netlite::store_be(header + 2, length);
    netlite::store_be(header + 6, id);
    std::printf("\nwire header (type=0x%04x length=%u id=0x%016llx):\n  ", type,
                static_cast<unsigned>(length), static_cast<unsigned long long>(id));
    print_bytes(header, sizeof header);
    std::printf("\n");

    const auto type_back = netlite::load_be<std::uint16_t>(header + 0);
    const auto length_back = netlite::load_be<std::uint32_t>(header + 2);
    const auto id_back = netlite::load_be<std::uint64_t>(header + 6);
    std::printf("read back: type=0x%04x length=%u id=0x%016llx\n", type_back,
                static_cast<unsigned>(length_back), static_cast<unsigned long long>(id_back));
    if (type_back != type || length_back != length || id_back != id) {
        return program.fail("round trip", "the values read back differ");
    }

    const char text[] = "hi";
    std::printf("\ntext \"%s\" in memory: ", text);
    print_bytes(text, 2);
    std::printf(
        "\nNote: text is a sequence of single bytes and needs no byte swapping;\n"
        "integers wider than one byte do, with host_to_network/network_to_host or\n"
        "store_be/load_be at the point where they meet the wire.\n");
    return 0;
}
