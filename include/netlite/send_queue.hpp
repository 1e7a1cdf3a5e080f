// SPDX-License-Identifier: MIT
#ifndef NETLITE_SEND_QUEUE_HPP
#define NETLITE_SEND_QUEUE_HPP

/// \file
/// `send_queue`: the bytes a selector-driven server still owes one client. Replies are appended
/// at once and go out as the socket takes them, so a client that reads slowly is never waited
/// for; the caller bounds the queue by checking `size()`. No OS headers.

#include <netlite/buffer.hpp>
#include <netlite/error.hpp>

#include <cstddef>
#include <string>
#include <system_error>

namespace netlite {

/// A FIFO of bytes to send on one non-blocking stream.
///
/// Typical use with a selector: `append` replies; while `!empty()` watch the socket for
/// `events::write`; on writability call `flush`, which sends what the socket takes without
/// waiting. Bytes leave in the order they were appended, each exactly once.
class send_queue {
  public:
    /// Appends bytes (a copy). Strong guarantee: on `std::bad_alloc` the queue is unchanged.
    void append(const_buffer data);
    /// Bytes appended and not yet sent.
    std::size_t size() const noexcept { return buffer_.size() - head_; }
    bool empty() const noexcept { return head_ == buffer_.size(); }
    /// The unsent bytes, oldest first; valid until the next call that changes the queue.
    const_buffer data() const noexcept { return {buffer_.data() + head_, size()}; }

    /// One `send` of the unsent bytes on `stream` (anything with
    /// `std::size_t send(const_buffer, std::error_code&)`), then drops what went out. A send
    /// that would block (or that took only part) is not an error. Returns true when the queue is
    /// empty afterwards. On any other error `ec` is set and the unsent bytes stay queued.
    template <typename Stream>
    bool flush(Stream& stream, std::error_code& ec);

    /// Marks the first `n` unsent bytes as sent (for callers that send `data()` themselves).
    void consume(std::size_t n) noexcept;
    /// Forgets every unsent byte and gives back large buffers.
    void clear() noexcept;

  private:
    // Above this, memory is given back once the queue drains, and sent bytes are cut off the
    // front once they are the larger part, so a burst does not stay resident for ever.
    static constexpr std::size_t keep_bytes = 64 * 1024;

    std::string buffer_;
    std::size_t head_ = 0;  // bytes of buffer_ already sent
};

// ---- implementation ----

inline void send_queue::append(const_buffer data) {
    if (data.empty()) return;
    if (empty()) clear();  // start at the front again, keeping a small buffer
    buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
}

inline void send_queue::consume(std::size_t n) noexcept {
    head_ += n < size() ? n : size();
    if (empty()) {
        clear();
    } else if (head_ > keep_bytes && head_ > buffer_.size() / 2) {
        buffer_.erase(0, head_);  // moves the smaller part: amortised O(1) per byte
        head_ = 0;
    }
}

inline void send_queue::clear() noexcept {
    if (buffer_.capacity() > keep_bytes)
        std::string().swap(buffer_);
    else
        buffer_.clear();
    head_ = 0;
}

template <typename Stream>
bool send_queue::flush(Stream& stream, std::error_code& ec) {
    ec.clear();
    if (empty()) return true;
    const std::size_t n = stream.send(data(), ec);
    if (ec == std::errc::operation_would_block) ec.clear();
    consume(n);
    return empty();
}

}  // namespace netlite

#endif  // NETLITE_SEND_QUEUE_HPP
