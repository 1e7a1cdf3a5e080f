// SPDX-License-Identifier: MIT
#ifndef NETLITE_TESTS_FUZZ_COMMON_HPP
#define NETLITE_TESTS_FUZZ_COMMON_HPP

/// \file
/// Shared by the fuzz harnesses: `NETLITE_FUZZ_CHECK`, which prints the input's context and
/// aborts (libFuzzer records a crash, the corpus replay test fails), and `input`, which splits
/// the fuzzer's bytes into a few parameters, a payload and a reproducible chunking of it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Fails the run when `condition` is false; works with NDEBUG (unlike assert).
#define NETLITE_FUZZ_CHECK(condition) \
    ((condition) ? (void)0 : ::netlite_fuzz::fail(#condition, __FILE__, __LINE__))

namespace netlite_fuzz {

/// What the current input is about, printed when a check fails (set with `note`).
inline std::string& context() {
    static std::string text;
    return text;
}

/// `text` with every byte outside printable ASCII (and the backslash) as \xHH.
inline std::string escaped(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F && c != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xF];
        }
    }
    return out;
}

/// Adds "name: "escaped value"" to the context of the current input.
inline void note(std::string_view name, std::string_view value) {
    context().append(name).append(": \"").append(escaped(value)).append("\"\n");
}

[[noreturn]] inline void fail(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n%s", file, line, condition,
                 context().c_str());
    std::fflush(stderr);
    std::abort();
}

/// The fuzzer's bytes: parameter bytes from the front (0 once exhausted), then the payload.
class input {
  public:
    input(const std::uint8_t* data, std::size_t size) noexcept
        : text_(reinterpret_cast<const char*>(data), size) {
        context().clear();
    }

    /// The next parameter byte, 0 when the input is used up.
    std::uint8_t byte() noexcept {
        if (text_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(text_.front());
        text_.remove_prefix(1);
        return b;
    }
    /// Four parameter bytes, little-endian.
    std::uint32_t word() noexcept {
        std::uint32_t w = 0;
        for (int i = 0; i < 4; ++i) w |= std::uint32_t{byte()} << (8 * i);
        return w;
    }
    /// Everything not yet taken.
    std::string_view rest() const noexcept { return text_; }

  private:
    std::string_view text_;
};

/// Reproducible chunk sizes: an xorshift32 stream seeded from the input, each size in
/// [1, max_chunk]; `max_chunk` 0 means "everything at once".
class chunker {
  public:
    chunker(std::uint32_t seed, std::size_t max_chunk) noexcept
        : state_(seed | 1u), max_chunk_(max_chunk) {}

    /// The size of the next chunk when `left` bytes remain (0 only when `left` is 0).
    std::size_t next(std::size_t left) noexcept {
        if (left == 0) return 0;
        if (max_chunk_ == 0) return left;
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        const std::size_t size = 1 + state_ % max_chunk_;
        return size < left ? size : left;
    }
    std::size_t max_chunk() const noexcept { return max_chunk_; }

  private:
    std::uint32_t state_;
    std::size_t max_chunk_;
};

}  // namespace netlite_fuzz

#endif  // NETLITE_TESTS_FUZZ_COMMON_HPP
