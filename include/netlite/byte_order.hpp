// SPDX-License-Identifier: MIT
#ifndef NETLITE_BYTE_ORDER_HPP
#define NETLITE_BYTE_ORDER_HPP

/// \file
/// Byte order for integers on the wire: `byteswap`, `host_to_network` / `network_to_host`, and
/// unaligned big-/little-endian loads and stores over byte pointers. Everything is shift code
/// that compilers turn into one `bswap` / `movbe`. No OS headers.

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#if defined(__has_include)
#if __has_include(<version>)
#include <version>
#endif
#endif
#if defined(__cpp_lib_endian)
#include <bit>
#endif

namespace netlite {

namespace detail {
// Host byte order without OS headers: C++20 <bit> when the library has it, else the
// predefined macros of GCC and Clang; MSVC only targets little-endian machines.
#if defined(__cpp_lib_endian)
inline constexpr bool host_is_little = std::endian::native == std::endian::little;
inline constexpr bool host_is_big = std::endian::native == std::endian::big;
#elif defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && defined(__ORDER_BIG_ENDIAN__)
inline constexpr bool host_is_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
inline constexpr bool host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
#elif defined(_MSC_VER)
inline constexpr bool host_is_little = true;
inline constexpr bool host_is_big = false;
#else
#error "netlite: cannot detect the host byte order (need C++20 <bit>, GCC/Clang or MSVC)"
#endif
static_assert(host_is_little != host_is_big, "netlite: mixed-endian hosts are not supported");

/// True for integers (not bool) of 1, 2, 4 or 8 bytes and for enums whose underlying type is one.
template <class T, class = void>
struct is_wire_integer : std::false_type {};
template <class T>
struct is_wire_integer<T, std::enable_if_t<std::is_integral_v<T>>>
    : std::bool_constant<!std::is_same_v<std::remove_cv_t<T>, bool> &&
                         (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8)> {};
template <class T>
struct is_wire_integer<T, std::enable_if_t<std::is_enum_v<T>>>
    : is_wire_integer<std::underlying_type_t<T>> {};

/// The element types a byte buffer may have (non-const; `const Byte*` adds the const).
template <class B>
inline constexpr bool is_byte_v = std::is_same_v<B, unsigned char> || std::is_same_v<B, char> ||
                                  std::is_same_v<B, signed char> || std::is_same_v<B, std::byte>;
}  // namespace detail

/// `T` accepted by everything in this header: integer types of 1, 2, 4 or 8 bytes (signed,
/// unsigned, character types; not bool) and enums whose underlying type is such an integer.
template <class T>
inline constexpr bool is_wire_integer_v = detail::is_wire_integer<T>::value;

/// True when the host stores the least significant byte first (x86, most ARM, RISC-V).
/// Exactly one of `is_little_endian` / `is_big_endian` holds; mixed-endian hosts do not compile.
inline constexpr bool is_little_endian = detail::host_is_little;
/// True when the host stores the most significant byte first, i.e. already in network order.
inline constexpr bool is_big_endian = detail::host_is_big;

/// `value` with its bytes reversed; identity for 1-byte types. Same as C++23 `std::byteswap`.
template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> byteswap(T value) noexcept;

/// Host order to network order (big-endian): a byteswap on little-endian hosts, else identity.
template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> host_to_network(T value) noexcept;

/// Network order (big-endian) to host order; the inverse of `host_to_network`.
template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> network_to_host(T value) noexcept;

// Loads and stores over byte buffers. `Byte` is `std::uint8_t` / `unsigned char`, `char`,
// `signed char` or `std::byte` (all constexpr); the `void*` forms take raw memory and are not
// constexpr. Pointers need no alignment: bytes are assembled one at a time, never through a
// `T*` cast, which is also free of strict-aliasing trouble. The optimiser merges the bytes into
// one load or store (plus `bswap` where the order differs from the host's).

/// Reads `sizeof(T)` bytes at `p` as big-endian (network order): `p[0]` is most significant.
template <class T, class Byte>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>, T> load_be(
    const Byte* p) noexcept;
template <class T>
std::enable_if_t<is_wire_integer_v<T>, T> load_be(const void* p) noexcept;

/// Reads `sizeof(T)` bytes at `p` as little-endian: `p[0]` is least significant.
template <class T, class Byte>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>, T> load_le(
    const Byte* p) noexcept;
template <class T>
std::enable_if_t<is_wire_integer_v<T>, T> load_le(const void* p) noexcept;

/// Writes all `sizeof(T)` bytes of `value` at `p`, most significant first (network order).
/// Mind the type: `store_be(p, 1)` writes 4 bytes (an int); `store_be(p, std::uint16_t{1})` 2.
template <class Byte, class T>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>> store_be(
    Byte* p, T value) noexcept;
template <class T>
std::enable_if_t<is_wire_integer_v<T>> store_be(void* p, T value) noexcept;

/// Writes all `sizeof(T)` bytes of `value` at `p`, least significant first.
template <class Byte, class T>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>> store_le(
    Byte* p, T value) noexcept;
template <class T>
std::enable_if_t<is_wire_integer_v<T>> store_le(void* p, T value) noexcept;

}  // namespace netlite

