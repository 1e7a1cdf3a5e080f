// SPDX-License-Identifier: MIT
#include <netlite/buffer.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using netlite::const_buffer;
using netlite::mutable_buffer;

namespace {

// ---- type contract ----
static_assert(std::is_trivially_copyable_v<const_buffer>);
static_assert(std::is_trivially_copyable_v<mutable_buffer>);
static_assert(std::is_nothrow_default_constructible_v<const_buffer>);
static_assert(std::is_nothrow_copy_constructible_v<mutable_buffer>);
static_assert(sizeof(const_buffer) == sizeof(void*) + sizeof(std::size_t));
static_assert(sizeof(mutable_buffer) == sizeof(void*) + sizeof(std::size_t));

// What converts implicitly, and what must not.
static_assert(std::is_convertible_v<const char (&)[3], const_buffer>);
static_assert(std::is_convertible_v<const std::string&, const_buffer>);
static_assert(std::is_convertible_v<std::string_view, const_buffer>);
static_assert(std::is_convertible_v<const std::vector<std::uint8_t>&, const_buffer>);
static_assert(std::is_convertible_v<const std::array<std::byte, 4>&, const_buffer>);
static_assert(std::is_convertible_v<const std::uint8_t (&)[4], const_buffer>);
static_assert(std::is_convertible_v<std::byte (&)[4], const_buffer>);
static_assert(std::is_convertible_v<mutable_buffer, const_buffer>);
static_assert(std::is_convertible_v<std::string&, mutable_buffer>);
static_assert(std::is_convertible_v<std::vector<char>&, mutable_buffer>);
static_assert(std::is_convertible_v<std::array<std::uint8_t, 8>&, mutable_buffer>);
static_assert(std::is_convertible_v<unsigned char (&)[8], mutable_buffer>);
static_assert(!std::is_convertible_v<const_buffer, mutable_buffer>);
static_assert(!std::is_constructible_v<mutable_buffer, const std::string&>);
static_assert(!std::is_constructible_v<mutable_buffer, std::string_view&>);
static_assert(!std::is_constructible_v<mutable_buffer, const char (&)[3]>);
static_assert(!std::is_constructible_v<mutable_buffer, std::array<const char, 3>&>);
static_assert(!std::is_constructible_v<const_buffer, const std::vector<int>&>);
static_assert(!std::is_constructible_v<const_buffer, int>);
static_assert(!std::is_constructible_v<mutable_buffer, int (&)[4]>);

// ---- constexpr use ----
constexpr const_buffer empty_buffer;
static_assert(empty_buffer.empty() && empty_buffer.size() == 0 && empty_buffer.data() == nullptr);
static_assert((empty_buffer + 5).empty());
static_assert(empty_buffer.first(5).empty());
constexpr std::byte five_bytes[5] = {};
constexpr const_buffer five(five_bytes);
static_assert(five.size() == 5);
static_assert((five + 2).size() == 3 && (five + 2).data() == five_bytes + 2);
static_assert((five + 9).size() == 0 && (five + 9).data() == five_bytes + 5);
static_assert(five.first(3).size() == 3 && five.first(9).size() == 5);
constexpr std::size_t mutable_constexpr() {
    std::array<std::byte, 6> storage{};
    mutable_buffer m(storage);
    const const_buffer c = m + 4;
    return c.size() + m.first(1).size();
}
static_assert(mutable_constexpr() == 3);

}  // namespace

TEST_SUITE_BEGIN("buffer");

TEST_CASE("buffer: a string literal views its characters without the terminating NUL") {
    const const_buffer b = "hello";
    CHECK(b.size() == 5);
    CHECK(b.as_string_view() == "hello");
    const const_buffer empty = "";
    CHECK(empty.empty());
    const char no_nul[3] = {'a', 'b', 'c'};
    CHECK(const_buffer(no_nul).size() == 3);  // only a final NUL is dropped
    const char inner_nul[] = "a\0b";
    CHECK(const_buffer(inner_nul).size() == 3);
}

