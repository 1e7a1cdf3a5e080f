// SPDX-License-Identifier: MIT
#include <netlite/byte_order.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

enum class wire_type : std::uint16_t { hello = 0x0102, bye = 0xA0B0 };
enum legacy_flags : std::int32_t { flag_a = 0x11223344, flag_b = -2 };
enum class tiny : std::uint8_t { x = 0xAB };

// ---- type contract, checked at compile time ----

// Which types are accepted.
static_assert(netlite::is_wire_integer_v<std::uint8_t>);
static_assert(netlite::is_wire_integer_v<std::int16_t>);
static_assert(netlite::is_wire_integer_v<std::uint32_t>);
static_assert(netlite::is_wire_integer_v<std::int64_t>);
static_assert(netlite::is_wire_integer_v<char>);
static_assert(netlite::is_wire_integer_v<char16_t>);
static_assert(netlite::is_wire_integer_v<char32_t>);
static_assert(netlite::is_wire_integer_v<wchar_t>);
static_assert(netlite::is_wire_integer_v<long long>);
static_assert(netlite::is_wire_integer_v<wire_type>);
static_assert(netlite::is_wire_integer_v<legacy_flags>);
static_assert(!netlite::is_wire_integer_v<bool>);
static_assert(!netlite::is_wire_integer_v<float>);
static_assert(!netlite::is_wire_integer_v<double>);
static_assert(!netlite::is_wire_integer_v<int*>);
static_assert(!netlite::is_wire_integer_v<std::array<std::uint8_t, 4>>);

// Exactly one byte order; it agrees with what memory shows (checked at run time below).
static_assert(netlite::is_little_endian != netlite::is_big_endian);

// byteswap: values and types.
static_assert(netlite::byteswap(std::uint16_t{0x1234}) == 0x3412);
static_assert(netlite::byteswap(std::uint32_t{0x12345678}) == 0x78563412u);
static_assert(netlite::byteswap(std::uint64_t{0x0102030405060708}) == 0x0807060504030201ull);
static_assert(netlite::byteswap(std::uint8_t{0xAB}) == 0xAB);
static_assert(netlite::byteswap(std::int16_t{-2}) == std::int16_t(0xFEFF - 0x10000));  // FFFE
static_assert(netlite::byteswap(std::int32_t{-2}) == std::int32_t{-16777217});         // FEFFFFFF
static_assert(netlite::byteswap(std::int64_t{-2}) == -72057594037927937LL);
static_assert(netlite::byteswap(std::int32_t{1}) == std::int32_t{0x01000000});
static_assert(netlite::byteswap(std::numeric_limits<std::int32_t>::min()) == 0x80);
static_assert(netlite::byteswap(char16_t{0x00FF}) == char16_t{0xFF00});
static_assert(netlite::byteswap(wire_type::hello) == static_cast<wire_type>(0x0201));
static_assert(netlite::byteswap(flag_a) == static_cast<legacy_flags>(0x44332211));
static_assert(netlite::byteswap(tiny::x) == tiny::x);
static_assert(netlite::byteswap(netlite::byteswap(0x1234567890ABCDEFull)) == 0x1234567890ABCDEFull);
static_assert(std::is_same_v<decltype(netlite::byteswap(std::int16_t{})), std::int16_t>);
static_assert(std::is_same_v<decltype(netlite::byteswap(wire_type{})), wire_type>);
static_assert(noexcept(netlite::byteswap(0)));

// host <-> network depends on the host; either way it round-trips.
static_assert(netlite::host_to_network(std::uint16_t{0x1234}) ==
              (netlite::is_little_endian ? 0x3412 : 0x1234));
static_assert(netlite::network_to_host(netlite::host_to_network(0xDEADBEEFu)) == 0xDEADBEEFu);
static_assert(netlite::network_to_host(netlite::host_to_network(wire_type::bye)) == wire_type::bye);
static_assert(noexcept(netlite::host_to_network(0)));

// SFINAE-friendly: unsupported types are not callable at all.
template <class T, class = void>
struct can_byteswap : std::false_type {};
template <class T>
struct can_byteswap<T, std::void_t<decltype(netlite::byteswap(std::declval<T>()))>>
    : std::true_type {};
static_assert(can_byteswap<int>::value);
static_assert(!can_byteswap<bool>::value);
static_assert(!can_byteswap<double>::value);

// Stores need a writable pointer; loads take any byte pointer or raw memory.
template <class P, class = void>
struct can_store : std::false_type {};
template <class P>
struct can_store<P, std::void_t<decltype(netlite::store_be(std::declval<P>(), 1))>>
    : std::true_type {};
