// SPDX-License-Identifier: MIT
//
// Fuzzes netlite::line_reader against a reference model. Input: byte 0 is max_line (0-255);
// byte 1 picks the way bytes go in (feed, prepare + commit, or read_line from a stream) and the
// largest chunk; bytes 2-5 seed the chunk sizes; the rest is the byte stream. Checked:
//   - the sequence of lines and line_too_long errors equals the model's: split the stream at
//     each LF, drop one CR before it, a line over max_line is one error and nothing else; so
//     the returned lines plus their terminators are the input minus the over-long lines;
//   - no line is longer than max_line;
//   - memory stays bounded: pending() is at most max_line + 1 + the last chunk at any time,
//     and at most max_line + 1 once every complete line has been taken;
//   - at the end, pending() and discarding() match the model's unterminated tail.

#include <netlite/line_reader.hpp>

#include "fuzz_common.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

struct event {
    bool too_long = false;
    std::string line;  // empty for an error

    friend bool operator==(const event& x, const event& y) {
        return x.too_long == y.too_long && x.line == y.line;
    }
};

struct model_result {
    std::vector<event> events;
    std::string pending;  // the unterminated tail still held
    bool discarding = false;
};

/// What any chunking of `stream` must produce with limit `max_line`.
model_result model(std::string_view stream, std::size_t max_line) {
    model_result r;
    for (;;) {
        const std::size_t lf = stream.find('\n');
        if (lf == std::string_view::npos) break;
        std::string_view line = stream.substr(0, lf);
        stream.remove_prefix(lf + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_line) {
            r.events.push_back({true, {}});
        } else {
            r.events.push_back({false, std::string(line)});
        }
    }
    // A tail may still end in the CR of a CRLF, so it is over-long only past max_line + 1.
    if (stream.size() > max_line + 1) {
        r.events.push_back({true, {}});
        r.discarding = true;
    } else {
        r.pending = std::string(stream);
    }
    return r;
}

/// Hands out `data` in chunks, like a socket's receive; 0 at the end.
struct chunked_stream {
    std::string_view data;
    netlite_fuzz::chunker* sizes;
    std::size_t last = 0;

    std::size_t receive(netlite::mutable_buffer out, std::error_code& ec) {
        ec.clear();
        const std::size_t left = data.size() < out.size() ? data.size() : out.size();
        last = sizes->next(left);
        if (last > 0) std::memcpy(out.data(), data.data(), last);
        data.remove_prefix(last);
        return last;
    }
};

/// Takes every complete line out of `reader` into `events`, checking the bounds on the way.
void drain(netlite::line_reader& reader, std::size_t chunk, std::vector<event>& events) {
    const std::size_t max_line = reader.max_line();
    // Each round consumes at least one LF or stops; a chunk cannot hold more than chunk + 1.
    for (std::size_t rounds = 0;; ++rounds) {
        NETLITE_FUZZ_CHECK(rounds <= max_line + 2 + chunk);
        std::error_code ec = std::make_error_code(std::errc::io_error);
        const std::optional<std::string_view> line = reader.next_line(ec);
        NETLITE_FUZZ_CHECK(reader.pending().size() <= max_line + 1 + chunk);
        if (line) {
            NETLITE_FUZZ_CHECK(!ec);
            NETLITE_FUZZ_CHECK(line->size() <= max_line);
            NETLITE_FUZZ_CHECK(line->find('\n') == std::string_view::npos);
            events.push_back({false, std::string(*line)});
        } else if (ec) {
            NETLITE_FUZZ_CHECK(ec == netlite::error::line_too_long);
            events.push_back({true, {}});
        } else {
            break;
        }
    }
    NETLITE_FUZZ_CHECK(reader.pending().size() <= max_line + 1);
    NETLITE_FUZZ_CHECK(reader.pending().find('\n') == std::string_view::npos);
    NETLITE_FUZZ_CHECK(!reader.discarding() || reader.pending().empty());
}

void run_read_line(netlite::line_reader& reader, std::string_view stream,
                   netlite_fuzz::chunker& sizes, std::vector<event>& events) {
    chunked_stream source{stream, &sizes};
    const std::size_t max_line = reader.max_line();
    for (std::size_t calls = 0;; ++calls) {
        NETLITE_FUZZ_CHECK(calls <= stream.size() + 1);  // each call ends a line or the stream
        std::string line = "stale";
        std::error_code ec;
        const bool ok = reader.read_line(source, line, ec);
        // read_line receives at most 4096 bytes at a time.
        NETLITE_FUZZ_CHECK(reader.pending().size() <= max_line + 1 + source.last);
        NETLITE_FUZZ_CHECK(source.last <= 4096);
        if (ok) {
            NETLITE_FUZZ_CHECK(!ec && line.size() <= max_line);
            events.push_back({false, line});
        } else if (ec == netlite::error::line_too_long) {
            events.push_back({true, {}});
        } else {
            NETLITE_FUZZ_CHECK(ec == netlite::error::eof);
            NETLITE_FUZZ_CHECK(source.data.empty());
            break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    netlite_fuzz::input in(data, size);
    const std::size_t max_line = in.byte();
    const std::uint8_t mode_byte = in.byte();
    const unsigned mode = mode_byte % 3;         // 0 feed, 1 prepare + commit, 2 read_line
    const unsigned chunk_code = mode_byte / 3u;  // 0-85; 80 and up mean "all at once"
    const std::size_t max_chunk = chunk_code >= 80 ? 0 : 1 + chunk_code * 3;
    netlite_fuzz::chunker sizes(in.word(), max_chunk);
    const std::string_view stream = in.rest();
    netlite_fuzz::note("stream", stream);
    netlite_fuzz::context() += "max_line: " + std::to_string(max_line) +
                               ", mode: " + std::to_string(mode) +
                               ", max_chunk: " + std::to_string(max_chunk) + "\n";

    netlite::line_reader reader(max_line);
    NETLITE_FUZZ_CHECK(reader.max_line() == max_line && reader.pending().empty());
    std::vector<event> events;
    if (mode == 2) {
        run_read_line(reader, stream, sizes, events);
    } else {
        std::size_t pos = 0;
        while (pos < stream.size()) {
            const std::size_t n = sizes.next(stream.size() - pos);
            if (mode == 0) {
                reader.feed(netlite::const_buffer(stream.data() + pos, n));
            } else {
                // Ask for more room than arrives, as a receive into prepare(4096) does.
                const netlite::mutable_buffer room = reader.prepare(n + n % 7);
                NETLITE_FUZZ_CHECK(room.size() >= n);
                std::memcpy(room.data(), stream.data() + pos, n);
                reader.commit(n);
            }
            pos += n;
            NETLITE_FUZZ_CHECK(reader.pending().size() <= max_line + 1 + n);
            drain(reader, n, events);
        }
    }

    const model_result expected = model(stream, max_line);
    NETLITE_FUZZ_CHECK(events.size() == expected.events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!(events[i] == expected.events[i])) {
            netlite_fuzz::context() += "first difference at event " + std::to_string(i) + "\n";
            netlite_fuzz::note("got", events[i].too_long ? "<too long>" : events[i].line);
            netlite_fuzz::note(
                "expected", expected.events[i].too_long ? "<too long>" : expected.events[i].line);
        }
        NETLITE_FUZZ_CHECK(events[i] == expected.events[i]);
    }
    NETLITE_FUZZ_CHECK(reader.pending() == expected.pending);
    NETLITE_FUZZ_CHECK(reader.discarding() == expected.discarding);
    return 0;
}