// ---- implementation ----

namespace netlite {

namespace detail {

/// The unsigned integer of the same size as `T` (integer or enum); shifts are done on it
/// because shifting negative signed values is undefined (before C++20) or surprising.
template <class T, bool = std::is_enum_v<T>>
struct unsigned_of {
    using type = std::make_unsigned_t<std::remove_cv_t<T>>;
};
template <class T>
struct unsigned_of<T, true> {
    using type = std::make_unsigned_t<std::underlying_type_t<T>>;
};
template <class T>
using unsigned_of_t = typename unsigned_of<T>::type;

// Enum -> underlying -> unsigned and back. Unsigned -> signed is modular on every supported
// compiler (and guaranteed from C++20), so signed values round-trip exactly.
template <class T>
constexpr unsigned_of_t<T> to_unsigned(T value) noexcept {
    if constexpr (std::is_enum_v<T>) {
        return static_cast<unsigned_of_t<T>>(static_cast<std::underlying_type_t<T>>(value));
    } else {
        return static_cast<unsigned_of_t<T>>(value);
    }
}
template <class T>
constexpr T from_unsigned(unsigned_of_t<T> value) noexcept {
    if constexpr (std::is_enum_v<T>) {
        return static_cast<T>(static_cast<std::underlying_type_t<T>>(value));
    } else {
        return static_cast<T>(value);
    }
}

/// Reverses the bytes of an unsigned integer with plain shifts. No compiler builtins: shifts
/// are constexpr on every compiler, and GCC, Clang and MSVC all recognise the pattern and emit
/// a single bswap / rev instruction (or a rotate for 16 bits).
template <class U>
constexpr U swap_unsigned(U v) noexcept {
    if constexpr (sizeof(U) == 1) {
        return v;
    } else if constexpr (sizeof(U) == 2) {
        return static_cast<U>((v >> 8) | (v << 8));
    } else if constexpr (sizeof(U) == 4) {
        return static_cast<U>((v << 24) | ((v << 8) & U{0x00FF0000u}) |
                              ((v >> 8) & U{0x0000FF00u}) | (v >> 24));
    } else {
        return static_cast<U>(
            (v << 56) | ((v << 40) & U{0x00FF000000000000ull}) |
            ((v << 24) & U{0x0000FF0000000000ull}) | ((v << 8) & U{0x000000FF00000000ull}) |
            ((v >> 8) & U{0x00000000FF000000ull}) | ((v >> 24) & U{0x0000000000FF0000ull}) |
            ((v >> 40) & U{0x000000000000FF00ull}) | (v >> 56));
    }
}

// Byte-at-a-time assembly, spelled out with a fold so that GCC and Clang at -O2 merge it into
// one (byte-swapping) load or store; valid for any alignment and any 1-byte element type.
template <class T, class Byte, std::size_t... I>
constexpr T load_big(const Byte* p, std::index_sequence<I...>) noexcept {
    using U = unsigned_of_t<T>;
    return from_unsigned<T>(static_cast<U>(
        (... | (static_cast<U>(static_cast<unsigned char>(p[I])) << (8 * (sizeof(T) - 1 - I))))));
}
template <class T, class Byte, std::size_t... I>
constexpr T load_little(const Byte* p, std::index_sequence<I...>) noexcept {
    using U = unsigned_of_t<T>;
    return from_unsigned<T>(
        static_cast<U>((... | (static_cast<U>(static_cast<unsigned char>(p[I])) << (8 * I)))));
}
template <class Byte, class U, std::size_t... I>
constexpr void store_big(Byte* p, U v, std::index_sequence<I...>) noexcept {
    ((p[I] =
          static_cast<Byte>(static_cast<unsigned char>((v >> (8 * (sizeof(U) - 1 - I))) & 0xFFu))),
     ...);
}
template <class Byte, class U, std::size_t... I>
constexpr void store_little(Byte* p, U v, std::index_sequence<I...>) noexcept {
    ((p[I] = static_cast<Byte>(static_cast<unsigned char>((v >> (8 * I)) & 0xFFu))), ...);
}

}  // namespace detail

template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> byteswap(T value) noexcept {
    return detail::from_unsigned<T>(detail::swap_unsigned(detail::to_unsigned(value)));
}

// `if constexpr`: on a big-endian host the conversions compile to nothing at all.
template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> host_to_network(T value) noexcept {
    if constexpr (is_little_endian) {
        return byteswap(value);
    } else {
        return value;
    }
}

template <class T>
constexpr std::enable_if_t<is_wire_integer_v<T>, T> network_to_host(T value) noexcept {
    return host_to_network(value);  // the swap is its own inverse
}

template <class T, class Byte>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>, T> load_be(
    const Byte* p) noexcept {
    return detail::load_big<T>(p, std::make_index_sequence<sizeof(T)>());
}
// The void* forms only change the pointer type (a static_cast from void*, which C++17 does not
// allow in constant expressions) and forward to the byte-pointer forms.
template <class T>
inline std::enable_if_t<is_wire_integer_v<T>, T> load_be(const void* p) noexcept {
    return load_be<T>(static_cast<const unsigned char*>(p));
}

template <class T, class Byte>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>, T> load_le(
    const Byte* p) noexcept {
    return detail::load_little<T>(p, std::make_index_sequence<sizeof(T)>());
}
template <class T>
inline std::enable_if_t<is_wire_integer_v<T>, T> load_le(const void* p) noexcept {
    return load_le<T>(static_cast<const unsigned char*>(p));
}

template <class Byte, class T>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>> store_be(
    Byte* p, T value) noexcept {
    detail::store_big(p, detail::to_unsigned(value), std::make_index_sequence<sizeof(T)>());
}
template <class T>
inline std::enable_if_t<is_wire_integer_v<T>> store_be(void* p, T value) noexcept {
    store_be(static_cast<unsigned char*>(p), value);
}

template <class Byte, class T>
constexpr std::enable_if_t<is_wire_integer_v<T> && detail::is_byte_v<Byte>> store_le(
    Byte* p, T value) noexcept {
    detail::store_little(p, detail::to_unsigned(value), std::make_index_sequence<sizeof(T)>());
}
template <class T>
inline std::enable_if_t<is_wire_integer_v<T>> store_le(void* p, T value) noexcept {
    store_le(static_cast<unsigned char*>(p), value);
}
}  // namespace netlite

#endif  // NETLITE_BYTE_ORDER_HPP