static_assert(can_store<std::uint8_t*>::value);
static_assert(can_store<std::byte*>::value);
static_assert(can_store<char*>::value);
static_assert(can_store<signed char*>::value);
static_assert(can_store<void*>::value);
static_assert(!can_store<const std::uint8_t*>::value);
static_assert(!can_store<const void*>::value);
static_assert(
    std::is_same_v<decltype(netlite::load_be<std::uint16_t>(std::declval<const signed char*>())),
                   std::uint16_t>);

// Loads and stores are usable in constant expressions over uint8_t, std::byte and char.
constexpr std::uint32_t load_store_round_trip_u8() {
    std::array<std::uint8_t, 9> b{};
    netlite::store_be(b.data() + 1, std::uint32_t{0xA1B2C3D4});
    netlite::store_le(b.data() + 5, std::uint32_t{0xA1B2C3D4});
    if (b[1] != 0xA1 || b[4] != 0xD4 || b[5] != 0xD4 || b[8] != 0xA1) return 0;
    return netlite::load_be<std::uint32_t>(b.data() + 1) ^
           netlite::load_le<std::uint32_t>(b.data() + 5);
}
static_assert(load_store_round_trip_u8() == 0);

constexpr std::int64_t load_store_round_trip_byte() {
    std::array<std::byte, 8> b{};
    netlite::store_be(b.data(), std::int64_t{-5});
    return netlite::load_be<std::int64_t>(b.data());
}
static_assert(load_store_round_trip_byte() == -5);

constexpr std::uint16_t load_from_char() {
    constexpr char text[] = "\x12\x34";
    return netlite::load_be<std::uint16_t>(text);
}
static_assert(load_from_char() == 0x1234);

constexpr wire_type load_enum() {
    std::array<char, 2> b{};
    netlite::store_be(b.data(), wire_type::bye);
    return netlite::load_be<wire_type>(b.data());
}
static_assert(load_enum() == wire_type::bye);

// Helpers for the run-time tables.
template <class T>
std::vector<T> edge_values() {
    using lim = std::numeric_limits<T>;
    std::vector<T> v{T(0),
                     T(1),
                     T(2),
                     lim::max(),
                     lim::min(),
                     T(lim::max() - 1),
                     T(lim::min() + 1),
                     T(0x7F),
                     T(0x80),
                     static_cast<T>(0xFF)};
    if constexpr (std::is_signed_v<T>) {
        v.push_back(T(-1));
        v.push_back(T(-2));
        v.push_back(T(-128));
    }
    std::mt19937_64 rng(20261122);  // fixed seed: reproducible
    for (int i = 0; i < 200; ++i) v.push_back(static_cast<T>(rng()));
    return v;
}

template <class T>
void check_round_trips() {
    for (const T value : edge_values<T>()) {
        CAPTURE(+value);
        CHECK(netlite::byteswap(netlite::byteswap(value)) == value);
        CHECK(netlite::network_to_host(netlite::host_to_network(value)) == value);

        // host_to_network puts the most significant byte first in memory.
        const T net = netlite::host_to_network(value);
        std::array<unsigned char, sizeof(T)> mem{};
        std::memcpy(mem.data(), &net, sizeof(T));
        using U = std::make_unsigned_t<T>;
        const auto u = static_cast<U>(value);
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            CHECK(mem[i] == static_cast<unsigned char>(u >> (8 * (sizeof(T) - 1 - i))));
        }

        // Stores at every misalignment inside a buffer, through every pointer flavour.
        for (std::size_t offset = 0; offset < 8; ++offset) {
            CAPTURE(offset);
            std::array<std::uint8_t, 24> buf{};
            buf.fill(0xEE);
            netlite::store_be(buf.data() + offset, value);
            CHECK(netlite::load_be<T>(buf.data() + offset) == value);
            CHECK(std::memcmp(buf.data() + offset, mem.data(), sizeof(T)) == 0);
            CHECK(buf[offset + sizeof(T)] == 0xEE);  // nothing written past the value
            if (offset > 0) CHECK(buf[offset - 1] == 0xEE);

            netlite::store_le(buf.data() + offset, value);
            CHECK(netlite::load_le<T>(buf.data() + offset) == value);
            for (std::size_t i = 0; i < sizeof(T); ++i) {
                CHECK(buf[offset + i] == mem[sizeof(T) - 1 - i]);
            }

            auto* bytes = reinterpret_cast<std::byte*>(buf.data());
            netlite::store_be(bytes + offset, value);
            CHECK(netlite::load_be<T>(static_cast<const std::byte*>(bytes + offset)) == value);
            auto* chars = reinterpret_cast<char*>(buf.data());
            netlite::store_le(chars + offset, value);
            CHECK(netlite::load_le<T>(static_cast<const char*>(chars + offset)) == value);
            void* raw = buf.data() + offset;
            netlite::store_be(raw, value);
            CHECK(netlite::load_be<T>(static_cast<const void*>(raw)) == value);
            CHECK(netlite::load_le<T>(static_cast<const void*>(raw)) == netlite::byteswap(value));
        }
    }
}

}  // namespace

