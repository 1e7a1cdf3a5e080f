// SPDX-License-Identifier: MIT
#ifndef NETLITE_BUFFER_HPP
#define NETLITE_BUFFER_HPP

/// \file
/// Non-owning byte views: `const_buffer` (what a send reads) and `mutable_buffer` (what a
/// receive fills). Both convert implicitly from strings, string views, vectors, arrays and C
/// arrays of 1-byte elements, so `s.send("hi")` and `s.receive(buf)` just work. No OS headers.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace netlite {

namespace detail {
/// True for the 1-byte element types a buffer may view: char, signed/unsigned char, std::byte.
template <typename T>
inline constexpr bool is_byte_like_v = sizeof(T) == 1 && std::is_trivially_copyable_v<T> &&
                                       !std::is_same_v<std::remove_cv_t<T>, bool>;

/// True for contiguous ranges with `.data()` / `.size()` over byte-like elements.
template <typename C, typename = void>
struct is_byte_range : std::false_type {};
template <typename C>
struct is_byte_range<
    C, std::void_t<decltype(std::declval<C&>().data()), decltype(std::declval<C&>().size())>>
    : std::bool_constant<
          is_byte_like_v<std::remove_pointer_t<decltype(std::declval<C&>().data())>>> {};

/// True for byte ranges whose elements can be written (`std::string_view` is not one).
template <typename C, typename = void>
struct is_mutable_byte_range : std::false_type {};
template <typename C>
struct is_mutable_byte_range<C, std::enable_if_t<is_byte_range<C>::value>>
    : std::bool_constant<
          !std::is_const_v<std::remove_pointer_t<decltype(std::declval<C&>().data())>>> {};
}  // namespace detail

/// A view of bytes to read from. Cheap to copy; never owns.
class const_buffer {
  public:
    constexpr const_buffer() noexcept = default;
    constexpr const_buffer(const void* data, std::size_t size) noexcept
        : data_(static_cast<const std::byte*>(data)), size_(size) {}
    /// The same for `std::byte` data; unlike the `void*` form, usable in constant expressions.
    template <typename B, std::enable_if_t<std::is_same_v<B, std::byte>, int> = 0>
    constexpr const_buffer(const B* data, std::size_t size) noexcept : data_(data), size_(size) {}

    /// From a string literal or `char` array: the terminating NUL is *not* included.
    template <std::size_t N>
    constexpr const_buffer(const char (&text)[N]) noexcept
        : const_buffer(text, N > 0 && text[N - 1] == '\0' ? N - 1 : N) {}

    /// From a C array of other byte-like elements (unsigned char, std::byte...): all N elements.
    template <typename T, std::size_t N,
              std::enable_if_t<detail::is_byte_like_v<T> && !std::is_same_v<T, char>, int> = 0>
    constexpr const_buffer(const T (&array)[N]) noexcept : const_buffer(array, N) {}

    /// From any contiguous byte range (std::string, std::string_view, std::vector, std::array...).
    template <
        typename C,
        std::enable_if_t<detail::is_byte_range<const C>::value && !std::is_array_v<C>, int> = 0>
    constexpr const_buffer(const C& range) noexcept : const_buffer(range.data(), range.size()) {}

    constexpr const std::byte* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }

    /// The view with its first `n` bytes dropped (clamped to size()).
    constexpr const_buffer operator+(std::size_t n) const noexcept {
        const std::size_t skip = n < size_ ? n : size_;
        return {data_ + skip, size_ - skip};
    }
    /// The first `n` bytes of the view (clamped to size()).
    constexpr const_buffer first(std::size_t n) const noexcept {
        return {data_, n < size_ ? n : size_};
    }
    /// The bytes as text (no copy).
    std::string_view as_string_view() const noexcept {
        return {reinterpret_cast<const char*>(data_), size_};
    }

  private:
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A view of bytes to write into. Cheap to copy; never owns; converts to `const_buffer`.
class mutable_buffer {
  public:
    constexpr mutable_buffer() noexcept = default;
    constexpr mutable_buffer(void* data, std::size_t size) noexcept
        : data_(static_cast<std::byte*>(data)), size_(size) {}
    /// The same for `std::byte` data; unlike the `void*` form, usable in constant expressions.
    template <typename B, std::enable_if_t<std::is_same_v<B, std::byte>, int> = 0>
    constexpr mutable_buffer(B* data, std::size_t size) noexcept : data_(data), size_(size) {}

    /// From a C array of byte-like elements (all N elements, no NUL special case).
    template <typename T, std::size_t N,
              std::enable_if_t<detail::is_byte_like_v<T> && !std::is_const_v<T>, int> = 0>
    constexpr mutable_buffer(T (&array)[N]) noexcept : mutable_buffer(array, N) {}

    /// From a non-const contiguous byte range (std::string, std::vector, std::array...).
    template <typename C, std::enable_if_t<detail::is_mutable_byte_range<C>::value &&
                                               !std::is_const_v<C> && !std::is_array_v<C>,
                                           int> = 0>
    constexpr mutable_buffer(C& range) noexcept : mutable_buffer(range.data(), range.size()) {}

    constexpr std::byte* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }

    constexpr mutable_buffer operator+(std::size_t n) const noexcept {
        const std::size_t skip = n < size_ ? n : size_;
        return {data_ + skip, size_ - skip};
    }
    constexpr mutable_buffer first(std::size_t n) const noexcept {
        return {data_, n < size_ ? n : size_};
    }
    constexpr operator const_buffer() const noexcept { return {data_, size_}; }

  private:
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Explicit spellings, as in asio: `buffer(ptr, n)`, `buffer(str)`.
constexpr const_buffer buffer(const void* data, std::size_t size) noexcept { return {data, size}; }
constexpr mutable_buffer buffer(void* data, std::size_t size) noexcept { return {data, size}; }
template <typename C, std::enable_if_t<std::is_constructible_v<mutable_buffer, C&>, int> = 0>
constexpr mutable_buffer buffer(C& range) noexcept {
    return mutable_buffer(range);
}
template <typename C, std::enable_if_t<std::is_constructible_v<const_buffer, const C&>, int> = 0>
constexpr const_buffer buffer(const C& range) noexcept {
    return const_buffer(range);
}

}  // namespace netlite

#endif  // NETLITE_BUFFER_HPP