TEST_CASE("buffer: const_buffer views strings, vectors, arrays and C arrays in place") {
    const std::string s = "abc";
    CHECK(const_buffer(s).data() == reinterpret_cast<const std::byte*>(s.data()));
    CHECK(const_buffer(s).size() == 3);
    const std::string_view sv = "wxyz";
    CHECK(const_buffer(sv).size() == 4);
    CHECK(const_buffer(sv).as_string_view() == "wxyz");
    const std::vector<std::uint8_t> v = {1, 2, 3, 4, 5, 6};
    CHECK(const_buffer(v).size() == 6);
    CHECK(const_buffer(v).data() == reinterpret_cast<const std::byte*>(v.data()));
    const std::array<char, 2> a = {'x', 'y'};
    CHECK(const_buffer(a).size() == 2);
    const std::uint8_t c_array[4] = {9, 8, 7, 0};
    CHECK(const_buffer(c_array).size() == 4);  // not text: a final 0 is kept
    std::byte bytes[3] = {};
    CHECK(const_buffer(bytes).size() == 3);
    const std::vector<char> empty;
    CHECK(const_buffer(empty).empty());
    CHECK(const_buffer(nullptr, 0).empty());
}

TEST_CASE("buffer: mutable_buffer views writable storage and converts to const_buffer") {
    std::string s(4, '.');
    mutable_buffer ms = s;
    CHECK(ms.size() == 4);
    ms.data()[0] = std::byte{'!'};
    CHECK(s == "!...");

    std::vector<std::uint8_t> v(10);
    const mutable_buffer mv = v;
    CHECK(mv.size() == 10);
    CHECK(mv.data() == reinterpret_cast<std::byte*>(v.data()));

    std::array<std::byte, 7> a{};
    CHECK(mutable_buffer(a).size() == 7);

    char c_array[16];
    const mutable_buffer mc = c_array;
    CHECK(mc.size() == 16);  // every element, no NUL rule for writable arrays
    const const_buffer cc = mc;
    CHECK(cc.data() == mc.data());
    CHECK(cc.size() == 16);
}

TEST_CASE("buffer: operator+ and first clamp to the size") {
    const const_buffer b = "0123456789";
    CHECK((b + 0).size() == 10);
    CHECK((b + 3).as_string_view() == "3456789");
    CHECK((b + 10).empty());
    CHECK((b + 11).empty());
    CHECK((b + static_cast<std::size_t>(-1)).empty());
    CHECK((b + 11).data() == b.data() + 10);  // never past the end
    CHECK(b.first(4).as_string_view() == "0123");
    CHECK(b.first(0).empty());
    CHECK(b.first(100).size() == 10);
    CHECK((b + 2).first(3).as_string_view() == "234");

    char storage[8] = {};
    const mutable_buffer m = storage;
    CHECK((m + 6).size() == 2);
    CHECK((m + 9).empty());
    CHECK(m.first(3).size() == 3);
    CHECK(m.first(30).size() == 8);
}

TEST_CASE("buffer: the buffer() helpers pick const or mutable from the argument") {
    std::string s = "abc";
    const std::string cs = "abcd";
    static_assert(std::is_same_v<decltype(netlite::buffer(s)), mutable_buffer>);
    static_assert(std::is_same_v<decltype(netlite::buffer(cs)), const_buffer>);
    static_assert(std::is_same_v<decltype(netlite::buffer("lit")), const_buffer>);
    static_assert(std::is_same_v<decltype(netlite::buffer(std::string_view("x"))), const_buffer>);
    CHECK(netlite::buffer(s).size() == 3);
    CHECK(netlite::buffer(cs).size() == 4);
    CHECK(netlite::buffer("lit").size() == 3);
    CHECK(netlite::buffer(s.data(), 2).size() == 2);
    CHECK(netlite::buffer(cs.data(), 1).size() == 1);
    std::uint8_t raw[5] = {};
    static_assert(std::is_same_v<decltype(netlite::buffer(raw)), mutable_buffer>);
    CHECK(netlite::buffer(raw).size() == 5);
}

TEST_SUITE_END();