TEST_SUITE_BEGIN("byte_order");

TEST_CASE("byte_order: is_little_endian agrees with how memory stores an integer") {
    const std::uint32_t one = 1;
    unsigned char first = 0;
    std::memcpy(&first, &one, 1);
    CHECK(netlite::is_little_endian == (first == 1));
    CHECK(netlite::is_big_endian == (first == 0));
}

TEST_CASE("byte_order: every integer width round-trips through swaps, loads and stores") {
    SUBCASE("uint8_t") { check_round_trips<std::uint8_t>(); }
    SUBCASE("int8_t") { check_round_trips<std::int8_t>(); }
    SUBCASE("uint16_t") { check_round_trips<std::uint16_t>(); }
    SUBCASE("int16_t") { check_round_trips<std::int16_t>(); }
    SUBCASE("uint32_t") { check_round_trips<std::uint32_t>(); }
    SUBCASE("int32_t") { check_round_trips<std::int32_t>(); }
    SUBCASE("uint64_t") { check_round_trips<std::uint64_t>(); }
    SUBCASE("int64_t") { check_round_trips<std::int64_t>(); }
    SUBCASE("long long") { check_round_trips<long long>(); }
    SUBCASE("char") { check_round_trips<char>(); }
    SUBCASE("signed char") { check_round_trips<signed char>(); }
}

TEST_CASE("byte_order: byteswap reverses the bytes of known values") {
    struct row {
        std::uint64_t in;
        std::uint64_t out;
    };
    const row rows[] = {
        {0, 0},
        {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull},
        {0x00000000000000FFull, 0xFF00000000000000ull},
        {0x8000000000000000ull, 0x0000000000000080ull},
        {0x0123456789ABCDEFull, 0xEFCDAB8967452301ull},
    };
    for (const auto& r : rows) {
        CAPTURE(r.in);
        CHECK(netlite::byteswap(r.in) == r.out);
        CHECK(netlite::byteswap(static_cast<std::uint32_t>(r.in)) ==
              static_cast<std::uint32_t>(r.out >> 32));
        CHECK(netlite::byteswap(static_cast<std::uint16_t>(r.in)) ==
              static_cast<std::uint16_t>(r.out >> 48));
    }
}

TEST_CASE("byte_order: a big-endian load reads the most significant byte first") {
    const std::uint8_t wire[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    CHECK(netlite::load_be<std::uint16_t>(wire) == 0x0102);
    CHECK(netlite::load_be<std::uint32_t>(wire + 1) == 0x02030405u);
    CHECK(netlite::load_be<std::uint64_t>(wire + 1) == 0x0203040506070809ull);
    CHECK(netlite::load_le<std::uint16_t>(wire) == 0x0201);
    CHECK(netlite::load_le<std::uint32_t>(wire + 1) == 0x05040302u);
    CHECK(netlite::load_le<std::uint64_t>(wire + 1) == 0x0908070605040302ull);
    CHECK(netlite::load_be<std::int16_t>(wire) == 0x0102);
    CHECK(netlite::load_be<wire_type>(wire) == wire_type::hello);
    const std::uint8_t negative[] = {0xFF, 0xFE};
    CHECK(netlite::load_be<std::int16_t>(negative) == -2);
    CHECK(netlite::load_le<std::int16_t>(negative) == -257);
}

TEST_CASE("byte_order: stores write exactly sizeof(T) bytes in the stated order") {
    std::array<std::uint8_t, 16> buf{};
    netlite::store_be(buf.data() + 3, std::uint16_t{0xCAFE});
    CHECK(buf == std::array<std::uint8_t, 16>{0, 0, 0, 0xCA, 0xFE});
    buf = {};
    netlite::store_le(buf.data() + 1, std::uint32_t{0xCAFEBABE});
    CHECK(buf == std::array<std::uint8_t, 16>{0, 0xBE, 0xBA, 0xFE, 0xCA});
    buf = {};
    netlite::store_be(buf.data(), legacy_flags::flag_b);  // int32 underlying: 4 bytes
    CHECK(buf == std::array<std::uint8_t, 16>{0xFF, 0xFF, 0xFF, 0xFE});
    buf = {};
    netlite::store_be(buf.data() + 7, std::int64_t{-1});
    CHECK(buf == std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                              0xFF, 0xFF, 0xFF, 0});
}

TEST_SUITE_END();
