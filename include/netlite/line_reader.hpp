// SPDX-License-Identifier: MIT
#ifndef NETLITE_LINE_READER_HPP
#define NETLITE_LINE_READER_HPP

/// \file
/// Bounded line framing: `line_reader` splits a byte stream into LF- or CRLF-terminated lines
/// and never holds more than its limit plus one read, whatever the peer sends. It works on bytes
/// you feed it (from a selector loop) or reads from any stream with `receive(buffer, ec)`.
/// No OS headers.

#include <netlite/buffer.hpp>
#include <netlite/error.hpp>

#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace netlite {

/// Splits bytes into lines of at most `max_line` bytes (terminator excluded).
///
/// A line longer than the limit is reported once as `netlite::error::line_too_long`; the reader
/// then drops the rest of that line up to its LF by itself and goes on with the next one, so a
/// caller may answer the error and keep the connection, or drop the client. No fragment of an
/// over-long line is ever returned as a line.
class line_reader {
  public:
    /// `max_line`: the longest line accepted, in bytes, without its LF or CRLF.
    explicit line_reader(std::size_t max_line = 4096) : max_line_(max_line) {}

    /// Room for at least `n` more bytes: receive into it, then `commit` what arrived. Saves a
    /// copy compared with `feed`.
    mutable_buffer prepare(std::size_t n);
    /// Marks `n` bytes of the last `prepare` as received.
    void commit(std::size_t n) noexcept;
    /// Appends received bytes (a copy).
    void feed(const_buffer data);

    /// The next complete line without its terminator, or `std::nullopt` when none is complete
    /// yet (with `ec` clear) or when the pending line is over the limit (`ec` is
    /// `line_too_long`, reported once per such line). The view is valid until the next call
    /// that changes the reader.
    std::optional<std::string_view> next_line(std::error_code& ec) noexcept;

    /// Reads from `stream` (anything with `std::size_t receive(mutable_buffer, error_code&)`,
    /// blocking or with a timeout) until a line is complete. Returns false with `ec` set on a
    /// receive error, on `line_too_long`, or with `netlite::error::eof` at end of stream (a
    /// final line without LF is left in `pending()`).
    template <typename Stream>
    bool read_line(Stream& stream, std::string& line, std::error_code& ec);

    /// Bytes received but not yet returned as lines (an incomplete line).
    std::string_view pending() const noexcept { return {buffer_.data() + begin_, end_ - begin_}; }
    std::size_t max_line() const noexcept { return max_line_; }
    /// True while the rest of an over-long line is being discarded.
    bool discarding() const noexcept { return discarding_; }
    /// True while a line has started but not ended (kept or being discarded): what a per-line
    /// deadline should watch.
    bool in_line() const noexcept { return discarding_ || end_ != begin_; }

    /// Bytes of buffer memory held (at least `pending().size()`; grows with `prepare`).
    std::size_t capacity() const noexcept { return buffer_.size(); }
    /// Gives back the memory that `pending()` does not need: all of it when nothing is pending.
    /// A server that calls this after handling a read pays no buffer for an idle connection,
    /// at the price of one allocation on the next `prepare`.
    void shrink_to_fit();

  private:
    void compact() noexcept;

    std::vector<char> buffer_;
    std::size_t begin_ = 0;  // first unread byte
    std::size_t end_ = 0;    // one past the last received byte
    std::size_t scan_ = 0;   // bytes from begin_ already known to hold no LF
    std::size_t max_line_;
    bool discarding_ = false;
    bool reported_ = false;  // the current over-long line was reported
};

// ---- implementation ----

inline void line_reader::compact() noexcept {
    if (begin_ == 0) return;
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
}

inline void line_reader::shrink_to_fit() {
    if (begin_ == end_) {
        std::vector<char>().swap(buffer_);
        begin_ = end_ = scan_ = 0;
        return;
    }
    compact();
    if (buffer_.size() > end_)
        std::vector<char>(buffer_.data(), buffer_.data() + end_).swap(buffer_);
}

inline mutable_buffer line_reader::prepare(std::size_t n) {
    if (buffer_.size() - end_ < n) {
        compact();
        if (buffer_.size() - end_ < n) buffer_.resize(end_ + n);
    }
    return {buffer_.data() + end_, n};
}

inline void line_reader::commit(std::size_t n) noexcept {
    const std::size_t room = buffer_.size() - end_;
    end_ += n < room ? n : room;
}

inline void line_reader::feed(const_buffer data) {
    const mutable_buffer room = prepare(data.size());
    if (!data.empty()) std::memcpy(room.data(), data.data(), data.size());
    commit(data.size());
}

inline std::optional<std::string_view> line_reader::next_line(std::error_code& ec) noexcept {
    ec.clear();
    for (;;) {
        const char* base = buffer_.data() + begin_;
        const std::size_t size = end_ - begin_;
        const void* lf = size > scan_ ? std::memchr(base + scan_, '\n', size - scan_) : nullptr;
        if (discarding_) {
            // Drop the over-long line up to and including its LF, then carry on.
            if (!lf) {
                begin_ = end_ = scan_ = 0;
                return std::nullopt;
            }
            begin_ += static_cast<std::size_t>(static_cast<const char*>(lf) - base) + 1;
            scan_ = 0;
            discarding_ = false;
            reported_ = false;
            continue;
        }
        if (!lf) {
            scan_ = size;
            // Over the limit: the line can only be longer (a trailing CR may still belong to a
            // CRLF, hence the +1).
            if (size > max_line_ + 1) {
                discarding_ = true;
                if (!reported_) {
                    reported_ = true;
                    ec = error::line_too_long;
                }
                begin_ = end_ = scan_ = 0;
            }
            if (begin_ == end_) begin_ = end_ = 0;
            return std::nullopt;
        }
        std::size_t length = static_cast<std::size_t>(static_cast<const char*>(lf) - base);
        begin_ += length + 1;
        scan_ = 0;
        if (length > 0 && base[length - 1] == '\r') --length;
        if (length > max_line_) {
            ec = error::line_too_long;
            return std::nullopt;
        }
        return std::string_view(base, length);
    }
}

template <typename Stream>
bool line_reader::read_line(Stream& stream, std::string& line, std::error_code& ec) {
    constexpr std::size_t chunk = 4096;
    for (;;) {
        if (const auto got = next_line(ec)) {
            line.assign(got->data(), got->size());
            return true;
        }
        if (ec) return false;
        const mutable_buffer room = prepare(chunk);
        const std::size_t n = stream.receive(room, ec);
        if (ec) return false;
        if (n == 0) {
            ec = error::eof;
            return false;
        }
        commit(n);
    }
}

}  // namespace netlite

#endif  // NETLITE_LINE_READER_HPP
